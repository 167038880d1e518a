// idle: N authenticated idle sockets on a gateway process vs N sockets on a bare ws server. RSS per connection
// after GC (server side) and sockets dropped while idle (through server pings). Alternating rounds.
// Usage: node bench/idle/run.mjs [--quick]   (after `pnpm build`; needs ulimit -n > N + slack in both processes)
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  alternateRounds,
  machineLine,
  median,
  spread,
  updateBenchmarksDoc,
  writeResults,
} from '../fanout/report.mjs';

const quick = process.argv.includes('--quick');
const N = quick ? 2000 : 10_000;
const IDLE_MS = quick ? 3000 : 25_000;
const PING_MS = quick ? 1000 : 10_000;
const argValue = (name) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
// Development only: `--rounds=1 --sides=gateway,bare` measures less and writes no results.
const ROUNDS = Number(argValue('rounds') ?? 3);
const SIDES = (argValue('sides') ?? 'gateway,bare,bareNoPing').split(',');
const partial = ROUNDS !== 3 || SIDES.length !== 3;
const USERS = 200;
const root = path.resolve(import.meta.dirname, '../..');
/** Apps and packages by their package names, as the root package depends on them. */
const requireRoot = createRequire(path.join(root, 'package.json'));
const req = createRequire(path.join(root, 'apps/gateway/package.json'));
const WebSocket = req('ws');
const { createDb, createUseCases, runMigrations } = req('@tikethet/db');
const { createMemoryBus } = req('@tikethet/bus');
const testkit = req('@tikethet/testkit');

