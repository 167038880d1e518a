import path from 'node:path';
import { createBus } from '@tikethet/bus';
import { createDb, createUseCases, runMigrations } from '@tikethet/db';
import type { ServiceLevels } from '@tikethet/domain';
import {
  createTestDatabase,
  type FakeBotApi,
  freePort,
  startFakeBotApi,
  TEST_BOT_TOKEN,
  type TestDatabase,
  testRedisUrl,
  waitFor,
} from '@tikethet/testkit';
import { type Child, startNode, waitReady } from './support/processes';
import { appEntry } from './support/stack';

/**
 * SLA timers across real processes: two API processes (each runs the graphile-worker timers) and the bot,
 * on one database and Redis, Telegram being the fake Bot API. A breach is posted once; a timer that falls due
 * while every process is down fires once when they are back; raising the priority moves the timer.
 */
const ROOT = path.resolve(__dirname, '../..');
const AGENTS_CHAT = -1001234500017;
const CUSTOMER = { id: 7_170_001, role: 'customer' as const };
const ALL_WEEK = Object.fromEntries(
  ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [['00:00', '24:00']]]),
) as ServiceLevels['hours'];

let fake: FakeBotApi;
let database: TestDatabase;
let db: ReturnType<typeof createDb>;
let uc: ReturnType<typeof createUseCases>;
let bus: ReturnType<typeof createBus>;
let children: Child[] = [];

async function startProcesses() {
  const shared = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    DATABASE_URL: database.url,
    REDIS_URL: testRedisUrl(),
    TELEGRAM_BOT_TOKEN: TEST_BOT_TOKEN,
    TELEGRAM_API_ROOT: fake.apiRoot,
  };
  const apis = await Promise.all(
    [1, 2].map(async (n) => {
      const port = await freePort();
      const child = startNode(
        `api${n}`,
        [appEntry('@tikethet/api')],
        { ...shared, PORT: String(port) },
        ROOT,
      );
      return { child, ready: `http://127.0.0.1:${port}/readyz` };
    }),
  );
  const botPort = await freePort();
  const bot = startNode(
    'bot',
    [appEntry('@tikethet/bot')],
    {
      ...shared,
      PORT: String(botPort),
      BOT_MODE: 'polling',
      BOT_ADMIN_PORT: String(await freePort()),
      BOT_POLL_INTERVAL_MS: '200',
      BOT_GETUPDATES_TIMEOUT_S: '1',
      PUBLIC_URL: 'https://support.example.test',
      AGENTS_CHAT_ID: String(AGENTS_CHAT),
    },
    ROOT,
  );
  children = [...apis.map((a) => a.child), bot];
  await Promise.all([
    ...apis.map((a) => waitReady(a.child, a.ready)),
    waitReady(bot, `http://127.0.0.1:${botPort}/healthz`),
  ]);
}

async function stopProcesses() {
  await Promise.all(children.map((c) => c.stop()));
  children = [];
}

/** The agents' chat posts about this ticket whose text matches. */
const posts = (ticketId: number, words: RegExp) =>
  fake.sentMessages(AGENTS_CHAT).filter((m) => {
    const text = (m as unknown as { text?: string }).text ?? '';
    return text.includes(`<b>#${ticketId}</b>`) && words.test(text);
  });

/** A ticket opened `ago` (its timers derived again as if it had been). */
async function ticketOpened(subject: string, ago: string) {
  const { ticket } = await uc.createTicket(CUSTOMER, { subject, body: 'help' });
  await db.db.$client.query(
    `update tickets set created_at = now() - $2::interval, sla_resolution_since = now() - $2::interval,
      sla_awaiting_since = now() where id = $1`,
    [ticket.id, ago],
  );
  return ticket.id;
}

beforeAll(async () => {
  fake = await startFakeBotApi({ token: TEST_BOT_TOKEN });
  database = await createTestDatabase('e2e_sla_processes');
  await runMigrations(database.url);
  db = createDb(database.url, { max: 4 });
  // The processes' Redis bus: what this test writes reaches the bot live, as the API's writes do.
  bus = createBus({ redisUrl: testRedisUrl() });
  uc = createUseCases({ db: db.db, bus });
  const admin = { id: 7_170_000, role: 'admin' as const };
  await uc.upsertUser({ id: admin.id, first_name: 'Admin' }, { adminIds: [admin.id] });
  await uc.upsertUser({ id: CUSTOMER.id, first_name: 'Анна', language_code: 'ru' });
  const settings = await uc.getServiceLevels(admin);
  await uc.putServiceLevels(admin, { ...settings, timezone: 'UTC', hours: ALL_WEEK });
  await startProcesses();
});

afterAll(async () => {
  await stopProcesses();
  await uc?.flush();
  await bus?.close();
  await db?.close();
  await database?.drop();
  await fake?.close();
});

test('two API processes and the bot: a breach is posted once', async () => {
  // Normal priority: first response within 240 minutes; opened 241 minutes ago.
  const id = await ticketOpened('Двойное списание', '241 minutes');
  await waitFor(() => posts(id, /просрочен/).length > 0, {
    timeoutMs: 20_000,
    description: 'the breach post',
  });
  await new Promise((r) => setTimeout(r, 3000));
  expect(posts(id, /просрочен/)).toHaveLength(1);
});

test('a timer that falls due while every process is down fires once when they are back', async () => {
  await stopProcesses();
  // The warning is due 3 s from now (15 minutes before a due time 15 min 3 s away).
  const id = await ticketOpened('Не приходит код', '224 minutes 57 seconds');
  await new Promise((r) => setTimeout(r, 5000));
  expect(posts(id, /срок через 15 минут/)).toHaveLength(0);
  await startProcesses();
  await waitFor(() => posts(id, /срок через 15 минут/).length > 0, {
    timeoutMs: 20_000,
    description: 'the warning after the restart',
  });
  await new Promise((r) => setTimeout(r, 2000));
  expect(posts(id, /срок через 15 минут/)).toHaveLength(1);
});

test('raising the priority moves the timer: the urgent target’s warning comes at once', async () => {
  // Opened 20 minutes ago: normal's first response is hours away; urgent's (30 min) is due in 10.
  const id = await ticketOpened('Срочно: не работает вход', '20 minutes');
  await new Promise((r) => setTimeout(r, 2000));
  expect(posts(id, /срок/)).toHaveLength(0);
  const ticket = await uc.findTicket(id);
  await uc.updateTicket({ id: 7_170_000, role: 'admin' }, id, {
    priority: 'urgent',
    version: ticket?.version ?? 0,
  });
  await waitFor(() => posts(id, /срок через 15 минут/).length > 0, {
    timeoutMs: 20_000,
    description: 'the urgent warning',
  });
});
