// The bench:scale section of docs/BENCHMARKS.md, from run.mjs's results and the plans it captured.
import { fmt } from '../../scripts/bench/stats.mjs';

const size = (n) => n.toLocaleString('en');
const ms = (x) => (x === null || x === undefined ? '–' : fmt(x));

function targetText(r) {
  return `≤ ${r.target.ratio}×${r.target.absoluteMs ? ` and ≤ ${r.target.absoluteMs} ms` : ''}`;
}

function verdict(r) {
  if (r.small.failures || r.big.failures) {
    const s = r.big.failures ? r.big : r.small;
    return `**falls short**: ${s.failures} of ${s.n} answered ${s.statuses.filter((x) => x !== 200).join('/')}`;
  }
  if (r.pass) return 'pass';
  const why = [];
  if (!r.ratioPass) why.push('ratio');
  if (r.absolutePass === false) why.push('absolute');
  return `**falls short** (${why.join(', ')})`;
}

function migrationLines(out) {
  const m = out.migrationUnderLoad;
  if (!m) {
    return [
      `No migration was pending on \`${out.big.name}\` when it was filled (${out.big.meta?.migratedBeforeFill} applied before the fill), so none ran under load.`,
    ];
  }
  const when = out.migrationMeasuredThisRun
    ? 'in this run'
    : `on ${m.at.slice(0, 16).replace('T', ' ')} UTC (the database was reused since)`;
  return [
    `Migrations applied to the filled \`${out.big.name}\` while a writer posted messages (one statement: the ticket's seq bumped, message and event inserted; sequential, 5 ms apart), measured ${when}: ${m.pending.map((t) => `\`${t}\``).join(', ')}.`,
    '',
    '| | writes | p50 ms | p99 ms | max ms |',
    '|---|---|---|---|---|',
    `| writer before the migration | ${m.baseline.writes} | ${ms(m.baseline.p50)} | ${ms(m.baseline.p99)} | ${ms(m.baseline.max)} |`,
    `| writer during the migration (${fmt(m.durationS)} s) | ${m.during.writes} | ${ms(m.during.p50)} | ${ms(m.during.p99)} | **${ms(m.during.max)}** |`,
    '',
    `Writer errors: ${m.errors}${m.firstError ? ` (first: ${m.firstError})` : ''}. The writer's rows are deleted and its tickets restored afterwards.`,
    ...(m.slowest?.length
      ? [
          '',
          'The slowest writes, each with the statement the migrator was running while it waited (pg_stat_activity, sampled every 100 ms):',
          '',
          ...m.slowest.map(
            (w) =>
              `- ${fmt(w.ms)} ms: ${w.heldBy ? `\`${w.heldBy.replaceAll('`', "'")}\`` : 'no migration statement seen'}`,
          ),
        ]
      : []),
  ];
}

/**
 * Why a path's cost grows with the data although its plan reads no table (said when it falls short, and for
 * the agents' reports always: their cost is bounded, but not by a page).
 */
const WHY = {
  'report-agents-year':
    'agent_stats_daily (0018) has a row per (day, agent): at 1M every day of the year has one for each of the 40 agents (14,640 rows, against 4,402 at 10k). Before 0022 the report summed the two 202-count histograms of all of them (p50 160 → 981 ms, 6.1×, in the run of 2026-12-04 20:46); since, it reads the whole months from agent_stats_monthly (0022) and only the days at the two ends from the daily rows: at most 12 + 62 rows per agent',
  'report-agents':
    'a 30-day range holds no whole month but rarely, so its days come from agent_stats_daily: 1,200 (day, agent) rows at 1M against 413 at 10k. Bounded by days × agents, not by tickets',
  'report-agents-csv': 'the agents report of 30 days, written as CSV (see report-agents)',
  'tag-rare':
    "the GIN index hands over the tag's tickets as a bitmap and the page is sorted from them: 1 ticket in 2000 is 5 tickets at 10k and 503 at 1M (all read, none of the other tickets). O(the tag's tickets), as the 60k plan test (tag-filter-plan) allows",
};

