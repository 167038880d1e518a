// bench/scale: every agent and customer read path through the built API at 10k tickets and at 1M (the same
// run, the two databases' APIs called in turn so that both see the same background load), p50/p95 each and
// the ratio of the p95s; then the plans (auto_explain, EXPLAIN ANALYZE BUFFERS) of each path at 1M.
// The databases come from generate.mjs (reused when complete); the big one is filled at migration
// 0005_events_data_objects and the later migrations are applied while a writer posts messages.
// Usage: `pnpm build && node bench/scale/run.mjs [--quick]` (--quick: 100k instead of 1M);
// SCALE_TICKETS=<n> sets the big database's size, SCALE_SAMPLES the samples per path (default 30), SCALE_ONLY
// the paths to time (comma-separated keys);
// --doc-only rewrites the doc section from the last results.json.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { machineLine, percentile, updateBenchmarksDoc, writeResults } from '../fanout/report.mjs';
import { apiHasStatementTimeout, EXPLAIN_OPTIONS, initDataFor, startApi, timedGet } from './api.mjs';
import { docLines } from './doc.mjs';
import { ENRICH_VERSION, enrich } from './enrich.mjs';
import {
  AGENT_BASE,
  CUSTOMER_BASE,
  databaseUrl,
  ensureScaleDatabase,
  ledger,
  migrationHashes,
  readMeta,
  recreate,
  requireRoot,
  root,
  runMigrations,
  withClient,
  writeMeta,
} from './generate.mjs';
import { migrateUnderLoad } from './migrate-under-load.mjs';
import { paths as allPaths, targets } from './paths.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
/** SCALE_ONLY=<key,key>: time only these paths (while debugging one; the doc then lists only them). */
const only = process.env.SCALE_ONLY?.split(',');
const paths = only ? allPaths.filter((p) => only.includes(p.key)) : allPaths;
const quick = process.argv.includes('--quick');
const SMALL = 10_000;
const BIG = Number(process.env.SCALE_TICKETS ?? (quick ? 100_000 : 1_000_000));
const SAMPLES = Number(process.env.SCALE_SAMPLES ?? 30);
const WARMUP = 3;
/** A path slower than this (both databases together) stops after MIN_SAMPLES; the table says how many. */
const PATH_BUDGET_MS = quick ? 20_000 : 90_000;
const MIN_SAMPLES = 5;
/** Where the API has no DATABASE_STATEMENT_TIMEOUT_MS yet, the bench sets this one on its sessions. */
const FALLBACK_STATEMENT_TIMEOUT_MS = 5000;
const UNTIL = '0005_events_data_objects';

const sizeLabel = (n) =>
  n % 1_000_000 === 0 ? `${n / 1_000_000}m` : n % 1000 === 0 ? `${n / 1000}k` : String(n);

const dayOf = (ms) => new Date(ms).toISOString().slice(0, 10);

/** What each database's callers and parameters are: the agent, the heaviest customer, ids, a name. */
async function contextOf(db, tickets) {
  return withClient(db.url, async (c) => {
    const files = await c.query('select min(id)::float8 as min, max(id)::float8 as max from attachments');
    const users = await c.query(
      'select id::float8 as id, first_name, last_name, username, language_code from users where id = any($1::bigint[])',
      [[AGENT_BASE + 1, CUSTOMER_BASE + 1, CUSTOMER_BASE + 7]],
    );
    const byId = new Map(users.rows.map((u) => [u.id, u]));
    const named = byId.get(CUSTOMER_BASE + 7);
    const ids = Array.from({ length: 97 }, (_, i) => 1 + (((i + 1) * 7919 * 104729) % tickets));
    return {
      agent: byId.get(AGENT_BASE + 1),
      customer: byId.get(CUSTOMER_BASE + 1),
      ids,
      category: 3,
      ticketNumber: Math.max(1, Math.round(tickets * 0.123456)),
      name: [named.first_name, named.last_name].filter(Boolean).join(' '),
      username: byId.get(CUSTOMER_BASE + 1).username,
      phone: '+7 900 002',
      customerId: CUSTOMER_BASE + 1,
      attachments: files.rows[0],
      year: { from: dayOf(Date.now() - 365 * 86_400_000), to: dayOf(Date.now()) },
    };
  });
}

