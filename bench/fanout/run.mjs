// Fanout: one ticket message to N sockets spread over 2 gateway processes, vs a bare ws server (2 processes)
// broadcasting a Redis PUBLISH. Measures the slowest recipient per message (p50/p99) and deliveries/s in a burst.
// Usage: node bench/fanout/run.mjs [--quick]   (after `pnpm build`)
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  alternateRounds,
  machineLine,
  median,
  medianOver,
  percentile,
  spread,
  updateBenchmarksDoc,
  writeResults,
} from './report.mjs';

const quick = process.argv.includes('--quick');
const SOCKETS = quick ? 200 : 1000;
const MESSAGES = quick ? 10 : 40;
const BURST = quick ? 10 : 30;
const ROUNDS = 3;
// GATEWAY_ENTRY: run another build of the gateway (A/B against an older commit; use with BENCH_NO_WRITE=1).
const GATEWAY_ENTRY =
  process.env.GATEWAY_ENTRY ?? path.resolve(import.meta.dirname, '../../apps/gateway/dist/index.js');

const root = path.resolve(import.meta.dirname, '../..');
const req = createRequire(path.join(root, 'apps/gateway/package.json'));
const WebSocket = req('ws');
const { createDb, createUseCases, runMigrations } = req('@tikethet/db');
const { createRedisBus } = req('@tikethet/bus');
const testkit = req('@tikethet/testkit');
const { Redis } = createRequire(req.resolve('@tikethet/bus'))('ioredis');

function spawnNode(args, env, readyLine) {
  const child = spawn(process.execPath, args, {
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  return new Promise((resolve, reject) => {
    const onData = (d) => {
      out += d;
      if (!readyLine || out.includes(readyLine)) resolve(child);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (d) => (out += d));
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
    if (!readyLine) resolve(child);
  });
}

async function waitReady(url) {
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(url)).status === 200) return;
    } catch {}
    await sleep(50);
  }
  throw new Error(`not ready: ${url}`);
}

function openSockets(urls, count, onFrame, hello) {
  return Promise.all(
    Array.from(
      { length: count },
      (_, i) =>
        new Promise((resolve, reject) => {
          const ws = new WebSocket(urls[i % urls.length], { perMessageDeflate: false });
          ws.on('error', reject);
          ws.on('message', (data) => onFrame(i, data, ws));
          ws.on('open', () => (hello ? hello(i, ws, resolve) : resolve(ws)));
        }),
    ),
  );
}

async function runGateway(ctx) {
  const { redis, dbUrl, uc, agents, ticket, customer } = ctx;
  const ports = [await testkit.freePort(), await testkit.freePort()];
  const gws = await Promise.all(
    ports.map((port) =>
      spawnNode([GATEWAY_ENTRY], {
        DATABASE_URL: dbUrl,
        REDIS_URL: redis.url,
        TELEGRAM_BOT_TOKEN: testkit.TEST_BOT_TOKEN,
        GATEWAY_PORT: String(port),
        LOG_LEVEL: 'warn',
        NODE_ENV: 'production',
        MAX_FRAMES_PER_S: '1000',
        // Every bench socket comes from 127.0.0.1: the per-address cap would refuse most of them.
        MAX_SOCKETS_PER_IP: '100000',
      }),
    ),
  );
  await Promise.all(ports.map((p) => waitReady(`http://127.0.0.1:${p}/readyz`)));
  if (process.env.DEBUG) console.log('gateways ready');
  const urls = ports.map((p) => `ws://127.0.0.1:${p}/ws`);
  const arrivals = new Map();
  const sockets = await openSockets(
    urls,
    SOCKETS,
    (i, data, ws) => {
      const frame = JSON.parse(data);
      if (frame.type === 'ready')
        ws.send(JSON.stringify({ type: 'subscribe', topic: `ticket:${ticket.id}` }));
      else if (frame.type === 'subscribed') ws.resolveReady?.();
      else if (frame.type === 'event' && frame.event.type === 'message.created') {
        const list = arrivals.get(frame.event.data.message.body) ?? [];
        list.push(performance.now());
        arrivals.set(frame.event.data.message.body, list);
      }
    },
    (i, ws, resolve) => {
      ws.resolveReady = () => resolve(ws);
      ws.send(JSON.stringify({ type: 'hello', initData: agents[i % agents.length] }));
    },
  );
  if (process.env.DEBUG) console.log('sockets ready');
  await sleep(500);
  const actor = { id: customer.id, role: 'customer' };
  const result = await measure(arrivals, (body) => uc.postMessage(actor, ticket.id, { body }), ctx.clock);
  for (const ws of sockets) ws.terminate();
  for (const gw of gws) gw.kill('SIGTERM');
  await sleep(300);
  return result;
}

