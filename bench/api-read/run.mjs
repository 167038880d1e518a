// bench/api-read: GET /api/v1/tickets/:id and GET /api/v1/tickets?limit=50 over 10,000 seeded tickets, the
// built API (auth, validation, use-cases, logging at warn) against reference.mjs (the same SQL on raw pg),
// alternating reference and system. Usage: `pnpm build && node bench/api-read/run.mjs [--quick]`.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { machineLine, median, updateBenchmarksDoc, writeResults } from '../fanout/report.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
/** Apps and packages by their package names, as the root package depends on them. */
const requireRoot = createRequire(path.join(root, 'package.json'));
const requireApi = createRequire(path.join(root, 'apps/api/package.json'));
const autocannon = requireApi('autocannon');
const pg = createRequire(path.join(root, 'packages/db/package.json'))('pg');
const { runMigrations } = requireApi('@tikethet/db');
const { signInitDataFields } = requireApi('@tikethet/auth');
const { createTestDatabase, freePort } = requireApi('@tikethet/testkit');

const quick = process.argv.includes('--quick');
const DURATION_S = quick ? 4 : 10;
const ROUNDS = 3;
const CONNECTIONS = 16;
const TICKETS = 10_000;
const AGENT_ID = 300_001;
const TOKEN = `123456789:${randomBytes(27).toString('base64url').slice(0, 35)}`;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

const cpuText = (c) =>
  c ? ` cpu/req ${c.userMsPerRequest.toFixed(3)} user + ${c.systemMsPerRequest.toFixed(3)} sys ms` : '';
const fmt = (n) => (n >= 100 ? String(Math.round(n)) : n.toFixed(2));

async function seed(url) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  await c.query(`insert into users (id, first_name, username, language_code, role)
    select 200000 + g, 'Клиент ' || g, 'c' || g, 'ru', 'customer' from generate_series(1, 1000) g`);
  await c.query(`insert into users (id, first_name, username, language_code, role) values
    (${AGENT_ID}, 'Олег', 'agent1', 'ru', 'agent'), (300002, 'Мария', 'agent2', 'ru', 'agent')`);
  await c.query(`insert into tickets (customer_id, subject, status, priority, assignee_id, last_seq, created_at,
      updated_at, last_message_at, last_message_preview, rating, search)
    select 200001 + (g % 1000), 'Заявка ' || g || ': не проходит оплата картой',
      (array['new','open','pending','resolved','closed'])[g % 5 + 1], (array['low','normal','high','urgent'])[g % 4 + 1],
      case when g % 3 = 0 then ${AGENT_ID} when g % 3 = 1 then 300002 else null end, 2,
      now() - make_interval(mins => g), now() - make_interval(mins => g), now() - make_interval(secs => g),
      'Карта не проходит ' || g, case when g % 5 = 4 then g % 5 + 1 else null end,
      to_tsvector('russian', 'Заявка ' || g || ' не проходит оплата картой')
    from generate_series(1, ${TICKETS}) g`);
  await c.query(`insert into messages (ticket_id, seq, kind, author_id, body)
    select id, 1, 'customer', customer_id, 'Карта не проходит, помогите' from tickets`);
  await c.query(`insert into messages (ticket_id, seq, kind, author_id, body)
    select id, 2, 'agent', ${AGENT_ID}, 'Проверяем' from tickets`);
  await c.query(`insert into ticket_reads (ticket_id, user_id, last_read_seq)
    select id, ${AGENT_ID}, 1 from tickets where id % 2 = 0`);
  await c.query('analyze');
  await c.end();
}

/**
 * The seeded tickets are hours old, so the open ones' SLA timers are all due at once: the API's job worker
 * fires thousands of breach alerts (ticket updates, events) as it starts, work the reference never does.
 * Measured from a steady state: wait until no job is due any more.
 */
async function drainJobQueue(url) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const started = Date.now();
    for (;;) {
      const { rows } = await c.query(
        'select count(*)::int as n from graphile_worker._private_jobs where run_at <= now() and attempts < max_attempts',
      );
      const due = rows[0]?.n ?? 0;
      if (due === 0) break;
      if (Date.now() - started > 300_000) throw new Error(`${due} jobs still due after 5 minutes`);
      await new Promise((r) => setTimeout(r, 1000));
    }
    console.log(`job queue drained in ${Math.round((Date.now() - started) / 1000)} s`);
  } finally {
    await c.end();
  }
}