/** One line per path that falls short (and each explained one): the p50s and p95s, and why where known. */
function shortLines(out, big) {
  const listed = out.results.filter((r) => !r.pass || WHY[r.key]);
  if (listed.length === 0) return [];
  const fig = (r) =>
    `p50 ${fmt(r.small.p50)} → ${fmt(r.big.p50)} ms (${fmt(r.big.p50 / r.small.p50)}×), p95 ${fmt(r.small.p95)} → ${fmt(r.big.p95)} ms (${fmt(r.ratio)}×)`;
  const noise = (r) =>
    r.big.p50 / r.small.p50 <= r.target.ratio
      ? `the p50 ratio is within the target and no plan scans a big table${r.absolutePass === false && r.small.p95 > r.target.absoluteMs ? ', and 10k is over the absolute limit too' : ''}: the p95 of this run follows the shared machine's load`
      : 'not explained yet';
  return [
    `Short or bounded by more than a page, 10k → ${big}:`,
    '',
    ...listed.map(
      (r) =>
        `- \`${r.key}\` (${r.pass ? 'meets its target' : 'short'}): ${fig(r)}; ${WHY[r.key] ?? noise(r)}.`,
    ),
    '',
  ];
}

/** The big tables: a plan that scans one of them costs O(table). */
const BIG_TABLES = ['tickets', 'messages', 'events'];

/** The paths whose captured plans scan a big table, with the statement's time: none is the goal. */
function scanLines(plans, big) {
  const found = Object.entries(plans).flatMap(([key, p]) =>
    p.statements.flatMap((st) =>
      BIG_TABLES.filter((t) => new RegExp(`Seq Scan on ${t}\\b`).test(st.plan)).map(
        (t) => `\`${key}\`: Seq Scan on ${t} (${fmt(st.ms)} ms)`,
      ),
    ),
  );
  return found.length === 0
    ? `No plan at ${big} scans ${BIG_TABLES.join(', ')} (Seq Scan).`
    : `**Plans at ${big} that scan a big table**: ${found.join('; ')}.`;
}

/** Statements under this many ms (auth lookups, `select 1`) are listed by their text, without the plan. */
const PLAN_MS = 1;

function planLines(plans) {
  const lines = [];
  for (const [key, p] of Object.entries(plans)) {
    const shown = p.statements.filter((s) => s.ms >= PLAN_MS);
    const small = p.statements.filter((s) => s.ms < PLAN_MS);
    lines.push(
      `<details><summary><code>${key}</code>: ${p.statements.length} statement(s), ${p.http === false ? `call ${fmt(p.ms)} ms` : `request ${fmt(p.ms)} ms (HTTP ${p.status})`}</summary>`,
      '',
    );
    for (const s of shown) {
      lines.push(
        '```',
        `-- ${fmt(s.ms)} ms`,
        s.query.length > 1500 ? `${s.query.slice(0, 1500)} …` : s.query,
        '',
        ...s.plan.split('\n').slice(0, 120),
        '```',
        '',
      );
    }
    if (small.length > 0) {
      lines.push(
        `Under ${PLAN_MS} ms: ${small.map((s) => `\`${s.query.replace(/\s+/g, ' ').slice(0, 90).replaceAll('`', "'")}…\` (${fmt(s.ms)} ms)`).join('; ')}.`,
        '',
      );
    }
    lines.push('</details>', '');
  }
  return lines;
}

/** The machine's share in an absolute miss: paths whose 10k p95 is over the same limit as well. */
function loadNote(out, big) {
  const both = out.results.filter(
    (r) => r.absolutePass === false && r.ratioPass && r.small.p95 > r.target.absoluteMs,
  );
  const load = out.loadAvg
    ? ` Load average (1 min) of this 2-core machine: ${fmt(out.loadAvg[0])} when the timing began, ${fmt(out.loadAvg[1])} when it ended.`
    : '';
  if (both.length === 0) return load;
  return `${load} ${both.map((r) => r.key).join(', ')} ${both.length === 1 ? 'is' : 'are'} over ${both[0].target.absoluteMs} ms at 10k as well (p95 ${both.map((r) => fmt(r.small.p95)).join(', ')} ms) and within ${both.length === 1 ? 'its' : 'their'} ratio: the machine's background load, not the data size, puts ${big} over the absolute limit.`;
}

function statsLine(check, big) {
  if (!check) return '';
  const counts = (o) =>
    o
      ? Object.entries(o)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')
      : 'none';
  return check.match
    ? `Stats at ${big} agree with the tickets table (by status: ${counts(check.sql)}).`
    : `**Stats at ${big} disagree with the tickets table**: the API says ${counts(check.api)} (HTTP ${check.status}), the table holds ${counts(check.sql)}.`;
}