async function runBare(ctx) {
  const { redis, sample } = ctx;
  const ports = [await testkit.freePort(), await testkit.freePort()];
  const servers = await Promise.all(
    ports.map((port) =>
      spawnNode(
        [path.join(import.meta.dirname, 'bare-server.mjs')],
        { PORT: String(port), REDIS_URL: redis.url, CHANNEL: 'bare' },
        'ready',
      ),
    ),
  );
  const urls = ports.map((p) => `ws://127.0.0.1:${p}`);
  const arrivals = new Map();
  const sockets = await openSockets(urls, SOCKETS, (_i, data) => {
    const frame = JSON.parse(data);
    const list = arrivals.get(frame.event.data.message.body) ?? [];
    list.push(performance.now());
    arrivals.set(frame.event.data.message.body, list);
  });
  const pub = new Redis(redis.url);
  await sleep(500);
  const result = await measure(
    arrivals,
    (body) => {
      const event = structuredClone(sample);
      event.event.data.message.body = body;
      ctx.bareClock.published.set(body, performance.now());
      return pub.publish('bare', JSON.stringify(event));
    },
    ctx.bareClock,
  );
  pub.disconnect();
  for (const ws of sockets) ws.terminate();
  for (const s of servers) s.kill('SIGTERM');
  await sleep(300);
  return result;
}

/**
 * Records when each message's event is handed to the bus (the system side: after the Postgres commit) and, while
 * `hold` is set, keeps the publishes back until `release()`: a burst of writes is then published at once, like
 * the reference's burst of PUBLISHes, so the fan-out rate is not the rate at which one ticket's row lock lets
 * writes commit. The write itself is timed separately (write call -> publish of the committed event).
 */
function createClock() {
  const published = new Map();
  let held = null;
  return {
    published,
    hold() {
      held = [];
    },
    /** Publishes everything held; resolves with the time of the release. */
    release() {
      const batch = held ?? [];
      held = null;
      const at = performance.now();
      for (const go of batch) {
        go.at();
        go.run();
      }
      return at;
    },
    heldCount: () => held?.length ?? 0,
    wrap(bus) {
      return {
        ...bus,
        subscribe: bus.subscribe.bind(bus),
        onStatus: bus.onStatus.bind(bus),
        close: bus.close.bind(bus),
        get healthy() {
          return bus.healthy;
        },
        publish(message) {
          const body = message.kind === 'event' ? message.event.data?.message?.body : undefined;
          const stamp = () => {
            if (body !== undefined) published.set(body, performance.now());
          };
          if (held && body !== undefined) {
            return new Promise((resolve, reject) => {
              held.push({ at: stamp, run: () => bus.publish(message).then(resolve, reject) });
            });
          }
          stamp();
          return bus.publish(message);
        },
      };
    },
  };
}

/**
 * Sequential messages (slowest recipient each, timed from the publish of the event) then one burst
 * (deliveries/s from the release of the burst's publishes to the last arrival).
 */