function start(label, args, env, port) {
  const child = spawn(process.execPath, args, {
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (c) => {
    err = (err + c).slice(-2000);
  });
  const ready = (async () => {
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`${label} exited: ${err}`);
      try {
        if ((await fetch(`http://127.0.0.1:${port}/readyz`)).ok) return;
      } catch {}
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`${label} not ready: ${err}`);
  })();
  return { child, ready, base: `http://127.0.0.1:${port}` };
}

function drive(base, scenario, headers, duration) {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: base,
        connections: CONNECTIONS,
        duration,
        headers,
        requests: [
          {
            method: 'GET',
            setupRequest: (req) => ({
              ...req,
              path:
                scenario === 'byId'
                  ? `/api/v1/tickets/${1 + Math.floor(Math.random() * TICKETS)}`
                  : '/api/v1/tickets?limit=50',
            }),
          },
        ],
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
  });
}

/** CPU seconds (user, system) the process has used so far; null where /proc is missing. */
function cpuOf(pid) {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return { user: Number(fields[11]) / 100, system: Number(fields[12]) / 100 };
  } catch {
    return null;
  }
}

async function measure(target, scenario) {
  const before = cpuOf(target.pid);
  const r = await drive(target.base, scenario, target.headers, DURATION_S);
  const after = cpuOf(target.pid);
  if (r.non2xx > 0 || r.errors > 0)
    throw new Error(`${target.label} ${scenario}: ${r.non2xx} non-2xx, ${r.errors} errors`);
  const count = r.requests.total || 1;
  // Server CPU per request (user + system), the figure the ratio comes down to on a shared 2-core machine.
  const cpu =
    before && after
      ? {
          userMsPerRequest: ((after.user - before.user) * 1000) / count,
          systemMsPerRequest: ((after.system - before.system) * 1000) / count,
        }
      : null;
  return { rps: r.requests.average, p99: r.latency.p99, p50: r.latency.p50, cpu };
}

