// One adapter per scenario: reads bench/<name>/results.json (as that scenario's run script writes it) and
// returns the runner's metric rows. A target is { on: 'ratio' | 'value', op: '>=' | '<=', limit }.
import { median, range } from './stats.mjs';

/** Whether `x` meets the target (null when there is no target or no figure). */
export function meets(target, x) {
  if (!target || x === null || x === undefined || !Number.isFinite(x)) return null;
  return target.op === '>=' ? x >= target.limit : x <= target.limit;
}

export function targetText(target) {
  if (!target) return '';
  const op = target.op === '>=' ? '≥' : '≤';
  return target.on === 'ratio' ? `${op} ${target.limit}×` : `${op} ${target.limit}${target.unit ?? ''}`;
}

/**
 * A metric row. `roundRatios` (system/reference per alternated round) lets the report say when the verdict
 * changes from round to round, i.e. when noise dominates.
 */
function row(scenario, metric, unit, f) {
  const ratio = f.ratio ?? (Number.isFinite(f.reference) && f.reference !== 0 ? f.value / f.reference : null);
  const judged = f.target?.on === 'value' ? f.value : ratio;
  const verdicts = (f.roundRatios ?? []).map((r) => meets(f.target, r)).filter((v) => v !== null);
  return {
    scenario,
    metric,
    value: f.value,
    reference: f.reference ?? null,
    ratio,
    target: targetText(f.target),
    pass: meets(f.target, judged),
    unit,
    spread: f.spread ?? null,
    referenceSpread: f.referenceSpread ?? null,
    referenceName: f.referenceName ?? null,
    roundRatios: f.roundRatios ?? null,
    noisy: verdicts.length > 1 && new Set(verdicts).size > 1,
  };
}

const pairRatios = (a, b) => a.map((x, i) => (b[i] ? x / b[i] : Number.NaN));

function apiRead(r) {
  const rows = [];
  for (const [key, s] of Object.entries(r.results)) {
    const route = key === 'byId' ? 'GET /api/v1/tickets/:id' : 'GET /api/v1/tickets?limit=50';
    const ref = 'same SQL on raw pg (Express, no auth)';
    rows.push(
      row('api-read', `${route} throughput`, 'req/s', {
        value: s.system.rps,
        spread: s.system.rpsSpread,
        reference: s.reference.rps,
        referenceSpread: s.reference.rpsSpread,
        referenceName: ref,
        ratio: s.rpsRatio,
        roundRatios: s.rounds.map((x) => x.system.rps / x.reference.rps),
        target: { on: 'ratio', op: '>=', limit: 0.9 },
      }),
      row('api-read', `${route} p99 latency`, 'ms', {
        value: s.system.p99,
        spread: s.system.p99Spread,
        reference: s.reference.p99,
        referenceSpread: s.reference.p99Spread,
        referenceName: ref,
        ratio: s.p99Ratio,
        roundRatios: s.rounds.map((x) => x.system.p99 / Math.max(1, x.reference.p99)),
        target: { on: 'ratio', op: '<=', limit: 1.3 },
      }),
    );
  }
  return rows;
}

function botInbound(r) {
  return [
    row('bot-inbound', 'webhook updates end to end', 'updates/s', {
      value: r.medianBotPerS,
      spread: range(r.rounds.map((x) => x.botPerS)),
      // Since issue #18 the reference does the same work (naive.cjs); older results compared with a no-op.
      reference: r.medianNaivePerS ?? r.medianBaselinePerS,
      referenceSpread: range(r.rounds.map((x) => x.naivePerS ?? x.baselinePerS)),
      referenceName:
        r.medianNaivePerS === undefined
          ? 'telegraf no-op webhook handler'
          : 'telegraf with a naive durable handler (one transaction of plain statements per update)',
      ratio: r.medianRatio,
      roundRatios: r.rounds.map((x) => x.ratio),
      target: { on: 'ratio', op: '>=', limit: r.target ?? 0.5 },
    }),
  ];
}

/** fanout, e2e, idle share a shape: runs.{system,reference}[] of per-round figures. */
function gatewayRows(r, scenario, sides, metrics) {
  const [sys, ref] = sides;
  return metrics.map(({ key, metric, unit, target, scale = 1 }) => {
    const a = r.runs[sys].map((x) => x[key] * scale);
    const b = r.runs[ref].map((x) => x[key] * scale);
    return row(scenario, metric, unit, {
      value: median(a),
      spread: range(a),
      reference: median(b),
      referenceSpread: range(b),
      referenceName: sides[2],
      roundRatios: pairRatios(a, b),
      target,
    });
  });
}

function fanout(r) {
  return gatewayRows(
    r,
    'fanout',
    ['gateway', 'bare', '2 bare ws processes + Redis PUBLISH'],
    [
      { key: 'p50', metric: `slowest of ${r.sockets} recipients p50`, unit: 'ms' },
      {
        key: 'p99',
        metric: `slowest of ${r.sockets} recipients p99`,
        unit: 'ms',
        target: { on: 'ratio', op: '<=', limit: 1.5 },
      },
      {
        key: 'deliveriesPerS',
        metric: 'deliveries/s (burst)',
        unit: '/s',
        target: { on: 'ratio', op: '>=', limit: 0.7 },
      },
    ],
  );
}

