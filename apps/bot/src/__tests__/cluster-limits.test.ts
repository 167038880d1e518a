import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createMemoryBus, hashSlot } from '@tikethet/bus';
import { createDb, createUseCases, type DbClient, runMigrations, type UseCases } from '@tikethet/db';
import {
  createTestDatabase,
  type FakeBotApi,
  freePort,
  type RedisClusterHandle,
  spawnReady,
  startFakeBotApi,
  startRedisCluster,
  type TestDatabase,
  waitFor,
} from '@tikethet/testkit';
import { PUBLIC_URL, SECRET } from './helpers/harness';

// Two built bot processes (`node dist/index.js`, webhook mode behind an imagined balancer) on one database, one
// fake Bot API and a private 3-master Redis Cluster (REDIS_CLUSTER_NODES): the shared send limits' scripts touch
// the global log and a chat's log together, which only works because all their keys carry one hash tag.
const entry = path.resolve(__dirname, '../../dist/index.js');
const rates = { global: 120, private: 4, groupPerMin: 80 };

let cluster: RedisClusterHandle;
let database: TestDatabase;
let api: FakeBotApi;
let db: DbClient;
let uc: UseCases;
const children: ChildProcess[] = [];
const bases: string[] = [];

async function startBot(): Promise<string> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const { child } = await spawnReady({
    entry,
    label: 'bot',
    readyUrl: `${base}/readyz`,
    env: {
      DATABASE_URL: database.url,
      REDIS_CLUSTER_NODES: cluster.nodesEnv,
      TELEGRAM_BOT_TOKEN: api.token,
      TELEGRAM_API_ROOT: api.apiRoot,
      BOT_MODE: 'webhook',
      TELEGRAM_WEBHOOK_SECRET: SECRET,
      TELEGRAM_WEBHOOK_URL: `http://127.0.0.1:${port}/telegram/webhook`,
      PUBLIC_URL,
      BOT_PORT: String(port),
      BOT_POLL_INTERVAL_MS: '100',
      BOT_RETRY_BASE_MS: '200',
      BOT_RATE_GLOBAL_PER_S: String(rates.global),
      BOT_RATE_PRIVATE_PER_S: String(rates.private),
      BOT_RATE_GROUP_PER_MIN: String(rates.groupPerMin),
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
    },
  });
  children.push(child);
  return base;
}

beforeAll(async () => {
  cluster = await startRedisCluster({ masters: 3 });
  database = await createTestDatabase('bot_cluster');
  await runMigrations(database.url);
  api = await startFakeBotApi({ allowHttpWebhook: true });
  db = createDb(database.url, { max: 4 });
  uc = createUseCases({ db: db.db, bus: createMemoryBus() });
  bases.push(await startBot(), await startBot());
}, 60_000);

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await db?.close();
  await api?.close();
  await database?.drop();
  await cluster?.stop();
});

async function sentBy(baseUrl: string): Promise<number> {
  const body = await (await fetch(`${baseUrl}/metrics`)).text();
  const line = body.split('\n').find((l) => l.startsWith('bot_outbox_sends_total{outcome="sent"}'));
  return Number(line?.split(' ')[1] ?? 0);
}

it('600 messages sent by two bot processes on a Redis Cluster stay within the shared limits', async () => {
  const chats = Array.from({ length: 60 }, (_, i) => (i < 54 ? 830_000_000 + i : -1_000_830_000_000 - i));
  await uc.transaction(async (tx) => {
    for (let i = 0; i < 600; i++) {
      const chatId = chats[i % 60] ?? 0;
      const text = `c ${chatId} ${Math.floor(i / 60)}`;
      await tx.enqueueTelegram({
        chatId,
        method: 'sendMessage',
        payload: { chat_id: chatId, text },
        dedupeKey: text,
      });
    }
  });
  await waitFor(() => api.sentMessages().length >= 600, { timeoutMs: 40_000, intervalMs: 250 });
  // Both processes sent a share.
  for (const base of bases) expect(await sentBy(base)).toBeGreaterThan(0);
  expect(api.maxSendsInWindow(1000)).toBeLessThanOrEqual(rates.global);
  for (const chatId of chats) {
    if (chatId > 0) expect(api.maxSendsInWindow(1000, chatId)).toBeLessThanOrEqual(rates.private);
    else expect(api.maxSendsInWindow(60_000, chatId)).toBeLessThanOrEqual(rates.groupPerMin);
    const texts = api.sentMessages(chatId).map((m) => (m as { text?: string }).text ?? '');
    expect(texts).toEqual(Array.from({ length: 10 }, (_, n) => `c ${chatId} ${n}`));
  }
  // The limits really lived in the cluster, every key of them in the global log's slot.
  const listed = await Promise.all(
    cluster.nodes.map((n) => cluster.cli(n.port, 'KEYS', '{tikethet:bot:*:send}:*')),
  );
  const keys = listed.join('\n').split('\n').filter(Boolean);
  const globalLog = keys.find((k) => k.endsWith(':log:all')) ?? '';
  expect(globalLog).toMatch(/^\{tikethet:bot:[0-9a-f]{16}:send\}:log:all$/);
  expect(new Set(keys.map((k) => hashSlot(k)))).toEqual(new Set([hashSlot(globalLog)]));
  expect(keys.length).toBeGreaterThan(10);
}, 60_000);
