// e2e: a message written through the use-cases (what POST /tickets/:id/messages runs) until the customer's
// socket on a gateway process has it, vs the same work hand-written and measured bare in the same run: the
// transaction (ticket bump, message, event) in plain pg statements, a Redis PUBLISH->subscriber hop and a ws
// relay. The old one-row reference (a bare INSERT instead of the transaction) is kept as context. Alternating
// rounds; p50/p99.
// Usage: node bench/e2e/run.mjs [--quick]   (after `pnpm build`)
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  alternateRounds,
  machineLine,
  medianOver,
  percentile,
  spread,
  updateBenchmarksDoc,
  writeResults,
} from '../fanout/report.mjs';

const quick = process.argv.includes('--quick');
const SAMPLES = quick ? 100 : 400;
const ROUNDS = 3;
const root = path.resolve(import.meta.dirname, '../..');
/** Apps and packages by their package names, as the root package depends on them. */
const requireRoot = createRequire(path.join(root, 'package.json'));
const req = createRequire(path.join(root, 'apps/gateway/package.json'));
const WebSocket = req('ws');
const { WebSocketServer } = req('ws');
const { createDb, createUseCases, runMigrations } = req('@tikethet/db');
const { createRedisBus } = req('@tikethet/bus');
const testkit = req('@tikethet/testkit');
const { Redis } = createRequire(req.resolve('@tikethet/bus'))('ioredis');
const pg = createRequire(req.resolve('@tikethet/db'))('pg');

const stats = (xs) => ({ p50: percentile(xs, 0.5), p99: percentile(xs, 0.99) });

async function gatewayRound(ctx) {
  const { ws, uc, actor, ticket, waiters } = ctx;
  const lat = [];
  const write = [];
  for (let i = -10; i < SAMPLES; i++) {
    const body = `e2e ${Math.random()}`;
    const got = new Promise((resolve) => waiters.set(body, resolve));
    const t0 = performance.now();
    await uc.postMessage(actor, ticket.id, { body });
    const committed = performance.now();
    await got;
    if (i >= 0) {
      lat.push(performance.now() - t0);
      write.push(committed - t0);
    }
  }
  void ws;
  // `write`: the use-case transaction alone (packages/db); `afterCommit`: publish -> gateway -> socket.
  return { ...stats(lat), write: stats(write), afterCommit: stats(lat.map((x, i) => x - (write[i] ?? 0))) };
}

/**
 * The transaction a naive hand-written handler runs for the same message: lock and bump the ticket, insert
 * the message and its message.created event (the message as JSON), commit — one plain statement after another.
 */
