#!/usr/bin/env node
// `pnpm bench [--quick] [--only=a,b] [--skip=a,b] [--browser | --no-browser]`
//
// Runs every scenario in bench/ one after the other (each measures the system beside its reference, alternating
// them 3 times), then writes bench/results.json (one object per metric) and docs/BENCHMARKS.md from the
// scenarios' own results.json files. Needs the built workspace (the root script builds first), PostgreSQL and
// Redis. --quick passes --quick to every scenario (smaller loads; the whole run stays under 3 minutes) and reuses
// the Mini App budget from its last browser run unless --browser is given. Exit status: non-zero when a scenario
// failed to run; falling short of a target is reported, not an error.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { adapters, measuredAt } from './bench/adapters.mjs';
import { writeReport } from './bench/report.mjs';
import { scenarios } from './bench/scenarios.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function parseArgs(argv) {
  const args = argv.filter((a) => a !== '--');
  const list = (name) =>
    args
      .filter((a) => a.startsWith(`--${name}=`))
      .flatMap((a) => a.slice(name.length + 3).split(','))
      .filter(Boolean);
  const known = new Set(scenarios.map((s) => s.name));
  const only = list('only');
  const skip = list('skip');
  for (const n of [...only, ...skip]) {
    if (!known.has(n)) throw new Error(`unknown scenario "${n}" (known: ${[...known].join(', ')})`);
  }
  for (const a of args) {
    if (!/^--(quick|browser|no-browser|help|only=.*|skip=.*)$/.test(a))
      throw new Error(`unknown option ${a}`);
  }
  const quick = args.includes('--quick');
  return {
    quick,
    help: args.includes('--help'),
    only,
    skip,
    browser: args.includes('--browser') ? true : args.includes('--no-browser') ? false : !quick,
  };
}

function run(command, label) {
  return new Promise((resolve) => {
    const child = spawn(command[0], command.slice(1), { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    const relay = (stream, out) => {
      let partial = '';
      stream.on('data', (chunk) => {
        tail = (tail + chunk).slice(-1500);
        const lines = (partial + chunk).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) out.write(`[${label}] ${line}\n`);
      });
      stream.on('end', () => partial && out.write(`[${label}] ${partial}\n`));
    };
    relay(child.stdout, process.stdout);
    relay(child.stderr, process.stderr);
    child.on('error', (error) => resolve({ code: -1, tail: String(error) }));
    child.on('close', (code) => resolve({ code, tail }));
  });
}

function readResults(name) {
  const file = path.join(root, 'bench', name, 'results.json');
  return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : null;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.help) {
    process.stdout.write(`${fs.readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\nimport')[0]}\n`);
    return 0;
  }
  const started = Date.now();
  const selected = scenarios.filter(
    (s) => (opts.only.length === 0 || opts.only.includes(s.name)) && !opts.skip.includes(s.name),
  );
  const done = [];
  const metrics = [];
  for (const s of scenarios) {
    const entry = { name: s.name, loadAvg: os.loadavg()[0], status: 'ran', reason: '' };
    const t0 = Date.now();
    if (!selected.includes(s)) {
      Object.assign(entry, { status: 'reused', reason: 'not selected' });
    } else if (s.browser && !opts.browser) {
      Object.assign(entry, { status: 'reused', reason: 'browser scenario; pass --browser to measure it' });
    } else {
      process.stdout.write(`\n== ${s.name} (load average ${entry.loadAvg.toFixed(1)}) ==\n`);
      const command = [...s.command, ...(opts.quick && !s.noQuickFlag ? ['--quick'] : [])];
      const { code, tail } = await run(command, s.name);
      if (code !== 0) {
        Object.assign(entry, { status: 'failed', reason: `exit ${code}: ${tail.trim().split('\n').at(-1)}` });
      }
    }
    entry.durationS = (Date.now() - t0) / 1000;
    const results = readResults(s.name);
    if (results) {
      const at = measuredAt(results);
      const stale = entry.status !== 'ran' || (at !== null && Date.parse(at) < t0);
      if (entry.status === 'ran' && stale) {
        Object.assign(entry, { status: 'failed', reason: 'results.json was not rewritten' });
      }
      for (const m of adapters[s.name](results)) metrics.push({ ...m, measuredAt: at, stale });
    } else if (entry.status === 'ran') {
      Object.assign(entry, { status: 'failed', reason: 'no results.json' });
    }
    done.push(entry);
    process.stdout.write(`== ${s.name}: ${entry.status} in ${entry.durationS.toFixed(0)} s ==\n`);
  }
  const cpus = os.cpus();
  const runInfo = {
    machine: `${cpus.length} × ${cpus[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.type()} ${os.release()}, Node ${process.version}`,
    command: `pnpm bench${process.argv
      .slice(2)
      .filter((a) => a !== '--')
      .map((a) => ` ${a}`)
      .join('')}`,
    finishedAt: new Date().toISOString(),
    durationS: (Date.now() - started) / 1000,
    scenarios: done,
  };
  writeReport(
    root,
    runInfo,
    metrics,
    scenarios.map((s) => s.section),
  );
  const width = Math.max(...metrics.map((m) => `${m.scenario} ${m.metric}`.length));
  process.stdout.write('\n');
  for (const m of metrics) {
    const verdict = m.pass === null ? '' : m.pass ? 'pass' : 'FALLS SHORT';
    process.stdout.write(
      `${`${m.scenario} ${m.metric}`.padEnd(width)}  ${String(Number(m.value?.toFixed?.(2) ?? m.value)).padStart(9)} ${m.unit.padEnd(9)} ratio ${m.ratio === null ? '   –' : m.ratio.toFixed(3)}  ${m.target.padEnd(8)} ${verdict}${m.noisy ? ' (noisy)' : ''}${m.stale ? ` (reused ${m.measuredAt})` : ''}\n`,
    );
  }
  process.stdout.write(
    `\nwrote bench/results.json and docs/BENCHMARKS.md in ${runInfo.durationS.toFixed(0)} s\n`,
  );
  return done.some((d) => d.status === 'failed') ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    const usage = error instanceof Error && /^unknown (option|scenario)/.test(error.message);
    process.stderr.write(`${usage ? `bench: ${error.message} (see --help)` : (error.stack ?? error)}\n`);
    process.exit(2);
  },
);