export function docLines(out, plans) {
  const b = out.big;
  const c = b.meta?.counts ?? {};
  const big = b.tickets >= 1_000_000 ? `${b.tickets / 1_000_000}M` : `${b.tickets / 1000}k`;
  const shortOnes = out.results.filter((r) => !r.pass);
  return [
    `## scale: read paths at 10k and ${big} tickets`,
    '',
    `Two databases filled by \`bench/scale/generate.mjs\` (SQL \`INSERT … SELECT\` over \`generate_series\`, not the API): ${size(out.small.tickets)} and ${size(b.tickets)} tickets over two years (${size(c.messages ?? 0)} messages at ${big}, ${size(c.notes ?? 0)} of them internal notes; ${size(c.events ?? 0)} events; ${size(c.users ?? 0)} users: one customer per ten tickets and 40 agents; ${size(c.ratings ?? 0)} ratings; read markers), Russian and English text in which a few words (оплата, заказ, payment) are in many messages and the rest in few; ~3% of tickets new/open/pending, 2% urgent. Once migrated, \`bench/scale/enrich.mjs\` adds the data of the later features (set-based SQL, triggers off, rollups rebuilt): tags on a third of the tickets (billing on 1 in 5, legal on 1 in 2000), SLA due times on the working tickets (a third past due) and breaches on 1 in 7 resolved ones, a shared phone on a third of the customers, an uploaded file on 1 message in 20, a forum topic per ticket, and the per-agent report's rollup. The ${big} database (${fmt((c.bytes ?? 0) / 2 ** 30)} GiB) was generated in ${fmt(b.meta?.generateS)} s${b.reused ? ` (on ${b.meta?.generatedAt?.slice(0, 10)}; reused by this run)` : ' in this run'}.`,
    '',
    `Each path is called through the built API (\`apps/api/dist\`, RATE_LIMIT_PER_MIN=0, LOG_LEVEL=warn, pool of 10) as an agent (the customer list as its heaviest customer), one request at a time (the bot's topic lookup calls the packages/db use-case directly, as the bot does): ${out.warmup} warm-up requests, then ${out.samples} samples alternating the 10k and the ${big} API so that both see the same background load (a path slower than the budget stops at fewer; n says how many). Statement timeout: ${out.statementTimeout}. Targets (issue #14): p95 at ${big} over p95 at 10k ≤ 2× for lists, filters, a ticket, its messages and a customer's list; ≤ 3× and ≤ 150 ms absolute for search; ≤ 3× for stats, reports and the export (whose range holds about as many tickets in both databases, so it compares pages, not range sizes). The p50 ratio is context, not a target: on this shared machine the p95 of 30 samples follows the background load more than the data size, the p50 less so.`,
    '',
    `- Machine: ${out.machine} (shared: other work runs beside the bench)`,
    `- Command: \`pnpm bench --only=scale${out.quick ? ' --quick' : ''}\` (= \`${out.command}\`), commit ${out.git ?? '?'}, ${out.at ?? new Date().toISOString()}; the run took ${fmt(out.durationS)} s`,
    '',
    `| request | p95 ratio ${big} / 10k | target | result | p50 ratio | ${big} p95 ms | ${big} p50 ms | 10k p95 ms | 10k p50 ms | n | rows ${big} / 10k |`,
    '|---|---|---|---|---|---|---|---|---|---|---|',
    ...out.results.map(
      (r) =>
        `| ${r.label} | **${fmt(r.ratio)}×** | ${targetText(r)} | ${verdict(r)} | ${fmt(r.big.p50 / r.small.p50)}× | ${ms(r.big.p95)} | ${ms(r.big.p50)} | ${ms(r.small.p95)} | ${ms(r.small.p50)} | ${r.big.n} | ${r.big.rows ?? '–'} / ${r.small.rows ?? '–'} |`,
    ),
    '',
    `${out.targetsMet} of ${out.results.length} paths meet their targets.${shortOnes.length ? ` Short: ${shortOnes.map((r) => r.key).join(', ')}.` : ''}${loadNote(out, big)}`,
    '',
    ...shortLines(out, big),
    statsLine(out.statsCheck, big),
    '',
    '### Migrations under load',
    '',
    ...migrationLines(out),
    '',
    `### Plans at ${big}`,
    '',
    `Every statement the API ran for one request of each path (after one warm-up request), as \`auto_explain\` wrote it (\`log_analyze\`, \`log_buffers\`, sent to the API's sessions as NOTICEs and captured by \`bench/scale/notice-hook.cjs\`). Parameters show as \`$n\`.`,
    '',
    scanLines(plans, big),
    '',
    ...planLines(plans),
  ];
}