function e2e(r) {
  return gatewayRows(
    r,
    'e2e',
    ['gateway', 'parts', 'the same transaction on raw pg + pub/sub hop + ws relay, bare'],
    [
      {
        key: 'p50',
        metric: 'write -> customer socket p50',
        unit: 'ms',
        target: { on: 'ratio', op: '<=', limit: 1.3 },
      },
      {
        key: 'p99',
        metric: 'write -> customer socket p99',
        unit: 'ms',
        target: { on: 'ratio', op: '<=', limit: 1.5 },
      },
    ],
  );
}

function idle(r) {
  const [mem] = gatewayRows(
    r,
    'idle',
    ['gateway', 'bare', 'bare ws server'],
    [
      {
        key: 'bytesPerConnection',
        metric: `RSS per idle socket (${r.sockets} sockets)`,
        unit: 'KiB',
        scale: 1 / 1024,
        target: { on: 'ratio', op: '<=', limit: 2 },
      },
    ],
  );
  const drops = r.runs.gateway.reduce((s, x) => s + x.drops, 0);
  const bareDrops = r.runs.bare.reduce((s, x) => s + x.drops, 0);
  return [
    mem,
    row('idle', `sockets dropped while idle (all rounds)`, 'sockets', {
      value: drops,
      reference: bareDrops,
      referenceName: 'bare ws server',
      ratio: null,
      target: { on: 'value', op: '<=', limit: 0, unit: '' },
    }),
  ];
}

function miniappBudget(r) {
  // The shipped build's rows (r.shipped: the UI runtime `pnpm build` ships); the other runtime's figures stay
  // in results.json and docs/BENCHMARKS.md's Mini App section.
  const shipped = r.results.filter((m) => !m.runtime || m.runtime === r.shipped);
  return shipped.map((m) => {
    const isJs = /brotli|gzip/.test(m.metric);
    const runs = isJs ? null : r.runsMs?.[m.runtime ? `${m.runtime} / ${m.scenario}` : m.scenario];
    const paint = (list) => (list ?? []).map((x) => (typeof x === 'number' ? x : Math.max(x.lcp, x.visible)));
    if (isJs) {
      return row('miniapp-budget', `${m.scenario}: first-screen JS, brotli`, 'KB', {
        value: m.value,
        reference: m.reference,
        referenceName: 'a fixed budget: first-screen JS ≤ 60 KB brotli',
        ratio: m.ratio,
        target: { on: 'value', op: '<=', limit: m.reference, unit: ' KB' },
      });
    }
    const limit = Number(/<= (\d+)/.exec(m.target)?.[1]);
    return row('miniapp-budget', `${m.scenario}: phone profile, content painted (median)`, 'ms', {
      value: m.value,
      spread: runs ? range(paint(runs.phone ?? runs)) : null,
      reference: m.reference,
      referenceSpread: runs?.loopback ? range(paint(runs.loopback)) : null,
      referenceName:
        m.referenceName ?? 'the same load on loopback without throttling, alternated with it in the same run',
      ratio: m.ratio,
      target: { on: 'value', op: '<=', limit, unit: ' ms' },
    });
  });
}

/** bench/miniapp-server: the shipped server (sirv, http-proxy-3) per workload against the hand-written one. */
function miniappServer(r) {
  return r.results.map((x) =>
    row('miniapp-server', `${x.workload}: throughput`, '/s', {
      value: x.shipped.perSecond,
      spread: x.shipped.spread,
      reference: x.handWritten.perSecond,
      referenceSpread: x.handWritten.spread,
      referenceName: 'the hand-written server it replaced (8be9e6a), alternated with it in the same run',
      ratio: x.ratio,
      roundRatios: x.roundRatios,
      target: { on: 'ratio', op: '>=', limit: 0.9 },
    }),
  );
}

/** bench/scale: each read path's p95 at the big database against the same request at 10k (same run). */
function scale(r) {
  const big = r.big.tickets >= 1_000_000 ? `${r.big.tickets / 1_000_000}M` : `${r.big.tickets / 1000}k`;
  const clean = (x) => x.small.failures === 0 && x.big.failures === 0;
  return r.results.flatMap((x) => {
    const ratio = row('scale', `${x.label}: p95 at ${big} vs 10k`, 'ms', {
      value: x.big.p95,
      reference: x.small.p95,
      referenceName: 'the same request at 10k tickets, alternated with it in the same run',
      target: { on: 'ratio', op: '<=', limit: x.target.ratio },
    });
    const rows = [{ ...ratio, pass: clean(x) && ratio.pass }];
    if (x.target.absoluteMs) {
      const abs = row('scale', `${x.label}: p95 at ${big}`, 'ms', {
        value: x.big.p95,
        ratio: null,
        target: { on: 'value', op: '<=', limit: x.target.absoluteMs, unit: ' ms' },
      });
      rows.push({ ...abs, pass: clean(x) && abs.pass });
    }
    return rows;
  });
}

export const adapters = {
  'api-read': apiRead,
  'bot-inbound': botInbound,
  fanout,
  e2e,
  idle,
  'miniapp-budget': miniappBudget,
  'miniapp-server': miniappServer,
  scale,
};

/** When the scenario's results.json says it was measured (ISO string), whatever its field is called. */
export function measuredAt(r) {
  return r.at ?? r.date ?? null;
}