async function measure(arrivals, send, clock) {
  const slowest = [];
  const writes = [];
  const tag = Math.random().toString(36).slice(2, 8);
  for (let i = -3; i < MESSAGES; i++) {
    const body = `fanout ${tag} ${i}`;
    const t0 = performance.now();
    await send(body);
    for (let w = 0; (arrivals.get(body)?.length ?? 0) < SOCKETS; w++) {
      if (w === 3000 && process.env.DEBUG) console.log('waiting', body, arrivals.get(body)?.length);
      await sleep(1);
    }
    const publishedAt = clock.published.get(body) ?? t0;
    if (i >= 0) {
      slowest.push(Math.max(...arrivals.get(body)) - publishedAt);
      writes.push(publishedAt - t0);
    }
    await sleep(20);
  }
  const bodies = Array.from({ length: BURST }, (_, i) => `burst ${tag} ${i}`);
  const w0 = performance.now();
  clock.hold?.();
  const sends = bodies.map((b) => send(b));
  if (clock.hold) while (clock.heldCount() < BURST) await sleep(1);
  const writesDone = performance.now();
  const t0 = clock.release ? clock.release() : w0;
  await Promise.all(sends);
  for (let w = 0; bodies.some((b) => (arrivals.get(b)?.length ?? 0) < SOCKETS); w++) {
    if (w === 2000 && process.env.DEBUG)
      console.log('burst waiting', bodies.map((b) => arrivals.get(b)?.length ?? 0).join(','));
    await sleep(1);
  }
  const last = Math.max(...bodies.flatMap((b) => arrivals.get(b)));
  return {
    p50: percentile(slowest, 0.5),
    p99: percentile(slowest, 0.99),
    deliveriesPerS: (BURST * SOCKETS) / ((last - t0) / 1000),
    // System side only: the use-case write (call -> publish of the committed event), and the burst with its writes.
    ...(clock.hold
      ? {
          write: { p50: percentile(writes, 0.5), p99: percentile(writes, 0.99) },
          burstWritesMs: writesDone - w0,
          deliveriesPerSWithWrites: (BURST * SOCKETS) / ((last - w0) / 1000),
        }
      : {}),
  };
}