function startServer(script, env) {
  const child = spawn(
    process.execPath,
    [
      ...(process.env.IDLE_NODE_FLAGS?.split(' ').filter(Boolean) ?? []),
      '--expose-gc',
      '-r',
      path.join(import.meta.dirname, 'gc-preload.cjs'),
      script,
    ],
    {
      env: {
        PATH: process.env.PATH,
        ...(process.env.IDLE_DIAG ? { IDLE_DIAG: process.env.IDLE_DIAG } : {}),
        ...env,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let buffer = '';
  const rssWaiters = [];
  child.stdout.on('data', (d) => {
    buffer += d;
    for (;;) {
      const m = /mem (\{.*\})\nrss (\d+)\n/.exec(buffer);
      if (!m) break;
      buffer = buffer.slice(m.index + m[0].length);
      rssWaiters.shift()?.({ ...JSON.parse(m[1]), rss: Number(m[2]) });
    }
  });
  return {
    child,
    rss: () =>
      new Promise((resolve) => {
        rssWaiters.push(resolve);
        child.kill('SIGUSR2');
      }),
  };
}

async function waitHttp(url) {
  for (let i = 0; i < 300; i++) {
    try {
      await fetch(url);
      return;
    } catch {}
    await sleep(50);
  }
  throw new Error(`no answer from ${url}`);
}

async function connectAll(url, count, initData) {
  const sockets = [];
  let drops = 0;
  for (let start = 0; start < count; start += 500) {
    const batch = Array.from(
      { length: Math.min(500, count - start) },
      (_, k) =>
        new Promise((resolve, reject) => {
          const ws = new WebSocket(url, { perMessageDeflate: false });
          let ready = false;
          ws.on('error', reject);
          ws.on('close', () => {
            if (ready) drops += 1;
          });
          ws.on('open', () => {
            if (!initData) {
              ready = true;
              return resolve(ws);
            }
            ws.send(JSON.stringify({ type: 'hello', initData: initData[(start + k) % initData.length] }));
          });
          ws.on('message', (data) => {
            if (!ready && JSON.parse(data).type === 'ready') {
              ready = true;
              resolve(ws);
            }
          });
        }),
    );
    sockets.push(...(await Promise.all(batch)));
  }
  return { sockets, drops: () => drops };
}

async function round(kind, ctx) {
  const port = await testkit.freePort();
  const server =
    kind === 'gateway'
      ? startServer(requireRoot.resolve('@tikethet/gateway'), {
          DATABASE_URL: ctx.dbUrl,
          TELEGRAM_BOT_TOKEN: testkit.TEST_BOT_TOKEN,
          GATEWAY_PORT: String(port),
          LOG_LEVEL: 'warn',
          NODE_ENV: 'production',
          PING_INTERVAL_MS: String(PING_MS),
          // N sockets of USERS users, all from 127.0.0.1: past the per-user and per-address caps.
          MAX_SOCKETS_PER_USER: '100000',
          MAX_SOCKETS_PER_IP: '100000',
        })
      : startServer(path.join(import.meta.dirname, 'bare-server.cjs'), {
          PORT: String(port),
          ...(kind === 'bare' ? { PING_MS: String(PING_MS) } : {}),
        });
  await waitHttp(`http://127.0.0.1:${port}/healthz`);
  await sleep(300);
  const before = await server.rss();
  const { sockets, drops } = await connectAll(
    kind === 'gateway' ? `ws://127.0.0.1:${port}/ws` : `ws://127.0.0.1:${port}`,
    N,
    kind === 'gateway' ? ctx.initData : null,
  );
  await sleep(IDLE_MS);
  const after = await server.rss();
  const result = {
    bytesPerConnection: (after.rss - before.rss) / N,
    drops: drops(),
    rssBefore: before.rss,
    rssAfter: after.rss,
    // Where the RSS went: live JS objects, resident V8 heap (live + fragmentation + young generation), and the
    // young generation alone (empty after GC; its resident pages are a bounded pool, not per socket).
    liveHeapPerConnection: (after.heapUsed - before.heapUsed) / N,
    residentHeapPerConnection: (after.heapPhysical - before.heapPhysical) / N,
    youngGenResidentBefore: before.newSpace,
    youngGenResidentAfter: after.newSpace,
    bytesPerConnectionExYoungGen: (after.rss - after.newSpace - (before.rss - before.newSpace)) / N,
  };
  for (const ws of sockets) ws.terminate();
  server.child.kill('SIGTERM');
  await sleep(500);
  return result;
}

async function main() {
  const database = await testkit.createTestDatabase('bench_idle');
  await runMigrations(database.url);
  const db = createDb(database.url, { max: 5 });
  const uc = createUseCases({ db: db.db, bus: createMemoryBus() });
  const initData = [];
  for (let u = 0; u < USERS; u++) {
    const id = 8_300_000_000 + u;
    await uc.upsertUser({ id, first_name: `User${u}` });
    initData.push(
      testkit.signInitData({ botToken: testkit.TEST_BOT_TOKEN, user: { id, first_name: `User${u}` } }),
    );
  }
  await db.close();
  const ctx = { dbUrl: database.url, initData };
  // bare: ws pinging at the gateway's interval (like for like: the gateway must ping); bareNoPing: ws holding
  // sockets with no traffic at all (the reference of the first results), reported alongside.
  const runs = {
    gateway: [],
    bare: [],
    bareNoPing: [],
    ...(await alternateRounds(
      ROUNDS,
      Object.fromEntries(SIDES.map((side) => [side, () => round(side, ctx)])),
    )),
  };
  await database.drop();
  if (partial) {
    console.log(JSON.stringify(runs, null, 2));
    process.exit(0);
  }
  const medOf = (side, key) => median(runs[side].map((x) => x[key]));
  const med = (side) => medOf(side, 'bytesPerConnection');
  const ratio = med('gateway') / med('bare');
  const drops = runs.gateway.reduce((s, x) => s + x.drops, 0);
  const results = {
    name: 'idle',
    quick,
    sockets: N,
    idleMs: IDLE_MS,
    pingIntervalMs: PING_MS,
    rounds: ROUNDS,
    machine: machineLine(),
    runs,
    gateway: { bytesPerConnection: med('gateway'), drops },
    bare: { bytesPerConnection: med('bare'), drops: runs.bare.reduce((s, x) => s + x.drops, 0) },
    bareNoPing: {
      bytesPerConnection: med('bareNoPing'),
      drops: runs.bareNoPing.reduce((s, x) => s + x.drops, 0),
    },
    ratio,
    liveHeap: {
      gateway: medOf('gateway', 'liveHeapPerConnection'),
      bare: medOf('bare', 'liveHeapPerConnection'),
      ratio: medOf('gateway', 'liveHeapPerConnection') / medOf('bare', 'liveHeapPerConnection'),
    },
    exYoungGen: {
      gateway: medOf('gateway', 'bytesPerConnectionExYoungGen'),
      bare: medOf('bare', 'bytesPerConnectionExYoungGen'),
      ratio: medOf('gateway', 'bytesPerConnectionExYoungGen') / medOf('bare', 'bytesPerConnectionExYoungGen'),
    },
    ratioNoPing: med('gateway') / med('bareNoPing'),
    measures: {
      gateway:
        'server RSS growth per authenticated socket after a forced GC; server pings every pingIntervalMs',
      bare: 'bare ws server, same sockets, pinging every pingIntervalMs (the ratio uses this reference)',
      bareNoPing: 'bare ws server, no pings and no traffic (first reference; ratioNoPing)',
    },
    targets: { ratio: '≤ 2×', drops: 0 },
    // The target row is `ratio`; the other two comparisons are reported with their own verdict, as the reference's
    // young generation is resident in some rounds and not in others (see the doc section).
    pass: {
      ratio: ratio <= 2,
      drops: drops === 0,
      exYoungGen:
        medOf('gateway', 'bytesPerConnectionExYoungGen') / medOf('bare', 'bytesPerConnectionExYoungGen') <= 2,
      noPing: med('gateway') / med('bareNoPing') <= 2,
    },
  };
  writeResults(import.meta.dirname, results);
  const kb = (n) => (n / 1024).toFixed(1);
  updateBenchmarksDoc(root, 'bench:idle', [
    '## idle',
    '',
    `${N} authenticated idle sockets (hello done, ${USERS} users) on one gateway process vs ${N} sockets on a bare \`ws\``,
    `server; server RSS growth per connection after a forced GC, and sockets dropped during ${IDLE_MS / 1000} s idle with`,
    `server pings every ${PING_MS / 1000} s. The reference pings at the same interval (the gateway must; pongs are reads and`,
    'pings writes on every socket); the silent bare server of the first results is shown too. ' +
      `${ROUNDS} alternating rounds; median (min–max).`,
    '',
    `- Machine: ${results.machine}`,
    `- Command: \`node bench/idle/run.mjs${quick ? ' --quick' : ''}\` (open-file limit: \`ulimit -n\` ≥ ${N + 1000})`,
    '',
    '| | gateway | bare ws (pinging) | ratio | target | result |',
    '|---|---|---|---|---|---|',
    `| RSS per connection (KiB) | ${kb(results.gateway.bytesPerConnection)} (${spread(runs.gateway.map((x) => x.bytesPerConnection / 1024))}) | ${kb(results.bare.bytesPerConnection)} (${spread(runs.bare.map((x) => x.bytesPerConnection / 1024))}) | ${ratio.toFixed(2)}× | ≤ 2× | ${results.pass.ratio ? 'pass' : 'falls short'} |`,
    `| drops | ${drops} | ${results.bare.drops} | | 0 | ${results.pass.drops ? 'pass' : 'falls short'} |`,
    `| RSS per connection less the young generation (KiB) | ${kb(results.exYoungGen.gateway)} (${spread(runs.gateway.map((x) => x.bytesPerConnectionExYoungGen / 1024))}) | ${kb(results.exYoungGen.bare)} (${spread(runs.bare.map((x) => x.bytesPerConnectionExYoungGen / 1024))}) | ${results.exYoungGen.ratio.toFixed(2)}× | (≤ 2×) | ${results.pass.exYoungGen ? 'pass' : 'falls short'} |`,
    `| live JS heap per connection (KiB) | ${kb(results.liveHeap.gateway)} | ${kb(results.liveHeap.bare)} | ${results.liveHeap.ratio.toFixed(2)}× | | |`,
    `| vs silent bare ws (no pings) | ${kb(results.gateway.bytesPerConnection)} | ${kb(results.bareNoPing.bytesPerConnection)} (${spread(runs.bareNoPing.map((x) => x.bytesPerConnection / 1024))}) | ${results.ratioNoPing.toFixed(2)}× | (≤ 2×) | ${results.pass.noPing ? 'pass' : 'falls short'} |`,
    '',
    'Live JS heap: growth of V8 `heapUsed` per socket after the same GC. An idle gateway socket holds its ws socket',
    "(a subclass that hands its events to the gateway's handlers: no listeners of its own) and one `Connection`; a",
    "user's sockets share one actor, person and encoded `ready` frame, and a burst of hellos reads each user from",
    'Postgres once (reads in flight are shared and a user is kept 5 s while the bus is up; a role change evicts it).',
    'The RSS gap left is mostly the young generation: empty after the GC, it stays resident at the size it grew to',
    '(up to 32 MB, not per socket; the row without it is shown for that reason, the target row is the plain RSS; see',
    '`youngGenResidentAfter` and `residentHeapPerConnection` in `bench/idle/results.json`). Capping it with',
    "`--max-semi-space-size=2` was measured and made RSS worse (6.4–6.6 KiB per socket): more of the hello burst's",
    "garbage is promoted and fragments old space, so the gateway runs with V8's default heap sizing.",
  ]);
  console.log(
    JSON.stringify({ gateway: results.gateway, bare: results.bare, ratio, pass: results.pass }, null, 2),
  );
  process.exit(0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