/** The export's day: 200 days back, where both databases are past their newest, busiest weeks. */
const EXPORT_DAY = dayOf(Date.now() - 200 * 86_400_000);

/**
 * The export ranges: one day at the big database, and at the small one the days back from that day that hold
 * as many tickets (at least), so both exports write the same number of pages.
 */
async function exportRanges(sides) {
  const [small, big] = sides;
  const count = await withClient(big.db.url, async (c) => {
    const r = await c.query(
      'select count(*)::int as n from tickets where created_at >= $1::date and created_at < $1::date + 1',
      [EXPORT_DAY],
    );
    return r.rows[0].n;
  });
  big.ctx.exportRange = { from: EXPORT_DAY, to: EXPORT_DAY };
  const from = await withClient(small.db.url, async (c) => {
    const r = await c.query(
      `select to_char(created_at at time zone 'UTC', 'YYYY-MM-DD') as day from tickets where created_at < $1::date + 1
       order by created_at desc, id desc offset $2 limit 1`,
      [EXPORT_DAY, Math.max(0, count - 1)],
    );
    return r.rows[0]?.day ?? dayOf(Date.parse(EXPORT_DAY) - 365 * 86_400_000);
  });
  small.ctx.exportRange = { from, to: EXPORT_DAY };
  console.log(`export ranges: big ${EXPORT_DAY} (${count} tickets), small ${from}..${EXPORT_DAY}`);
}

/** The packages/db module (dist): the bot-side paths call its functions directly. */
const dbModule = () => requireRoot('@tikethet/db');

/** No events are published by the reads the bench calls; the use-cases want a bus all the same. */
const quietBus = { publish: async () => undefined, subscribe: () => () => undefined };

/** One call of a bot-side path (a use-case of packages/db, as the bot calls it), timed like an HTTP one. */
async function timedDb(client, p, ctx, i) {
  const { fn, args } = p.db(ctx, i);
  client.uc ??= dbModule().createUseCases({ db: client.db, bus: quietBus });
  const t0 = performance.now();
  try {
    const result = await client.uc[fn](...args);
    return { ms: performance.now() - t0, status: 200, text: JSON.stringify(result ?? null) };
  } catch (error) {
    return { ms: performance.now() - t0, status: 0, text: String(error) };
  }
}

/**
 * How many rows the last answer listed (items of a page or messages, a card's tickets, a report's agents, a
 * CSV's lines after the header), null for other answers.
 */
function rowsOf(sample) {
  try {
    const body = JSON.parse(sample.text);
    for (const key of ['items', 'tickets', 'agents']) if (Array.isArray(body?.[key])) return body[key].length;
    return null;
  } catch {
    return sample.status === 200 && sample.text.includes(',')
      ? sample.text.split('\n').filter(Boolean).length - 1
      : null;
  }
}

function summarize(samples) {
  const ok = samples.filter((s) => s.status === 200).map((s) => s.ms);
  const all = samples.map((s) => s.ms);
  const failed = samples.filter((s) => s.status !== 200);
  return {
    n: samples.length,
    p50: percentile(all, 0.5),
    p95: percentile(all, 0.95),
    max: Math.max(...all),
    okP95: ok.length ? percentile(ok, 0.95) : null,
    failures: failed.length,
    firstFailure: failed[0] ? `${failed[0].status} ${failed[0].text.slice(0, 200)}` : null,
    statuses: [...new Set(samples.map((s) => s.status))],
    rows: rowsOf(samples.at(-1)),
  };
}