async function main() {
  const db = await createTestDatabase('bench_api_read');
  const children = [];
  try {
    await runMigrations(db.url);
    console.log(`seeding ${TICKETS} tickets…`);
    await seed(db.url);
    const [apiPort, refPort] = [await freePort(), await freePort()];
    const common = { DATABASE_URL: db.url, DATABASE_POOL_SIZE: '10', NODE_ENV: 'production' };
    const profile = process.env.BENCH_PROFILE
      ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`]
      : [];
    const api = start(
      'api',
      [...profile, requireRoot.resolve('@tikethet/api')],
      {
        ...common,
        REDIS_URL,
        TELEGRAM_BOT_TOKEN: TOKEN,
        API_PORT: String(apiPort),
        RATE_LIMIT_PER_MIN: '0',
        LOG_LEVEL: 'warn',
      },
      apiPort,
    );
    const ref = start(
      'reference',
      [path.join(here, 'reference.mjs')],
      { ...common, PORT: String(refPort), BENCH_AGENT_ID: String(AGENT_ID) },
      refPort,
    );
    children.push(api.child, ref.child);
    await Promise.all([api.ready, ref.ready]);
    await drainJobQueue(db.url);
    const initData = signInitDataFields(
      {
        auth_date: String(Math.floor(Date.now() / 1000)),
        user: JSON.stringify({ id: AGENT_ID, first_name: 'Олег', username: 'agent1', language_code: 'ru' }),
      },
      TOKEN,
    );
    const targets = {
      reference: { label: 'reference', base: ref.base, headers: {}, pid: ref.child.pid },
      system: {
        label: 'api',
        base: api.base,
        headers: { authorization: `tma ${initData}` },
        pid: api.child.pid,
      },
    };
    const results = {};
    const scenarios = (process.env.BENCH_SCENARIOS ?? 'byId,list').split(',');
    for (const scenario of scenarios) {
      // Warm-up: JIT, pools, caches.
      for (const t of Object.values(targets)) await drive(t.base, scenario, t.headers, 2);
      const rounds = [];
      for (let i = 0; i < ROUNDS; i++) {
        const reference = await measure(targets.reference, scenario);
        const system = await measure(targets.system, scenario);
        rounds.push({ reference, system });
        console.log(
          `${scenario} round ${i + 1}: reference ${fmt(reference.rps)} rps p99 ${reference.p99} ms${cpuText(reference.cpu)} | api ${fmt(system.rps)} rps p99 ${system.p99} ms${cpuText(system.cpu)}`,
        );
      }
      const med = (who, k) => median(rounds.map((r) => r[who][k]));
      const spread = (who, k) => [
        Math.min(...rounds.map((r) => r[who][k])),
        Math.max(...rounds.map((r) => r[who][k])),
      ];
      const rpsRatio = med('system', 'rps') / med('reference', 'rps');
      const p99Ratio = med('system', 'p99') / Math.max(1, med('reference', 'p99'));
      results[scenario] = {
        path:
          scenario === 'byId' ? 'GET /api/v1/tickets/:id (random of 10,000)' : 'GET /api/v1/tickets?limit=50',
        rounds,
        reference: {
          rps: med('reference', 'rps'),
          p99: med('reference', 'p99'),
          rpsSpread: spread('reference', 'rps'),
          p99Spread: spread('reference', 'p99'),
        },
        system: {
          rps: med('system', 'rps'),
          p99: med('system', 'p99'),
          rpsSpread: spread('system', 'rps'),
          p99Spread: spread('system', 'p99'),
        },
        rpsRatio,
        p99Ratio,
        pass: rpsRatio >= 0.9 && p99Ratio <= 1.3,
      };
    }
    const command = `node bench/api-read/run.mjs${quick ? ' --quick' : ''}`;
    const out = {
      machine: machineLine(),
      command,
      durationS: DURATION_S,
      rounds: ROUNDS,
      connections: CONNECTIONS,
      tickets: TICKETS,
      target: { rpsRatio: '>= 0.9', p99Ratio: '<= 1.3' },
      results,
      at: new Date().toISOString(),
    };
    if (process.env.BENCH_PROFILE) {
      console.log(
        await (await fetch(`${api.base}/metrics`)).text().then((t) =>
          t
            .split('\n')
            .filter((l) => l.startsWith('api_auth'))
            .join('\n'),
        ),
      );
      return;
    }
    writeResults(here, out);
    updateBenchmarksDoc(root, 'api-read', docLines(out));
    for (const [k, r] of Object.entries(results)) {
      console.log(
        `${k}: rps ratio ${r.rpsRatio.toFixed(3)}, p99 ratio ${r.p99Ratio.toFixed(3)} -> ${r.pass ? 'PASS' : 'falls short'}`,
      );
    }
  } finally {
    for (const c of children) c.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 1500));
    await db.drop().catch(() => undefined);
  }
}

function docLines(out) {
  const row = (r) =>
    `| ${r.path} | ${fmt(r.reference.rps)} (${r.reference.rpsSpread.map(fmt).join('–')}) | ${fmt(r.system.rps)} (${r.system.rpsSpread.map(fmt).join('–')}) | **${r.rpsRatio.toFixed(2)}** | ${r.reference.p99} (${r.reference.p99Spread.join('–')}) | ${r.system.p99} (${r.system.p99Spread.join('–')}) | **${r.p99Ratio.toFixed(2)}** | ${r.pass ? 'pass' : 'falls short'} |`;
  return [
    '## api-read: ticket reads through the API vs the same SQL on raw pg',
    '',
    `${out.tickets.toLocaleString('en')} seeded tickets (20,000 messages), ${out.connections} autocannon connections, ${out.durationS} s per measurement, reference and API alternated ${out.rounds} times (medians, spread min–max). The API is the built \`apps/api\` process (initData validation, profile cache, strict query validation, use-cases via drizzle, helmet/CORS/request id/pino-http at LOG_LEVEL=warn, metrics; RATE_LIMIT_PER_MIN=0), called as an agent; the reference is \`bench/api-read/reference.mjs\`: bare Express running the same SQL on raw pg, no auth. Both use a pool of 10 on the same PostgreSQL. Target: ≥ 0.9× reference throughput and p99 ≤ 1.3×.`,
    '',
    '| route | reference rps | API rps | rps ratio | reference p99 ms | API p99 ms | p99 ratio | result |',
    '|---|---|---|---|---|---|---|---|',
    ...Object.values(out.results).map(row),
    '',
    `Machine: ${out.machine}. Command: \`pnpm build && ${out.command}\`, ${out.at}.`,
  ];
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
