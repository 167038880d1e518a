#!/usr/bin/env node
// Benchmark: webhook updates end to end through the bot (update -> claim + message row -> event on the bus)
// vs telegraf with a naive durable handler doing the same work one transaction per update (naive.cjs), and a
// telegraf no-op webhook handler as context, alternating in the same run. Needs `pnpm build` first and the
// PostgreSQL / Redis of the project's machines (or TEST_DATABASE_URL / TEST_REDIS_URL).
// Usage: node bench/bot-inbound/run.cjs [--quick]
'use strict';
const http = require('node:http');
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..');
const req = (p) => require(path.join(root, p));
const { createBot } = req('apps/bot/dist/create-bot.js');
const { loadBotEnv } = req('apps/bot/dist/env.js');
const { createDb, runMigrations } = req('packages/db/dist/index.js');
const { createBus } = req('packages/bus/dist/index.js');
const testkit = req('packages/testkit/dist/index.js');
const { Telegraf } = require(require.resolve('telegraf', { paths: [path.join(root, 'apps/bot')] }));
const pg = require(require.resolve('pg', { paths: [path.join(root, 'packages/db')] }));
const { Redis } = require(require.resolve('ioredis', { paths: [path.join(root, 'packages/bus')] }));
const { naiveHandler } = require('./naive.cjs');

const quick = process.argv.includes('--quick');
const N = quick ? 2000 : 10000;
const ROUNDS = 3;
const CONCURRENCY = 32;
const USERS = 500;
const SECRET = 'bench-secret';

function listen(server) {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port)));
}

function makeUpdates(offset) {
  return Array.from({ length: N }, (_, i) => {
    const user = 900000000 + (i % USERS);
    return {
      update_id: offset + i,
      message: {
        message_id: offset + i,
        date: Math.floor(Date.now() / 1000),
        chat: { id: user, type: 'private', first_name: `U${user}` },
        from: { id: user, is_bot: false, first_name: `U${user}`, language_code: 'en' },
        text: `Benchmark message ${i}\nwith a second line`,
      },
    };
  });
}