/** Times every path, alternating the two databases sample by sample. */
async function timePaths(sides) {
  const results = [];
  for (const p of paths) {
    const call = (side, i) =>
      p.db
        ? timedDb(side.dbClient, p, side.ctx, i)
        : timedGet(
            side.api.base,
            p.url(side.ctx, i),
            p.as === 'customer' ? side.customerAuth : side.agentAuth,
          );
    for (let i = 0; i < WARMUP; i++) for (const side of sides) await call(side, i + 1000);
    const samples = sides.map(() => []);
    const t0 = Date.now();
    for (let i = 0; i < SAMPLES; i++) {
      for (const [k, side] of sides.entries()) samples[k].push(await call(side, i));
      if (i + 1 >= MIN_SAMPLES && Date.now() - t0 > PATH_BUDGET_MS) break;
    }
    const [small, big] = samples.map(summarize);
    const target = targets[p.group];
    const ratio = big.p95 / small.p95;
    const clean = small.failures === 0 && big.failures === 0;
    const ratioPass = clean && ratio <= target.ratio;
    const absolutePass = target.absoluteMs ? clean && big.p95 <= target.absoluteMs : null;
    results.push({
      key: p.key,
      label: p.label,
      group: p.group,
      small,
      big,
      ratio,
      target,
      pass: ratioPass && absolutePass !== false,
      ratioPass,
      absolutePass,
    });
    console.log(
      `${p.key.padEnd(18)} 10k p50 ${small.p50.toFixed(1)} p95 ${small.p95.toFixed(1)} | ${sizeLabel(BIG)} p50 ${big.p50.toFixed(1)} p95 ${big.p95.toFixed(1)} ms | ratio ${ratio.toFixed(2)} (≤ ${target.ratio}${target.absoluteMs ? `, ≤ ${target.absoluteMs} ms` : ''}) n=${big.n}${clean ? '' : ` FAILURES: 10k ${small.failures}, big ${big.failures} (${big.firstFailure ?? small.firstFailure})`} -> ${results.at(-1).pass ? 'pass' : 'FALLS SHORT'}`,
    );
  }
  return results;
}

/** Whether /stats counts the tickets by status as the table holds them (a rollup must agree with it). */
async function checkStats(side) {
  const res = await timedGet(side.api.base, '/api/v1/stats', side.agentAuth);
  const sql = await withClient(side.db.url, async (c) => {
    const r = await c.query('select status, count(*)::int as n from tickets group by status');
    return Object.fromEntries(r.rows.map((x) => [x.status, x.n]));
  });
  let api = null;
  try {
    const body = JSON.parse(res.text);
    api = Object.fromEntries(Object.keys(sql).map((k) => [k, body[k] ?? body.counts?.[k] ?? null]));
  } catch {}
  const match = api !== null && Object.keys(sql).every((k) => api[k] === sql[k]);
  console.log(`stats by status at the big database: api ${JSON.stringify(api)}, sql ${JSON.stringify(sql)}`);
  return { status: res.status, api, sql, match };
}

/** Parses auto_explain's NOTICE: "duration: 1.2 ms  plan:\nQuery Text: …\n<plan>". */
function parsePlan(text) {
  const m = /^duration: ([0-9.]+) ms\s+plan:\n([\s\S]*)$/.exec(text);
  if (!m) return null;
  const [, ms, rest] = m;
  const planStart = rest.search(/\n(?=\S)(?!Query Text)/);
  const query = rest.slice(0, planStart < 0 ? rest.length : planStart).replace(/^Query Text: /, '');
  const plan = planStart < 0 ? '' : rest.slice(planStart + 1);
  return { ms: Number(ms), query: query.trim(), plan: plan.trimEnd() };
}

