import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { hashSlot, openRedisClient, type RedisClient } from '@tikethet/bus';
import { type RedisClusterHandle, startRedisCluster, waitFor } from '@tikethet/testkit';
import { type Bot, createBot } from '../create-bot';
import { type Harness, startHarness } from './helpers/harness';

// Two bot instances (own Redis Cluster clients, own HTTP servers, one database and fake Bot API) on a private
// 3-master Redis Cluster: the shared send limits' scripts touch the global log and a chat's log together,
// which only works because all their keys carry one hash tag (no CROSSSLOT).
const rates = { global: 120, private: 4, groupPerMin: 80 };

let cluster: RedisClusterHandle;
let h: Harness;
let second: Bot;
let secondRedis: RedisClient;
let secondServer: http.Server;

beforeAll(async () => {
  cluster = await startRedisCluster({ masters: 3 });
  const target = { clusterNodes: cluster.nodes.map((n) => ({ ...n })) };
  h = await startHarness(
    'webhook',
    {
      BOT_RATE_GLOBAL_PER_S: String(rates.global),
      BOT_RATE_PRIVATE_PER_S: String(rates.private),
      BOT_RATE_GROUP_PER_MIN: String(rates.groupPerMin),
    },
    'cluster',
    { redisTarget: target },
  );
  secondRedis = openRedisClient(target, 'tikethet-bot-limits');
  second = createBot({ env: h.env, db: h.db, bus: h.bus, redis: secondRedis });
  await second.start();
  secondServer = http.createServer((req, res) => void second.httpHandler(req, res));
  await new Promise<void>((resolve) => secondServer.listen(0, '127.0.0.1', resolve));
}, 60_000);

afterAll(async () => {
  secondServer?.close();
  await second?.stop();
  secondRedis?.disconnect();
  await h?.close();
  await cluster?.stop();
});

async function sentBy(baseUrl: string): Promise<number> {
  const body = await (await fetch(`${baseUrl}/metrics`)).text();
  const line = body.split('\n').find((l) => l.startsWith('bot_outbox_sends_total{outcome="sent"}'));
  return Number(line?.split(' ')[1] ?? 0);
}

it('600 messages sent by two instances on a Redis Cluster stay within the shared limits', async () => {
  const chats = Array.from({ length: 60 }, (_, i) => (i < 54 ? 830_000_000 + i : -1_000_830_000_000 - i));
  await h.uc.transaction(async (tx) => {
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
  await waitFor(() => h.api.sentMessages().length >= 600, { timeoutMs: 40_000, intervalMs: 250 });
  const secondUrl = `http://127.0.0.1:${(secondServer.address() as AddressInfo).port}`;
  expect(await sentBy(h.baseUrl)).toBeGreaterThan(0);
  expect(await sentBy(secondUrl)).toBeGreaterThan(0);
  expect(h.api.maxSendsInWindow(1000)).toBeLessThanOrEqual(rates.global);
  for (const chatId of chats) {
    if (chatId > 0) expect(h.api.maxSendsInWindow(1000, chatId)).toBeLessThanOrEqual(rates.private);
    else expect(h.api.maxSendsInWindow(60_000, chatId)).toBeLessThanOrEqual(rates.groupPerMin);
    const texts = h.api.sentMessages(chatId).map((m) => (m as { text?: string }).text ?? '');
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
