// The summary table printed at the end.

function table(rows) {
  const widths = [0, 0, 0];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i], String(cell).length);
    });
  }
  const line = (row) => row.map((cell, i) => String(cell).padEnd(widths[i])).join('  ');
  return `${rows.map(line).join('\n')}\n`;
}

const fmt = (n, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '-');

export function percentile(values, p) {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Prints the report; returns the failed checks' names. */
export function printReport(r) {
  const failed = [];
  const check = (name, value, ok) => {
    if (!ok) failed.push(name);
    return [name, value, ok ? 'ok' : 'FAIL'];
  };
  const rows = [
    ['check', 'value', 'result'],
    check(
      'socket events held / expected',
      `${r.sockets.held} / ${r.sockets.expected}`,
      r.sockets.held >= r.sockets.expected,
    ),
    check('socket events missing', r.sockets.missing, r.sockets.missing === 0),
    check('socket events held twice', r.sockets.duplicates, r.sockets.duplicates === 0),
    check('socket seq not increasing', r.sockets.outOfOrder, r.sockets.outOfOrder === 0),
    check('socket events not allowed', r.sockets.unexpected, r.sockets.unexpected === 0),
    check('internal events to customers', r.sockets.internalToCustomers, r.sockets.internalToCustomers === 0),
    check('tickets never followed', r.sockets.unfollowed, r.sockets.unfollowed === 0),
    check('acknowledged writes lost', `${r.acked.lost} of ${r.acked.acked}`, r.acked.lost === 0),
    check('bot texts recorded', `${r.bot.textsRecorded} / ${r.bot.textsSent}`, r.bot.textsLost === 0),
    check('bot texts recorded twice', r.bot.textsDoubled, r.bot.textsDoubled === 0),
    check('bot updates never fetched', r.bot.updatesPending, r.bot.updatesPending === 0),
    check('bot replies sent exactly once', `${r.bot.repliesSentOnce} / ${r.bot.replies}`, true),
    check('bot replies never sent', r.bot.repliesUnsent, r.bot.repliesUnsent === 0),
    check('bot replies sent twice', r.bot.repliesSentTwice, r.bot.repliesSentTwice === 0),
    check('notes sent to bot customers', r.bot.notesToCustomers, r.bot.notesToCustomers === 0),
    check(
      'HTTP 5xx',
      `${r.http.serverErrors.length} of ${r.http.calls} calls`,
      r.http.serverErrors.length === 0,
    ),
    check('app crashes (unplanned exits)', r.crashes, r.crashes === 0),
  ];
  for (const m of r.memory) {
    if (!m.judged) {
      rows.push([`RSS ${m.name}`, `peak ${fmt(m.peakMb)} MB (too short after warm-up to judge)`, 'ok']);
      continue;
    }
    rows.push(
      check(
        `RSS ${m.name}`,
        `${fmt(m.warmMb)} -> ${fmt(m.endMb)} MB (${m.growthMb >= 0 ? '+' : ''}${fmt(m.growthMb)}, ` +
          `${fmt(m.slopeMbPerMin, 2)} MB/min over ${fmt(m.windowS, 0)} s; peak ${fmt(m.peakMb)})`,
        !m.leak,
      ),
    );
  }
  process.stdout.write(`\n${table(rows)}`);
  return failed;
}

export function printFigures(r) {
  const statuses = [...r.http.byStatus.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([status, n]) => `${status}:${n}`)
    .join(' ');
  const closes = [...r.ws.closes.entries()].map(([code, n]) => `${code}:${n}`).join(' ') || 'none';
  const errors = [...r.ws.errorFrames.entries()].map(([code, n]) => `${code}:${n}`).join(' ') || 'none';
  const lines = [
    `duration ${fmt(r.durationS, 0)} s of load, settle ${fmt(r.settleS, 1)} s, total ${fmt(r.totalS, 0)} s`,
    `actors: ${r.actors.rest} REST+WS customers, ${r.actors.bot} bot customers, ${r.actors.agents} agents`,
    `record: ${r.record.ticketCount} tickets, ${r.record.eventCount} events, ${r.record.messages.length} messages`,
    `http: ${r.http.calls} calls (${statuses}); network errors ${r.http.networkErrors}; ` +
      `write latency p50 ${fmt(percentile(r.http.latencies, 50))} ms, p99 ${fmt(percentile(r.http.latencies, 99))} ms, ` +
      `max ${fmt(percentile(r.http.latencies, 100))} ms; writes/s ${fmt(r.http.latencies.length / r.durationS)}`,
    `ws: ${r.ws.connects} connects, ${r.ws.connectFailures} failed, closes ${closes}; ${r.ws.framesIn} frames in; error frames ${errors}`,
    `delivery (commit -> client): socket events p50 ${fmt(percentile(r.ws.delays, 50), 0)} ms, ` +
      `p99 ${fmt(percentile(r.ws.delays, 99), 0)} ms, max ${fmt(percentile(r.ws.delays, 100), 0)} ms ` +
      `(replays after reconnects included); bot replies to Telegram p50 ` +
      `${fmt(percentile(r.bot.replyDelays, 50), 0)} ms, p99 ${fmt(percentile(r.bot.replyDelays, 99), 0)} ms, ` +
      `max ${fmt(percentile(r.bot.replyDelays, 100), 0)} ms`,
    `agents: ${r.agentStats.claims} claims (${r.agentStats.claimConflicts} 409), ${r.agentStats.replies} replies, ` +
      `${r.agentStats.notes} notes, ${r.agentStats.patches} status changes (${r.agentStats.patchConflicts} 409)`,
    `bot: ${r.fakeSends} sendMessage calls answered ok`,
    `faults:\n  ${r.faults.join('\n  ') || 'none'}`,
  ];
  process.stdout.write(`\n${lines.join('\n')}\n`);
  if (r.http.slow.length > 0) {
    // When the slow calls happened (seconds into the load), to set beside the faults.
    const buckets = new Map();
    for (const s of r.http.slow) {
      const second = Math.floor((s.at - s.ms - r.loadStart) / 1000);
      buckets.set(second, (buckets.get(second) ?? 0) + 1);
    }
    const spans = [...buckets.entries()].sort((a, b) => a[0] - b[0]).map(([s, n]) => `${s}s:${n}`);
    process.stdout.write(`calls over 1 s by start second: ${spans.join(' ')}\n`);
  }
  if (r.http.serverErrors.length > 0) {
    process.stdout.write('\n5xx:\n');
    for (const e of r.http.serverErrors.slice(0, 10))
      process.stdout.write(`  ${e.status} ${e.route} ${e.body}\n`);
  }
  const examples = [...r.sockets.examples, ...r.bot.examples];
  if (examples.length > 0) process.stdout.write(`\nexamples:\n  ${examples.slice(0, 20).join('\n  ')}\n`);
}
