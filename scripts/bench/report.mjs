// Writes bench/results.json and regenerates docs/BENCHMARKS.md: the run's summary table on top, then each
// scenario's own section (written by its run script between its markers) kept as it is, in scenario order.
import fs from 'node:fs';
import path from 'node:path';
import { fmt, withSpread } from './stats.mjs';

const SUMMARY = 'bench:summary';
const INTRO =
  'Every figure comes from `pnpm bench` (`scripts/bench.mjs`), which runs each scenario in `bench/` beside its reference in the same run. Regenerate with `pnpm bench` (full) or `pnpm bench --quick` (smaller loads, a few minutes; the scale scenario builds its databases on first use, which takes longer).';

function markers(name) {
  return [`<!-- ${name}:start -->`, `<!-- ${name}:end -->`];
}

/** Cuts the marked section out of the doc: [section or null, doc without it]. */
function cut(doc, name) {
  const [start, end] = markers(name);
  const from = doc.indexOf(start);
  const to = doc.indexOf(end);
  if (from < 0 || to < from) return [null, doc];
  return [doc.slice(from, to + end.length), doc.slice(0, from) + doc.slice(to + end.length)];
}

const result = (m) => (m.pass === null ? '' : m.pass ? 'pass' : '**falls short**');

function summaryTable(metrics) {
  const lines = [
    '| scenario | metric | system: median (min–max) | reference: median (min–max) | ratio | target | result |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const m of metrics) {
    const ref = m.reference === null ? '–' : `${withSpread(m.reference, m.referenceSpread)}`;
    const ratio = m.ratio === null ? '–' : `${fmt(m.ratio)}×`;
    const notes = [];
    if (m.noisy) notes.push('verdict varies by round: noise');
    if (m.stale) notes.push(`measured ${m.measuredAt?.slice(0, 16).replace('T', ' ')}`);
    const note = notes.length > 0 ? ` (${notes.join('; ')})` : '';
    lines.push(
      `| ${m.scenario} | ${m.metric} (${m.unit}) | ${withSpread(m.value, m.spread)} | ${ref} | ${ratio} | ${m.target} | ${result(m)}${note} |`,
    );
  }
  return lines;
}

function referencesList(metrics) {
  const seen = new Map();
  for (const m of metrics)
    if (m.referenceName && !seen.has(m.scenario)) seen.set(m.scenario, m.referenceName);
  return [...seen].map(([s, r]) => `- **${s}**: ${r}`);
}

export function renderSummary(run, metrics) {
  const passed = metrics.filter((m) => m.pass === true).length;
  const judged = metrics.filter((m) => m.pass !== null).length;
  const noisy = metrics.filter((m) => m.noisy);
  const lines = [
    `<!-- ${SUMMARY}:start -->`,
    '## Summary (`pnpm bench`)',
    '',
    `- Machine: ${run.machine}`,
    `- Command: \`${run.command}\``,
    `- Date: ${run.finishedAt} (run took ${Math.round(run.durationS)} s)`,
    `- Load average (1 min) at the start of each scenario: ${run.scenarios
      .filter((s) => s.status !== 'reused')
      .map((s) => `${s.name} ${s.loadAvg?.toFixed(1) ?? '–'}`)
      .join(
        ', ',
      )} — the machine is shared, so other work runs beside the benchmarks; every scenario alternates reference and system (3 rounds) so both see the same background, and medians are shown with their min–max over the rounds.`,
    '',
    ...summaryTable(metrics),
    '',
    `${passed} of ${judged} targets met.`,
  ];
  const failed = run.scenarios.filter((s) => s.status === 'failed');
  const reused = run.scenarios.filter((s) => s.status === 'reused');
  if (noisy.length > 0) {
    lines.push(
      '',
      `Noise dominates where the verdict changes from one alternated round to the next: ${noisy.map((m) => `${m.scenario} ${m.metric}`).join('; ')}.`,
    );
  }
  if (reused.length > 0) {
    lines.push(
      '',
      `Not measured in this run (figures from the scenario's last run, dated in the table): ${reused.map((s) => `${s.name} (${s.reason})`).join(', ')}.`,
    );
  }
  if (failed.length > 0) {
    lines.push('', `Failed in this run: ${failed.map((s) => `${s.name} (${s.reason})`).join(', ')}.`);
  }
  lines.push(
    '',
    'References (each measured in the same run as the system, except the Mini App budget, which is a fixed budget):',
    ...referencesList(metrics),
    '',
    "Raw figures: `bench/results.json` (one object per metric) and each scenario's `bench/<name>/results.json`. Details per scenario follow (each written by its own run script).",
    `<!-- ${SUMMARY}:end -->`,
  );
  return lines.join('\n');
}

export function writeReport(root, run, metrics, sections) {
  const rows = metrics.map((m) => ({
    scenario: m.scenario,
    metric: `${m.metric} (${m.unit})`,
    value: m.value,
    reference: m.reference,
    ratio: m.ratio,
    target: m.target,
    pass: m.pass,
    spread: m.spread,
    referenceSpread: m.referenceSpread,
    noisy: m.noisy,
    measuredAt: m.measuredAt,
  }));
  fs.writeFileSync(path.join(root, 'bench/results.json'), `${JSON.stringify(rows, null, 2)}\n`);

  const file = path.join(root, 'docs/BENCHMARKS.md');
  let rest = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  [, rest] = cut(rest, SUMMARY);
  const kept = [];
  for (const name of sections) {
    const [section, without] = cut(rest, name);
    rest = without;
    if (section) kept.push(section);
  }
  rest = rest
    .replace(/^# Benchmarks\s*/m, '')
    // The intro below is written anew: a copy left in the rest was appended again by every run.
    .split(INTRO)
    .join('')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  const doc = [
    '# Benchmarks',
    '',
    INTRO,
    '',
    renderSummary(run, metrics),
    '',
    ...kept.flatMap((s) => [s, '']),
    ...(rest ? [rest, ''] : []),
  ].join('\n');
  fs.writeFileSync(file, doc);
}