async function main() {
  const redis = await testkit.startRedisServer();
  const database = await testkit.createTestDatabase('bench_fanout');
  await runMigrations(database.url);
  const db = createDb(database.url, { max: 40 });
  const clock = createClock();
  const bus = clock.wrap(createRedisBus({ url: redis.url }));
  const uc = createUseCases({ db: db.db, bus });
  const base = 8_100_000_000;
  const customer = { id: base };
  await uc.upsertUser({ id: customer.id, first_name: 'Ann' });
  await uc.upsertUser({ id: base + 1, first_name: 'Admin' }, { adminIds: [base + 1] });
  const agents = [];
  for (let a = 0; a < 50; a++) {
    const id = base + 100 + a;
    await uc.upsertUser({ id, first_name: `Agent${a}` });
    await uc.setRole({ id: base + 1, role: 'admin' }, id, 'agent');
    agents.push(
      testkit.signInitData({ botToken: testkit.TEST_BOT_TOKEN, user: { id, first_name: `Agent${a}` } }),
    );
  }
  const { ticket } = await uc.createTicket(
    { id: customer.id, role: 'customer' },
    { subject: 'Bench', body: 'hi' },
  );
  const posted = await uc.postMessage({ id: customer.id, role: 'customer' }, ticket.id, { body: 'sample' });
  const [sample] = await uc.readEvents(ticket.id, posted.message.seq - 1, 1);
  const ctx = {
    redis,
    dbUrl: database.url,
    uc,
    agents,
    ticket,
    customer,
    clock,
    bareClock: { published: new Map() },
    sample: { type: 'event', topic: `ticket:${ticket.id}`, seq: sample.seq, event: sample },
  };
  if (process.env.DEBUG) console.log('setup done');
  const runs = await alternateRounds(ROUNDS, { gateway: () => runGateway(ctx), bare: () => runBare(ctx) });
  await uc.flush();
  await bus.close();
  await db.close();
  await database.drop();
  await redis.stop();

  const med = (side, key) => median(runs[side].map((x) => x[key]));
  const p99Ratio = med('gateway', 'p99') / med('bare', 'p99');
  const rateRatio = med('gateway', 'deliveriesPerS') / med('bare', 'deliveriesPerS');
  const results = {
    name: 'fanout',
    quick,
    sockets: SOCKETS,
    messages: MESSAGES,
    burst: BURST,
    rounds: ROUNDS,
    machine: machineLine(),
    runs,
    measures: {
      gateway:
        'uc.postMessage writes; latency from the bus publish of the committed event to the slowest socket; burst publishes released together after all writes committed',
      bare: 'Redis PUBLISH to the slowest socket of 2 bare ws broadcasters; burst of PUBLISHes',
      write: 'system side only: uc.postMessage call -> bus publish (not in the ratios)',
    },
    gateway: {
      p50: med('gateway', 'p50'),
      p99: med('gateway', 'p99'),
      deliveriesPerS: med('gateway', 'deliveriesPerS'),
      write: {
        p50: medianOver(runs.gateway, (x) => x.write.p50),
        p99: medianOver(runs.gateway, (x) => x.write.p99),
      },
      burstWritesMs: median(runs.gateway.map((x) => x.burstWritesMs)),
      deliveriesPerSWithWrites: median(runs.gateway.map((x) => x.deliveriesPerSWithWrites)),
    },
    bare: { p50: med('bare', 'p50'), p99: med('bare', 'p99'), deliveriesPerS: med('bare', 'deliveriesPerS') },
    spread: {
      gatewayP99: spread(runs.gateway.map((x) => x.p99)),
      bareP99: spread(runs.bare.map((x) => x.p99)),
      gatewayRate: spread(runs.gateway.map((x) => x.deliveriesPerS)),
      bareRate: spread(runs.bare.map((x) => x.deliveriesPerS)),
    },
    ratios: { p99: p99Ratio, deliveriesPerS: rateRatio },
    targets: { p99: '≤ 1.5×', deliveriesPerS: '≥ 0.7×' },
    pass: { p99: p99Ratio <= 1.5, deliveriesPerS: rateRatio >= 0.7 },
  };
  writeResults(import.meta.dirname, results);
  const f = (n) => n.toFixed(1);
  updateBenchmarksDoc(root, 'bench:fanout', [
    '## fanout',
    '',
    `One ticket message to ${SOCKETS} sockets spread over 2 gateway processes (50 agents, subscribed to the ticket) vs 2 bare`,
    '`ws` processes broadcasting a Redis `PUBLISH` of the same event JSON to every socket (no auth, routing or permissions).',
    'System side: each message is written through the real use-case (`uc.postMessage`: Postgres transaction, then the bus',
    'publish of the committed event); reference side: a `PUBLISH`. The clock the ratios use starts, on both sides, when',
    'the event is published (system: `bus.publish` of the committed event; reference: `PUBLISH`) and stops at the slowest',
    `recipient's receipt. Deliveries/s: a burst of ${BURST} messages; the system side writes all ${BURST} concurrently through the`,
    "use-case (they queue on the ticket's row lock), holds their publishes until all have committed and releases them at",
    `once, like the reference's ${BURST} PUBLISHes; the rate runs from that release to the last receipt. The write itself is`,
    `reported separately below. ${ROUNDS} alternating rounds; median (min–max).`,
    '',
    `- Machine: ${results.machine}`,
    `- Command: \`node bench/fanout/run.mjs${quick ? ' --quick' : ''}\``,
    '',
    '| | gateway | bare ws + PUBLISH | ratio | target | result |',
    '|---|---|---|---|---|---|',
    `| slowest-recipient p50 (ms) | ${f(results.gateway.p50)} | ${f(results.bare.p50)} | ${(results.gateway.p50 / results.bare.p50).toFixed(2)}× | | |`,
    `| slowest-recipient p99 (ms) | ${f(results.gateway.p99)} (${results.spread.gatewayP99}) | ${f(results.bare.p99)} (${results.spread.bareP99}) | ${p99Ratio.toFixed(2)}× | ≤ 1.5× | ${results.pass.p99 ? 'pass' : 'falls short'} |`,
    `| deliveries/s | ${Math.round(results.gateway.deliveriesPerS)} (${results.spread.gatewayRate}) | ${Math.round(results.bare.deliveriesPerS)} (${results.spread.bareRate}) | ${rateRatio.toFixed(2)}× | ≥ 0.7× | ${results.pass.deliveriesPerS ? 'pass' : 'falls short'} |`,
    '',
    `Write, system side only (not in the ratios): \`uc.postMessage\` call -> publish of the committed event p50 ${f(results.gateway.write.p50)} ms,`,
    `p99 ${f(results.gateway.write.p99)} ms (sequential); the burst's ${BURST} concurrent writes took ${f(results.gateway.burstWritesMs)} ms to commit; counting`,
    `them, the burst ran at ${Math.round(results.gateway.deliveriesPerSWithWrites)} deliveries/s.`,
  ]);
  console.log(
    JSON.stringify(
      { gateway: results.gateway, bare: results.bare, ratios: results.ratios, pass: results.pass },
      null,
      2,
    ),
  );
  process.exit(0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