async function naiveTransaction(pool, ticketId, author, body) {
  const client = await pool.connect();
  try {
    await client.query('begin');
    const t = await client.query(
      `update tickets set last_seq = last_seq + 1, updated_at = now(), last_message_at = now(),
         last_message_preview = $2 where id = $1 returning last_seq, customer_id`,
      [ticketId, body],
    );
    const { last_seq: seq, customer_id: customerId } = t.rows[0];
    const m = await client.query(
      `insert into messages (ticket_id, seq, kind, author_id, body, via, delivery)
       values ($1, $2, 'customer', $3, $4, 'miniapp', 'none') returning id, created_at`,
      [ticketId, seq, author.id, body],
    );
    const message = {
      id: m.rows[0].id,
      ticketId,
      seq,
      kind: 'customer',
      internal: false,
      authorId: author.id,
      author: { id: author.id, name: author.name, role: 'customer' },
      body,
      originalBody: null,
      clientMessageId: null,
      via: 'miniapp',
      delivery: 'none',
      createdAt: m.rows[0].created_at.toISOString(),
      editedAt: null,
      attachments: [],
    };
    await client.query(
      `insert into events (ticket_id, seq, type, customer_id, internal, actor_id, data)
       values ($1, $2, 'message.created', $3, false, $4, $5)`,
      [ticketId, seq, customerId, author.id, JSON.stringify({ message })],
    );
    await client.query('commit');
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

async function partsRound(ctx) {
  const { pool, pub, sub, relayClient, relayWaiters, subWaiters, refTicket, actor } = ctx;
  const txn = [];
  const ins = [];
  const hop = [];
  const relay = [];
  for (let i = -10; i < SAMPLES; i++) {
    const body = `parts ${Math.random()}`;
    let t0 = performance.now();
    await naiveTransaction(pool, refTicket.id, { id: actor.id, name: 'Ann' }, body);
    const w = performance.now() - t0;
    t0 = performance.now();
    await pool.query('insert into bench_parts(body) values ($1)', [body]);
    const a = performance.now() - t0;
    const heard = new Promise((resolve) => subWaiters.set(body, resolve));
    t0 = performance.now();
    await pub.publish('e2e-parts', body);
    await heard;
    const b = performance.now() - t0;
    const relayed = new Promise((resolve) => relayWaiters.set(body, resolve));
    t0 = performance.now();
    relayClient.send(body);
    await relayed;
    const c = performance.now() - t0;
    if (i >= 0) {
      txn.push(w);
      ins.push(a);
      hop.push(b);
      relay.push(c);
    }
  }
  void sub;
  const sameWork = txn.map((x, i) => x + (hop[i] ?? 0) + (relay[i] ?? 0));
  const oneRow = ins.map((x, i) => x + (hop[i] ?? 0) + (relay[i] ?? 0));
  return {
    ...stats(sameWork),
    oneRow: stats(oneRow),
    transaction: stats(txn),
    insert: stats(ins),
    hop: stats(hop),
    relay: stats(relay),
  };
}

async function main() {
  const redis = await testkit.startRedisServer();
  const database = await testkit.createTestDatabase('bench_e2e');
  await runMigrations(database.url);
  const db = createDb(database.url, { max: 5 });
  const bus = createRedisBus({ url: redis.url });
  const uc = createUseCases({ db: db.db, bus });
  const id = 8_200_000_000;
  await uc.upsertUser({ id, first_name: 'Ann' });
  const actor = { id, role: 'customer' };
  const { ticket } = await uc.createTicket(actor, { subject: 'Bench', body: 'hi' });
  // The reference writes on a ticket of its own, in the same tables.
  const { ticket: refTicket } = await uc.createTicket(actor, { subject: 'Reference', body: 'hi' });
  const port = await testkit.freePort();
  const gw = spawn(process.execPath, [requireRoot.resolve('@tikethet/gateway')], {
    env: {
      PATH: process.env.PATH,
      DATABASE_URL: database.url,
      REDIS_URL: redis.url,
      TELEGRAM_BOT_TOKEN: testkit.TEST_BOT_TOKEN,
      GATEWAY_PORT: String(port),
      LOG_LEVEL: 'warn',
      NODE_ENV: 'production',
    },
    stdio: 'ignore',
  });
  const gatewayExited = new Promise((resolve) => gw.once('exit', resolve));
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200) break;
    } catch {}
    await sleep(50);
  }
  const waiters = new Map();
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
  await new Promise((resolve) => ws.on('open', resolve));
  ws.send(
    JSON.stringify({
      type: 'hello',
      initData: testkit.signInitData({ botToken: testkit.TEST_BOT_TOKEN, user: { id, first_name: 'Ann' } }),
    }),
  );
  const subscribed = new Promise((resolve) => {
    ws.on('message', (data) => {
      const f = JSON.parse(data);
      if (f.type === 'ready') ws.send(JSON.stringify({ type: 'subscribe', topic: `ticket:${ticket.id}` }));
      if (f.type === 'subscribed') resolve();
      if (f.type === 'event' && f.event.type === 'message.created')
        waiters.get(f.event.data.message.body)?.();
    });
  });
  await subscribed;

  // The parts: a bare table insert, a bare pub->sub hop, a bare ws server relaying a frame back.
  const pool = new pg.Pool({ connectionString: database.url, max: 2 });
  // pool.end() resolves once it has asked each connection to close, not once the backends are gone: the
  // DROP ... WITH (FORCE) at the end can still terminate one (57P01), and an 'error' on a pool without a
  // listener would crash the run after the measurements. createDb's pools carry the same listener.
  pool.on('error', () => undefined);
  await pool.query(
    'create table bench_parts (id serial primary key, body text not null, created_at timestamptz default now())',
  );
  const pub = new Redis(redis.url);
  const sub = new Redis(redis.url);
  const subWaiters = new Map();
  await sub.subscribe('e2e-parts');
  sub.on('message', (_c, m) => subWaiters.get(m)?.());
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise((resolve) => wss.once('listening', resolve));
  wss.on('connection', (s) => s.on('message', (d) => s.send(d, { binary: false })));
  const relayClient = new WebSocket(`ws://127.0.0.1:${wss.address().port}`);
  const relayWaiters = new Map();
  relayClient.on('message', (d) => relayWaiters.get(String(d))?.());
  await new Promise((resolve) => relayClient.on('open', resolve));

  const ctx = {
    ws,
    uc,
    actor,
    ticket,
    refTicket,
    waiters,
    pool,
    pub,
    sub,
    relayClient,
    relayWaiters,
    subWaiters,
  };
  const runs = await alternateRounds(ROUNDS, {
    gateway: () => gatewayRound(ctx),
    parts: () => partsRound(ctx),
  });
  ws.terminate();
  relayClient.terminate();
  wss.close();
  gw.kill('SIGTERM');
  pub.disconnect();
  sub.disconnect();
  await pool.end();
  await uc.flush();
  await bus.close();
  await db.close();
  // The gateway drains and closes its own pool on SIGTERM (exiting by itself within 2.5 s): the drop then
  // does not cut its connections from under it.
  await gatewayExited;
  await database.drop();
  await redis.stop();

  const med = (side, key) => medianOver(runs[side], (x) => x[key]);
  const r50 = med('gateway', 'p50') / med('parts', 'p50');
  const r99 = med('gateway', 'p99') / med('parts', 'p99');
  const results = {
    name: 'e2e',
    quick,
    samples: SAMPLES,
    rounds: ROUNDS,
    machine: machineLine(),
    runs,
    measures: {
      gateway:
        "uc.postMessage (the use-case POST /tickets/:id/messages runs: Postgres transaction, then bus publish) -> the customer's socket on a gateway process receives the event; split into write (the call) and afterCommit",
      parts:
        'sum of the same transaction hand-written on raw pg (BEGIN, ticket bump, message, message.created event, COMMIT), a Redis PUBLISH -> subscriber hop and a ws send -> echo, each timed alone; oneRow: the same with a bare one-row INSERT instead of the transaction (context only)',
    },
    gateway: {
      p50: med('gateway', 'p50'),
      p99: med('gateway', 'p99'),
      write: {
        p50: medianOver(runs.gateway, (x) => x.write.p50),
        p99: medianOver(runs.gateway, (x) => x.write.p99),
      },
      afterCommit: {
        p50: medianOver(runs.gateway, (x) => x.afterCommit.p50),
        p99: medianOver(runs.gateway, (x) => x.afterCommit.p99),
      },
    },
    parts: { p50: med('parts', 'p50'), p99: med('parts', 'p99') },
    oneRow: {
      p50: medianOver(runs.parts, (x) => x.oneRow.p50),
      p99: medianOver(runs.parts, (x) => x.oneRow.p99),
    },
    ratios: { p50: r50, p99: r99 },
    targets: { p50: '≤ 1.3×', p99: '≤ 1.5×' },
    pass: { p50: r50 <= 1.3, p99: r99 <= 1.5 },
  };
  writeResults(import.meta.dirname, results);
  const f = (n) => n.toFixed(2);
  updateBenchmarksDoc(root, 'bench:e2e', [
    '## e2e',
    '',
    'A customer message written with `uc.postMessage` (the transaction the API runs for `POST /tickets/:id/messages`)',
    "until the customer's socket on a gateway process receives it, vs the same work hand-written and measured bare in the",
    'same run: the transaction on raw pg (`BEGIN`, ticket bump, message, `message.created` event with the message as',
    `JSON, \`COMMIT\`), a Redis PUBLISH->subscriber hop and a ws relay. ${SAMPLES} sequential samples per round,`,
    `${ROUNDS} alternating rounds; median of rounds (min–max).`,
    '',
    `- Machine: ${results.machine}`,
    `- Command: \`node bench/e2e/run.mjs${quick ? ' --quick' : ''}\``,
    '',
    '| | write -> socket | same transaction on pg + pub/sub + ws relay | ratio | target | result |',
    '|---|---|---|---|---|---|',
    `| p50 (ms) | ${f(results.gateway.p50)} (${spread(runs.gateway.map((x) => x.p50))}) | ${f(results.parts.p50)} (${spread(runs.parts.map((x) => x.p50))}) | ${r50.toFixed(2)}× | ≤ 1.3× | ${results.pass.p50 ? 'pass' : 'falls short'} |`,
    `| p99 (ms) | ${f(results.gateway.p99)} (${spread(runs.gateway.map((x) => x.p99))}) | ${f(results.parts.p99)} (${spread(runs.parts.map((x) => x.p99))}) | ${r99.toFixed(2)}× | ≤ 1.5× | ${results.pass.p99 ? 'pass' : 'falls short'} |`,
    '',
    `Context (no target): the old one-row reference (a bare \`INSERT\` + pub/sub + ws relay) p50 ${f(results.oneRow.p50)} ms, p99 ${f(results.oneRow.p99)} ms;`,
    `the system is ${(results.gateway.p50 / results.oneRow.p50).toFixed(2)}× of it at p50, ${(results.gateway.p99 / results.oneRow.p99).toFixed(2)}× at p99.`,
    '',
    `Split of the gateway side (median of rounds): the \`postMessage\` write alone p50 ${f(results.gateway.write.p50)} ms;`,
    `after commit (publish, gateway routing, socket) p50 ${f(results.gateway.afterCommit.p50)} ms, p99 ${f(results.gateway.afterCommit.p99)} ms.`,
    `The reference's matching parts: pub/sub hop + ws relay p50 ${f(medianOver(runs.parts, (x) => x.hop.p50) + medianOver(runs.parts, (x) => x.relay.p50))} ms; its transaction p50 ${f(medianOver(runs.parts, (x) => x.transaction.p50))} ms (the one-row insert ${f(medianOver(runs.parts, (x) => x.insert.p50))} ms).`,
    'The publish is not awaited by the use-case, so "after commit" runs from the return of the call, just after the publish is issued.',
    '',
    'Every message goes through the one message writer (`packages/db/src/use-cases/message-writer.ts`); a reply or note that',
    "leaves the ticket's status as it is is ONE statement on its own (lock, seq, message, event, bump; no `BEGIN`/`COMMIT`):",
    "one round trip to the reference's five.",
    'After commit the event crosses one more process than the reference (Redis -> gateway -> socket, where the reference',
    'relays inside the benchmark process).',
  ]);
  console.log(
    JSON.stringify(
      { gateway: results.gateway, parts: results.parts, ratios: results.ratios, pass: results.pass },
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