/** One request per path against an API whose sessions run auto_explain; the statements each one ran. */
async function capturePlans(db, ctx) {
  const noticeFile = path.join(os.tmpdir(), `bench-scale-notices-${process.pid}.jsonl`);
  fs.writeFileSync(noticeFile, '');
  const api = await startApi(db.url, { label: 'explain', explain: { noticeFile } });
  const side = { api, ctx, agentAuth: initDataFor(ctx.agent), customerAuth: initDataFor(ctx.customer) };
  const dbClient = explainingDb(db.url, noticeFile);
  const plans = {};
  try {
    for (const p of paths) {
      const auth = p.as === 'customer' ? side.customerAuth : side.agentAuth;
      const call = (i) => (p.db ? timedDb(dbClient, p, ctx, i) : timedGet(api.base, p.url(ctx, i), auth));
      await call(1);
      await new Promise((r) => setTimeout(r, 20));
      const from = Date.now();
      const res = await call(2);
      await new Promise((r) => setTimeout(r, 50));
      const to = Date.now();
      const lines = fs.readFileSync(noticeFile, 'utf8').split('\n').filter(Boolean).map(JSON.parse);
      plans[p.key] = {
        http: !p.db,
        status: res.status,
        ms: res.ms,
        statements: lines
          .filter((l) => l.at >= from && l.at <= to)
          .map((l) => parsePlan(l.text))
          .filter((s) => s && !/published_at"? is null/.test(s.query)),
      };
    }
  } finally {
    await api.stop();
    await dbClient.close();
    fs.rmSync(noticeFile, { force: true });
  }
  return plans;
}

/** A packages/db client whose sessions run auto_explain and append its NOTICEs to `noticeFile` (as the API's). */
function explainingDb(url, noticeFile) {
  const before = process.env.PGOPTIONS;
  process.env.PGOPTIONS = EXPLAIN_OPTIONS;
  const client = dbModule().createDb(url, { max: 1, applicationName: 'bench-scale-explain' });
  client.db.$client.on('connect', (c) => {
    c.on('notice', (n) => {
      fs.appendFileSync(noticeFile, `${JSON.stringify({ at: Date.now(), text: n.message })}\n`);
    });
  });
  return {
    db: client.db,
    async close() {
      await client.close();
      if (before === undefined) delete process.env.PGOPTIONS;
      else process.env.PGOPTIONS = before;
    },
  };
}

/** Enriches a migrated database (enrich.mjs) unless its meta says this version already did. */
async function ensureEnriched(name, url, meta) {
  if (meta?.enriched === ENRICH_VERSION) return;
  console.log(`${name}: enriching (version ${ENRICH_VERSION})`);
  const enrichS = await enrich(url);
  await writeMeta(name, { enriched: ENRICH_VERSION, enrichS });
}

/**
 * The small database, filled at UNTIL like the big one, then fully migrated: rebuilt (seconds) when a
 * migration it applied has changed since, or one older than the newest applied appeared (the migrator would
 * never apply it).
 */
async function smallDatabase() {
  const name = `tikethet_scale_${sizeLabel(SMALL)}`;
  const hashes = migrationHashes();
  let db = await ensureScaleDatabase({ name, tickets: SMALL, until: UNTIL });
  const migratedFrom = db.meta.migrationFiles;
  const changed = migratedFrom && Object.entries(migratedFrom).some(([tag, hash]) => hashes[tag] !== hash);
  if (changed || (await ledger(db.url)).holes.length > 0) {
    db = await ensureScaleDatabase({ name, tickets: SMALL, until: UNTIL, force: true });
  }
  await runMigrations(db.url);
  await writeMeta(name, { migrationFiles: hashes });
  await ensureEnriched(name, db.url, await readMeta(name));
  return db;
}

/**
 * The big database: `<name>_filled` is generated at UNTIL and kept as a template; `<name>` is its file copy
 * with every later migration applied under write load. The copy is reused while the journal has nothing it
 * lacks, and made again (and the migrations measured again) when it does.
 */
async function bigDatabase() {
  const name = `tikethet_scale_${sizeLabel(BIG)}`;
  const filled = await ensureScaleDatabase({ name: `${name}_filled`, tickets: BIG, until: UNTIL });
  const url = databaseUrl(name);
  const meta = await readMeta(name).catch(() => null);
  const hashes = migrationHashes();
  const sameFiles = JSON.stringify(meta?.migrationFiles) === JSON.stringify(hashes);
  if (meta?.filledAt === filled.meta.generatedAt && sameFiles && (await ledger(url)).pending.length === 0) {
    console.log(`${name}: reusing (migrated ${meta.migratedAt})`);
    await ensureEnriched(name, url, meta);
    return { name, url, reused: filled.reused, measured: null };
  }
  const t0 = Date.now();
  await recreate(name, filled.name);
  console.log(`${name}: copied from ${filled.name} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const measured = await migrateUnderLoad(url);
  const { holes, pending } = await ledger(url);
  if (pending.length > 0) {
    throw new Error(
      `${name}: still pending after migrating: ${pending.join(', ')}${holes.length ? ' (older than an applied migration: the migrator skips them)' : ''}`,
    );
  }
  await writeMeta(name, {
    ...filled.meta,
    filledAt: filled.meta.generatedAt,
    migratedAt: new Date().toISOString(),
    migrationFiles: hashes,
    migrationUnderLoad: measured,
    enriched: null,
  });
  await ensureEnriched(name, url, null);
  return { name, url, reused: filled.reused, measured };
}

async function main() {
  const started = Date.now();
  const smallDb = await smallDatabase();
  const bigDb = await bigDatabase();
  const measured = bigDb.measured;
  const bigMeta = await readMeta(bigDb.name);
  const smallMeta = await readMeta(smallDb.name);
  const apiTimeout = apiHasStatementTimeout();
  const statementTimeoutMs = apiTimeout ? null : FALLBACK_STATEMENT_TIMEOUT_MS;
  const sides = [];
  try {
    for (const [db, tickets] of [
      [smallDb, SMALL],
      [bigDb, BIG],
    ]) {
      const ctx = await contextOf(db, tickets);
      const api = await startApi(db.url, { label: db.name, statementTimeoutMs });
      const side = {
        db,
        api,
        dbClient: dbModule().createDb(db.url, { max: 2, applicationName: 'bench-scale' }),
        ctx,
        agentAuth: initDataFor(ctx.agent),
        customerAuth: initDataFor(ctx.customer),
      };
      sides.push(side);
      const first = await timedGet(api.base, '/api/v1/tickets?limit=50', side.agentAuth);
      ctx.cursor = JSON.parse(first.text).nextCursor;
    }
    await exportRanges(sides);
    console.log(
      `timing ${paths.length} paths, ${SAMPLES} samples each after ${WARMUP} warm-up, 10k and ${sizeLabel(BIG)} in turn`,
    );
    const loadBefore = os.loadavg()[0];
    const results = await timePaths(sides);
    const loadAvg = [loadBefore, os.loadavg()[0]];
    const statsCheck = await checkStats(sides[1]);
    for (const s of sides) {
      await s.api.stop();
      await s.dbClient.close();
    }
    console.log(`capturing plans at ${sizeLabel(BIG)} (auto_explain)`);
    const plans = await capturePlans(bigDb, sides[1].ctx);
    const out = {
      machine: machineLine(),
      command: `node bench/scale/run.mjs${quick ? ' --quick' : ''}${process.env.SCALE_TICKETS ? ` (SCALE_TICKETS=${BIG})` : ''}`,
      quick,
      samples: SAMPLES,
      warmup: WARMUP,
      statementTimeout: apiTimeout
        ? "the API's DATABASE_STATEMENT_TIMEOUT_MS (default)"
        : `${FALLBACK_STATEMENT_TIMEOUT_MS} ms set by the bench (PGOPTIONS): this API has no DATABASE_STATEMENT_TIMEOUT_MS`,
      small: { name: smallDb.name, tickets: SMALL, meta: smallMeta },
      big: { name: bigDb.name, tickets: BIG, meta: bigMeta, reused: bigDb.reused },
      migrationUnderLoad: bigMeta.migrationUnderLoad ?? null,
      migrationMeasuredThisRun: Boolean(measured),
      loadAvg,
      statsCheck,
      results,
      targetsMet: results.filter((r) => r.pass).length,
      durationS: (Date.now() - started) / 1000,
      git: gitHead(),
    };
    writeResults(here, { ...out, plans });
    updateBenchmarksDoc(root, 'bench:scale', docLines(out, plans));
    console.log(`${out.targetsMet} of ${results.length} paths meet their targets`);
  } finally {
    for (const s of sides) {
      await s.api.stop();
      await s.dbClient.close().catch(() => undefined);
    }
  }
}

function gitHead() {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
}

/** `--doc-only`: rewrites the doc section from the last results.json (no measuring). */
function docOnly() {
  const { plans, ...out } = JSON.parse(fs.readFileSync(path.join(here, 'results.json'), 'utf8'));
  updateBenchmarksDoc(root, 'bench:scale', docLines(out, plans ?? {}));
}

(process.argv.includes('--doc-only') ? Promise.resolve().then(docOnly) : main()).catch((error) => {
  console.error(error);
  process.exit(1);
});
