import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Bus, createRedisBus } from '@tikethet/bus';
import { createDb, createUseCases, type DbClient, runMigrations, type UseCases } from '@tikethet/db';
import type { Role } from '@tikethet/domain';
import {
  createTestDatabase,
  signInitData,
  TEST_BOT_TOKEN,
  type TestDatabase,
  testRedisUrl,
} from '@tikethet/testkit';
import { createGateway, type Gateway } from '../../create-gateway';
import { loadGatewayEnv } from '../../env';

export interface RunningGateway {
  gateway: Gateway;
  server: http.Server;
  bus: Bus;
  url: string;
  httpUrl: string;
  close(): Promise<void>;
}

/**
 * One gateway on its own http server and its own Redis connections, on the world's database and bus channel:
 * a stand-in for a gateway process.
 */
export async function startGateway(
  world: Pick<World, 'database' | 'redisUrl' | 'channel'>,
  overrides: Record<string, string> = {},
  /** Another bus than the world's Redis channel (a Redis Cluster's, say). */
  makeBus?: () => Bus,
): Promise<RunningGateway> {
  const { redisUrl, channel } = world;
  const dbUrl = world.database.url;
  const env = loadGatewayEnv({
    DATABASE_URL: dbUrl,
    REDIS_URL: redisUrl,
    TELEGRAM_BOT_TOKEN: TEST_BOT_TOKEN,
    NODE_ENV: 'test',
    ...overrides,
  });
  const db = createDb(dbUrl, { max: 5 });
  const bus =
    makeBus?.() ??
    createRedisBus({
      url: redisUrl,
      channel,
      healthCheckIntervalMs: 1000,
      maxReconnectDelayMs: 500,
    });
  const gateway = createGateway({ env, db, bus });
  const server = http.createServer(gateway.httpHandler);
  server.on('upgrade', (req, socket, head) => gateway.handleUpgrade(req, socket, head));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    gateway,
    server,
    bus,
    url: `ws://127.0.0.1:${port}/ws`,
    httpUrl: `http://127.0.0.1:${port}`,
    async close() {
      await gateway.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await bus.close();
      await db.close();
    },
  };
}

export interface World {
  database: TestDatabase;
  client: DbClient;
  bus: Bus;
  uc: UseCases;
  channel: string;
  redisUrl: string;
  close(): Promise<void>;
}

/** A fresh database, and use-cases publishing on a channel of their own (tests never cross-talk). */
export async function startWorld(
  label: string,
  redisUrl = testRedisUrl(),
  busChannel?: string,
): Promise<World> {
  const database = await createTestDatabase(label);
  await runMigrations(database.url);
  const client = createDb(database.url, { max: 10 });
  const channel = busChannel ?? `tikethet:test:${randomBytes(6).toString('hex')}`;
  const bus = createRedisBus({
    url: redisUrl,
    channel,
    healthCheckIntervalMs: 1000,
    maxReconnectDelayMs: 500,
  });
  const uc = createUseCases({ db: client.db, bus });
  return {
    database,
    client,
    bus,
    uc,
    channel,
    redisUrl,
    async close() {
      await uc.flush();
      await bus.close();
      await client.close();
      await database.drop();
    },
  };
}

let nextId = 7_000_000_000 + Math.floor(Math.random() * 1_000_000) * 100;

export interface TestUser {
  id: number;
  role: Role;
  initData: string;
}

/** A user with a role in the database and valid initData for them. */
export async function makeUser(uc: UseCases, role: Role, name = 'Test'): Promise<TestUser> {
  nextId += 1;
  const id = nextId;
  await uc.upsertUser(
    { id, first_name: name, language_code: 'en' },
    { adminIds: role === 'customer' ? [] : [id] },
  );
  if (role === 'agent') {
    nextId += 1;
    const adminId = nextId;
    await uc.upsertUser({ id: adminId, first_name: 'Boot' }, { adminIds: [adminId] });
    await uc.setRole({ id: adminId, role: 'admin' }, id, 'agent');
  }
  return { id, role, initData: initDataFor(id, name) };
}

export function initDataFor(id: number, name = 'Test', authDate?: number): string {
  return signInitData({
    botToken: TEST_BOT_TOKEN,
    user: { id, first_name: name, language_code: 'en' },
    ...(authDate !== undefined ? { authDate } : {}),
  });
}

export async function makeTicket(uc: UseCases, customer: TestUser, subject = 'Printer on fire') {
  const { ticket } = await uc.createTicket(
    { id: customer.id, role: 'customer' },
    { subject, body: 'Help, please' },
  );
  return ticket;
}

/**
 * Appends `count` message.created events (bodies of `bodyChars` characters, each starting with its seq) to a
 * ticket's log in one statement, copies of its first message event, already marked published: a long history
 * in milliseconds instead of thousands of writes.
 */
export async function appendEvents(
  world: Pick<World, 'client'>,
  ticketId: number,
  count: number,
  bodyChars: number,
) {
  await world.client.db.$client.query(
    `with t as (update tickets set last_seq = last_seq + $2 where id = $1 returning last_seq - $2 as base),
       first as (select * from events where ticket_id = $1 and type = 'message.created' order by seq limit 1)
     insert into events (ticket_id, seq, type, customer_id, internal, actor_id, data, published_at)
     select first.ticket_id, t.base + g, first.type, first.customer_id, false, first.actor_id,
       jsonb_set(jsonb_set(first.data, '{message,body}', to_jsonb(g || ' ' || repeat('z', $3))),
         '{message,seq}', to_jsonb(t.base + g)),
       now()
     from t, first, generate_series(1, $2) g`,
    [ticketId, count, bodyChars],
  );
}
