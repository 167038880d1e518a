// idle: N authenticated idle sockets on a gateway process vs N sockets on a bare ws server. RSS per connection
// after GC (server side) and sockets dropped while idle (through server pings). Alternating rounds.
// Usage: node bench/idle/run.mjs [--quick]   (after `pnpm build`; needs ulimit -n > N + slack in both processes)
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { median, spread, updateBenchmarksDoc, writeResults } from '../fanout/report.mjs';

const quick = process.argv.includes('--quick');
const N = quick ? 2000 : 10_000;
const IDLE_MS = quick ? 3000 : 25_000;
const PING_MS = quick ? 1000 : 10_000;
const ROUNDS = 3;
const USERS = 200;
const root = path.resolve(import.meta.dirname, '../..');
const req = createRequire(path.join(root, 'apps/gateway/package.json'));
const WebSocket = req('ws');
const { createDb, createUseCases, runMigrations } = req('@tikethet/db');
const { createMemoryBus } = req('@tikethet/bus');
const testkit = req('@tikethet/testkit');

function startServer(script, env) {
  const child = spawn(
    process.execPath,
    ['--expose-gc', '-r', path.join(import.meta.dirname, 'gc-preload.cjs'), script],
    {
      env: { PATH: process.env.PATH, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let buffer = '';
  const rssWaiters = [];
  child.stdout.on('data', (d) => {
    buffer += d;
    for (;;) {
      const m = /rss (\d+)\n/.exec(buffer);
      if (!m) break;
      buffer = buffer.slice(m.index + m[0].length);
      rssWaiters.shift()?.(Number(m[1]));
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
      ? startServer(path.join(root, 'apps/gateway/dist/index.js'), {
          DATABASE_URL: ctx.dbUrl,
          TELEGRAM_BOT_TOKEN: testkit.TEST_BOT_TOKEN,
          GATEWAY_PORT: String(port),
          LOG_LEVEL: 'warn',
          NODE_ENV: 'production',
          PING_INTERVAL_MS: String(PING_MS),
        })
      : startServer(path.join(import.meta.dirname, 'bare-server.cjs'), { PORT: String(port) });
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
    bytesPerConnection: (after - before) / N,
    drops: drops(),
    rssBefore: before,
    rssAfter: after,
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
  const runs = { gateway: [], bare: [] };
  for (let r = 0; r < ROUNDS; r++) {
    runs.gateway.push(await round('gateway', ctx));
    runs.bare.push(await round('bare', ctx));
    console.log(`round ${r + 1}`, JSON.stringify(runs.gateway.at(-1)), JSON.stringify(runs.bare.at(-1)));
  }
  await database.drop();
  const med = (side) => median(runs[side].map((x) => x.bytesPerConnection));
  const ratio = med('gateway') / med('bare');
  const drops = runs.gateway.reduce((s, x) => s + x.drops, 0);
  const results = {
    name: 'idle',
    quick,
    sockets: N,
    idleMs: IDLE_MS,
    pingIntervalMs: PING_MS,
    rounds: ROUNDS,
    machine: `${os.cpus().length}× ${os.cpus()[0]?.model ?? '?'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
    runs,
    gateway: { bytesPerConnection: med('gateway'), drops },
    bare: { bytesPerConnection: med('bare'), drops: runs.bare.reduce((s, x) => s + x.drops, 0) },
    ratio,
    targets: { ratio: '≤ 2×', drops: 0 },
    pass: { ratio: ratio <= 2, drops: drops === 0 },
  };
  writeResults(import.meta.dirname, results);
  const kb = (n) => (n / 1024).toFixed(1);
  updateBenchmarksDoc(root, 'idle', [
    '## idle',
    '',
    `${N} authenticated idle sockets (hello done, ${USERS} users) on one gateway process vs ${N} sockets on a bare \`ws\``,
    `server; server RSS growth per connection after a forced GC, and sockets dropped during ${IDLE_MS / 1000} s idle with`,
    `server pings every ${PING_MS / 1000} s. ${ROUNDS} alternating rounds; median (min–max).`,
    '',
    `- Machine: ${results.machine}`,
    `- Command: \`node bench/idle/run.mjs${quick ? ' --quick' : ''}\` (open-file limit: \`ulimit -n\` ≥ ${N + 1000})`,
    '',
    '| | gateway | bare ws | ratio | target | result |',
    '|---|---|---|---|---|---|',
    `| RSS per connection (KiB) | ${kb(results.gateway.bytesPerConnection)} (${spread(runs.gateway.map((x) => x.bytesPerConnection / 1024))}) | ${kb(results.bare.bytesPerConnection)} (${spread(runs.bare.map((x) => x.bytesPerConnection / 1024))}) | ${ratio.toFixed(2)}× | ≤ 2× | ${results.pass.ratio ? 'pass' : 'falls short'} |`,
    `| drops | ${drops} | ${results.bare.drops} | | 0 | ${results.pass.drops ? 'pass' : 'falls short'} |`,
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
