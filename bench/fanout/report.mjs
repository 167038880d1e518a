// Small helpers shared by the benchmarks (bench/fanout, bench/e2e, bench/idle, bench/api-read, bench/bot-inbound).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export function percentile(values, q) {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

export const median = (values) => percentile(values, 0.5);

/** The machine line every result carries. */
export function machineLine() {
  const cpus = os.cpus();
  return `${cpus.length}× ${cpus[0]?.model ?? '?'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}

/**
 * Runs every side once per round, in turn, so that all of them see the same background load; prints each
 * round. Returns each side's list of round results.
 */
export async function alternateRounds(rounds, sides) {
  const runs = Object.fromEntries(Object.keys(sides).map((name) => [name, []]));
  for (let r = 0; r < rounds; r++) {
    for (const [name, run] of Object.entries(sides)) runs[name].push(await run());
    console.log(
      `round ${r + 1}`,
      JSON.stringify(Object.fromEntries(Object.entries(runs).map(([k, v]) => [k, v.at(-1)]))),
    );
  }
  return runs;
}

/** The median over the rounds of one figure (`pick`) of a side's results. */
export const medianOver = (list, pick) => median(list.map(pick));

export function spread(values) {
  const fmt = (n) => (n >= 100 ? Math.round(n).toString() : n.toFixed(1));
  return `${fmt(Math.min(...values))}–${fmt(Math.max(...values))}`;
}

/** BENCH_NO_WRITE=1: print only (A/B runs of another build must not replace the recorded results). */
const noWrite = Boolean(process.env.BENCH_NO_WRITE);

export function writeResults(dir, results, file = 'results.json') {
  if (noWrite) return;
  fs.writeFileSync(
    path.join(dir, file),
    `${JSON.stringify({ ...results, at: new Date().toISOString() }, null, 2)}\n`,
  );
}

/**
 * Replaces this benchmark's section of docs/BENCHMARKS.md (between its `<!-- <section>:start/end -->` markers;
 * `section` is the scenario's one in scripts/bench/scenarios.mjs), creating the file if needed.
 */
export function updateBenchmarksDoc(root, section, lines) {
  if (noWrite) return;
  const file = path.join(root, 'docs/BENCHMARKS.md');
  const start = `<!-- ${section}:start -->`;
  const end = `<!-- ${section}:end -->`;
  let doc = fs.existsSync(file)
    ? fs.readFileSync(file, 'utf8')
    : '# Benchmarks\n\nEach scenario runs its reference in the same run and reports the ratio. Regenerate a section with its command.\n';
  const text = `${start}\n${lines.join('\n')}\n\n_Updated ${new Date().toISOString().slice(0, 10)}._\n${end}`;
  const from = doc.indexOf(start);
  const to = doc.indexOf(end);
  doc =
    from >= 0 && to > from
      ? doc.slice(0, from) + text + doc.slice(to + end.length)
      : `${doc.trimEnd()}\n\n${text}\n`;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, doc);
}
