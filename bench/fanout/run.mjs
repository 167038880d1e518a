// Fanout: one ticket message to N sockets spread over 2 gateway processes, vs a bare ws server (2 processes)
// broadcasting a Redis PUBLISH. Measures the slowest recipient per message (p50/p99) and deliveries/s in a burst.
// Usage: node bench/fanout/run.mjs [--quick]   (after `pnpm build`)
// --cluster: instead, the same gateways on one Redis vs a 3-master Redis Cluster (sharded pub/sub), in one run:
// three tickets whose shards live on three different masters, each socket following one of them.
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
const clusterMode = process.argv.includes('--cluster');
const SOCKETS = quick ? 200 : 1000;
const MESSAGES = quick ? 10 : 40;
const BURST = quick ? 10 : 30;
const ROUNDS = 3;
const root = path.resolve(import.meta.dirname, '../..');
/** Apps and packages by their package names, as the root package depends on them. */
const requireRoot = createRequire(path.join(root, 'package.json'));
// GATEWAY_ENTRY: run another build of the gateway (A/B against an older commit; use with BENCH_NO_WRITE=1).
const GATEWAY_ENTRY = process.env.GATEWAY_ENTRY ?? requireRoot.resolve('@tikethet/gateway');
const req = createRequire(path.join(root, 'apps/gateway/package.json'));
const WebSocket = req('ws');
const { createDb, createUseCases, runMigrations } = req('@tikethet/db');
const { createBus, createRedisBus, hashSlot, shardChannel, shardOf } = req('@tikethet/bus');
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