async function drive(port, updates) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  let next = 0;
  let failures = 0;
  const post = (body) =>
    new Promise((resolve) => {
      const r = http.request(
        {
          host: '127.0.0.1',
          port,
          path: '/telegram/webhook',
          method: 'POST',
          agent,
          headers: {
            'content-type': 'application/json',
            'x-telegram-bot-api-secret-token': SECRET,
            'content-length': Buffer.byteLength(body),
          },
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode !== 200) failures += 1;
            resolve();
          });
        },
      );
      r.on('error', () => {
        failures += 1;
        resolve();
      });
      r.end(body);
    });
  const worker = async () => {
    while (next < updates.length) {
      const u = updates[next++];
      await post(JSON.stringify(u));
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  agent.destroy();
  return failures;
}

async function main() {
  const database = await testkit.createTestDatabase('bench_bot');
  await runMigrations(database.url);
  const api = await testkit.startFakeBotApi({ allowHttpWebhook: true });
  const db = createDb(database.url, { max: 20 });
  const bus = createBus({ redisUrl: testkit.testRedisUrl(), channel: `bench:${database.name}` });
  const server = http.createServer();
  const port = await listen(server);
  const env = loadBotEnv({
    DATABASE_URL: database.url,
    TELEGRAM_BOT_TOKEN: api.token,
    TELEGRAM_API_ROOT: api.apiRoot,
    BOT_MODE: 'webhook',
    TELEGRAM_WEBHOOK_SECRET: SECRET,
    PUBLIC_URL: 'https://miniapp.example',
    TELEGRAM_WEBHOOK_URL: `http://127.0.0.1:${port}/telegram/webhook`,
    LOG_LEVEL: 'silent',
  });
  const bot = createBot({ env, db, bus });
  server.on('request', (q, s) => void bot.httpHandler(q, s));
  await bot.start();

  let messageEvents = 0;
  bus.subscribe((m) => {
    if (m.kind === 'event' && m.event.type === 'message.created') messageEvents += 1;
  });

  const noop = new Telegraf(api.token, { telegram: { apiRoot: api.apiRoot } });
  noop.botInfo = await noop.telegram.getMe();
  noop.on('message', () => undefined);
  const noopServer = http.createServer(noop.webhookCallback('/telegram/webhook', { secretToken: SECRET }));
  const noopPort = await listen(noopServer);

  // The reference: the same work, naively (its own pool of the bot's size, its own Redis connection).
  const naivePool = new pg.Pool({ connectionString: database.url, max: 20 });
  naivePool.on('error', () => undefined);
  const naiveRedis = new Redis(testkit.testRedisUrl());
  const naive = new Telegraf(api.token, { telegram: { apiRoot: api.apiRoot } });
  naive.botInfo = noop.botInfo;
  naive.on(
    'message',
    naiveHandler({ pool: naivePool, redis: naiveRedis, channel: `bench-naive:${database.name}` }),
  );
  const naiveServer = http.createServer(naive.webhookCallback('/telegram/webhook', { secretToken: SECRET }));
  const naivePort = await listen(naiveServer);

  const rounds = [];
  let offset = 1;
  for (let round = 0; round < ROUNDS; round += 1) {
    const updatesA = makeUpdates(offset);
    offset += N;
    const t0 = process.hrtime.bigint();
    const failA = await drive(noopPort, updatesA);
    const baselineS = Number(process.hrtime.bigint() - t0) / 1e9;

    const updatesN = makeUpdates(offset);
    offset += N;
    const tn = process.hrtime.bigint();
    const failN = await drive(naivePort, updatesN);
    const naiveS = Number(process.hrtime.bigint() - tn) / 1e9;

    const updatesB = makeUpdates(offset);
    offset += N;
    const before = messageEvents;
    const t1 = process.hrtime.bigint();
    const failB = await drive(port, updatesB);
    while (messageEvents - before < N) await new Promise((r) => setTimeout(r, 5));
    const botS = Number(process.hrtime.bigint() - t1) / 1e9;
    const row = {
      round: round + 1,
      baselinePerS: Math.round(N / baselineS),
      naivePerS: Math.round(N / naiveS),
      botPerS: Math.round(N / botS),
      ratio: Number((naiveS / botS).toFixed(3)),
      noopRatio: Number((baselineS / botS).toFixed(3)),
      failures: failA + failN + failB,
    };
    rounds.push(row);
    process.stdout.write(`${JSON.stringify(row)}\n`);
  }
  const { rows } = await db.db.$client.query('select count(*)::int as n from messages');
  const { machineLine, median, updateBenchmarksDoc, writeResults } = await import('../fanout/report.mjs');
  const result = {
    scenario: 'bot-inbound',
    command: `node bench/bot-inbound/run.cjs${quick ? ' --quick' : ''}`,
    updatesPerRound: N,
    rounds,
    medianBaselinePerS: median(rounds.map((r) => r.baselinePerS)),
    medianNaivePerS: median(rounds.map((r) => r.naivePerS)),
    medianBotPerS: median(rounds.map((r) => r.botPerS)),
    medianRatio: median(rounds.map((r) => r.ratio)),
    medianNoopRatio: median(rounds.map((r) => r.noopRatio)),
    target: 1.5,
    messageRows: rows[0].n,
    concurrency: CONCURRENCY,
    users: USERS,
    machine: machineLine(),
    at: new Date().toISOString(),
  };
  writeResults(__dirname, result);
  updateBenchmarksDoc(root, 'bot-inbound', docLines(result));
  process.stdout.write(
    `${JSON.stringify({ medianRatio: result.medianRatio, medianBotPerS: result.medianBotPerS, medianNaivePerS: result.medianNaivePerS, medianBaselinePerS: result.medianBaselinePerS })}\n`,
  );

  await bot.stop();
  server.close();
  noopServer.close();
  naiveServer.close();
  naiveRedis.disconnect();
  await naivePool.end();
  await api.close();
  await bus.close();
  await db.close();
  await database.drop();
}

function docLines(r) {
  return [
    '## bot-inbound: webhook updates end to end',
    '',
    `${r.updatesPerRound} Telegram webhook updates per round (text messages from ${r.users} users, ${r.concurrency} in flight) through the bot: secret check, then (plain texts arriving together are written in one batch transaction) update_id claim, user upsert, ticket routing, message row, event and Telegram link, the ticket bumped; events published on Redis after commit — against telegraf with a naive durable handler doing the same work (\`bench/bot-inbound/naive.cjs\`: one transaction of plain statements per update — claim, sender upsert, ticket lock, bump, message, event, link — then the Redis publish), and a telegraf no-op handler as context, in the same run, alternating ${r.rounds.length} times. Target: ≥ ${r.target}× the naive handler's throughput.`,
    '',
    '| round | no-op telegraf (updates/s) | naive durable telegraf (updates/s) | bot (updates/s) | ratio to naive | ratio to no-op |',
    '|---|---|---|---|---|---|',
    ...r.rounds.map(
      (x) =>
        `| ${x.round} | ${x.baselinePerS} | ${x.naivePerS} | ${x.botPerS} | ${x.ratio} | ${x.noopRatio} |`,
    ),
    '',
    `Median ratio to the naive handler **${r.medianRatio}** (${r.medianRatio >= r.target ? 'meets' : 'below'} the ${r.target} target); to the no-op, ${r.medianNoopRatio} (context). Machine: ${r.machine}. Command: \`${r.command}\` (after \`pnpm build\`), ${r.at}.`,
    '',
    'Where the time goes: `node bench/bot-inbound/statements.cjs 64 100` calls the batch write directly (no HTTP) and times each statement. On 2026-11-24 here: ~6,000 texts/s from one connection (it was ~3,600 before the batch became three prepared statements fed with arrays), ~140 µs of statement time per text — the write statement (claim, message with its search vector, event with the message as JSON, Telegram link, ticket bump, and the five foreign-key checks they fire) 95 µs, the sender upsert 14 µs, the ticket lock 15 µs, the commit 13 µs. (Since then the claim is a statement of its own and the write is the one message writer every message path uses.) A batch is six round trips (begin, four statements, commit) whatever its size, and Postgres neither parses nor plans it again; what remains is Postgres writing four rows and a ticket per text, which a no-op handler does not do. Reaching 0.5× would take a different design (e.g. an inbox table acknowledged first and processed in large batches), not more batching.',
  ];
}

main().catch((e) => {
  process.stderr.write(`${e.stack ?? e}\n`);
  process.exit(1);
});