/** `side`: the bus the gateways use (`env`), the use cases and clock that publish, the tickets sockets follow. */
async function runGateway(
  ctx,
  side = { env: { REDIS_URL: ctx.redis.url }, uc: ctx.uc, clock: ctx.clock, tickets: [ctx.ticket] },
) {
  const { dbUrl, agents, customer } = ctx;
  const { uc, tickets } = side;
  const ports = [await testkit.freePort(), await testkit.freePort()];
  const gws = await Promise.all(
    ports.map((port) =>
      spawnNode([GATEWAY_ENTRY], {
        DATABASE_URL: dbUrl,
        ...side.env,
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
        ws.send(JSON.stringify({ type: 'subscribe', topic: `ticket:${tickets[i % tickets.length].id}` }));
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
  // Message n goes to ticket n mod k; it is expected on the sockets following that ticket.
  const following = tickets.map(
    (_, k) => Array.from({ length: SOCKETS }, (_, i) => i % tickets.length).filter((t) => t === k).length,
  );
  const result = await measure(
    arrivals,
    (body, n) => uc.postMessage(actor, tickets[n % tickets.length].id, { body }),
    side.clock,
    (n) => following[n % tickets.length],
  );
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
async function measure(arrivals, send, clock, expected = () => SOCKETS) {
  const slowest = [];
  const writes = [];
  const tag = Math.random().toString(36).slice(2, 8);
  for (let i = -3; i < MESSAGES; i++) {
    const body = `fanout ${tag} ${i}`;
    const t0 = performance.now();
    await send(body, i + 3);
    for (let w = 0; (arrivals.get(body)?.length ?? 0) < expected(i + 3); w++) {
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
  const sends = bodies.map((b, n) => send(b, n));
  if (clock.hold) while (clock.heldCount() < BURST) await sleep(1);
  const writesDone = performance.now();
  const t0 = clock.release ? clock.release() : w0;
  await Promise.all(sends);
  for (let w = 0; bodies.some((b, n) => (arrivals.get(b)?.length ?? 0) < expected(n)); w++) {
    if (w === 2000 && process.env.DEBUG)
      console.log('burst waiting', bodies.map((b) => arrivals.get(b)?.length ?? 0).join(','));
    await sleep(1);
  }
  const last = Math.max(...bodies.flatMap((b) => arrivals.get(b)));
  const burstDeliveries = bodies.reduce((sum, _b, n) => sum + expected(n), 0);
  return {
    p50: percentile(slowest, 0.5),
    p99: percentile(slowest, 0.99),
    deliveriesPerS: burstDeliveries / ((last - t0) / 1000),
    // System side only: the use-case write (call -> publish of the committed event), and the burst with its writes.
    ...(clock.hold
      ? {
          write: { p50: percentile(writes, 0.5), p99: percentile(writes, 0.99) },
          burstWritesMs: writesDone - w0,
          deliveriesPerSWithWrites: burstDeliveries / ((last - w0) / 1000),
        }
      : {}),
  };
}

/**
 * One Redis vs a 3-master Redis Cluster, the same run, the same two gateway processes and sockets: three tickets
 * whose shards are on three different masters, so the cluster side's fan-out goes through three shards.
 */
async function mainCluster() {
  const redis = await testkit.startRedisServer();
  const cluster = await testkit.startRedisCluster({ masters: 3 });
  const database = await testkit.createTestDatabase('bench_fanout_cluster');
  await runMigrations(database.url);
  const db = createDb(database.url, { max: 40 });
  const oneClock = createClock();
  const clusterClock = createClock();
  const oneBus = oneClock.wrap(createRedisBus({ url: redis.url }));
  const clusterBus = clusterClock.wrap(
    createBus({ redis: { clusterNodes: cluster.nodes.map((n) => ({ ...n })) } }),
  );
  const uc = createUseCases({ db: db.db, bus: oneBus });
  const clusterUc = createUseCases({ db: db.db, bus: clusterBus });
  const { customer, agents } = await benchUsers(uc);
  const tickets = [];
  const masters = new Set();
  while (tickets.length < 3) {
    const { ticket } = await uc.createTicket(
      { id: customer.id, role: 'customer' },
      { subject: 'Bench', body: 'hi' },
    );
    const master = await cluster.masterOf(hashSlot(shardChannel(shardOf(ticket.id))));
    if (masters.has(master)) continue;
    masters.add(master);
    tickets.push(ticket);
  }
  const ctx = { redis, dbUrl: database.url, agents, customer };
  const runs = await alternateRounds(ROUNDS, {
    oneRedis: () => runGateway(ctx, { env: { REDIS_URL: redis.url }, uc, clock: oneClock, tickets }),
    cluster: () =>
      runGateway(ctx, {
        env: { REDIS_CLUSTER_NODES: cluster.nodesEnv },
        uc: clusterUc,
        clock: clusterClock,
        tickets,
      }),
  });
  await uc.flush();
  await clusterUc.flush();
  await oneBus.close();
  await clusterBus.close();
  await db.close();
  await database.drop();
  await redis.stop();
  await cluster.stop();

  const med = (side, key) => median(runs[side].map((x) => x[key]));
  const side = (name) => ({
    p50: med(name, 'p50'),
    p99: med(name, 'p99'),
    deliveriesPerS: med(name, 'deliveriesPerS'),
  });
  const results = {
    name: 'fanout-cluster',
    quick,
    sockets: SOCKETS,
    tickets: 3,
    messages: MESSAGES,
    burst: BURST,
    rounds: ROUNDS,
    machine: machineLine(),
    runs,
    measures:
      'uc.postMessage to ticket n mod 3; latency from the bus publish of the committed event to the slowest socket following that ticket; 2 gateway processes either on one Redis (PUBLISH/SUBSCRIBE) or on a 3-master Redis Cluster (SPUBLISH/SSUBSCRIBE, the three tickets on three masters)',
    oneRedis: side('oneRedis'),
    cluster: side('cluster'),
    spread: {
      oneRedisP99: spread(runs.oneRedis.map((x) => x.p99)),
      clusterP99: spread(runs.cluster.map((x) => x.p99)),
      oneRedisRate: spread(runs.oneRedis.map((x) => x.deliveriesPerS)),
      clusterRate: spread(runs.cluster.map((x) => x.deliveriesPerS)),
    },
    ratios: {
      p99: med('cluster', 'p99') / med('oneRedis', 'p99'),
      deliveriesPerS: med('cluster', 'deliveriesPerS') / med('oneRedis', 'deliveriesPerS'),
    },
  };
  writeResults(import.meta.dirname, results, 'results-cluster.json');
  const f = (n) => n.toFixed(1);
  updateBenchmarksDoc(root, 'bench:fanout-cluster', [
    '## fanout: one Redis vs Redis Cluster',
    '',
    `The same 2 gateway processes and ${SOCKETS} agent sockets, each following one of 3 tickets whose shard channels`,
    'live on 3 different masters; messages go to the tickets in turn through `uc.postMessage`. One side runs on one',
    'Redis (`REDIS_URL`: one channel, PUBLISH/SUBSCRIBE), the other on a 3-master Redis Cluster (`REDIS_CLUSTER_NODES`:',
    '`tikethet:ev:{n}` by ticket, SPUBLISH/SSUBSCRIBE), started by the bench on loopback. Clock as in `fanout`: from the',
    `publish of the committed event to the slowest socket following that ticket; burst of ${BURST}. ${ROUNDS} alternating rounds;`,
    'median (min–max). All nodes share this one machine, so this measures what the sharded path costs, not the',
    'capacity that more machines add.',
    '',
    `- Machine: ${results.machine}`,
    `- Command: \`node bench/fanout/run.mjs --cluster${quick ? ' --quick' : ''}\``,
    '',
    '| | one Redis | Redis Cluster (3 masters) | ratio |',
    '|---|---|---|---|',
    `| slowest-recipient p50 (ms) | ${f(results.oneRedis.p50)} | ${f(results.cluster.p50)} | ${(results.cluster.p50 / results.oneRedis.p50).toFixed(2)}× |`,
    `| slowest-recipient p99 (ms) | ${f(results.oneRedis.p99)} (${results.spread.oneRedisP99}) | ${f(results.cluster.p99)} (${results.spread.clusterP99}) | ${results.ratios.p99.toFixed(2)}× |`,
    `| deliveries/s | ${Math.round(results.oneRedis.deliveriesPerS)} (${results.spread.oneRedisRate}) | ${Math.round(results.cluster.deliveriesPerS)} (${results.spread.clusterRate}) | ${results.ratios.deliveriesPerS.toFixed(2)}× |`,
  ]);
  console.log(
    JSON.stringify({ oneRedis: results.oneRedis, cluster: results.cluster, ratios: results.ratios }, null, 2),
  );
  process.exit(0);
}

/** The customer who writes and 50 agents' initData (the sockets sign in as agents, round robin). */
async function benchUsers(uc) {
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
  return { customer, agents };
}

async function main() {
  const redis = await testkit.startRedisServer();
  const database = await testkit.createTestDatabase('bench_fanout');
  await runMigrations(database.url);
  const db = createDb(database.url, { max: 40 });
  const clock = createClock();
  const bus = clock.wrap(createRedisBus({ url: redis.url }));
  const uc = createUseCases({ db: db.db, bus });
  const { customer, agents } = await benchUsers(uc);
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

(clusterMode ? mainCluster() : main()).catch((err) => {
  console.error(err);
  process.exit(1);
});
