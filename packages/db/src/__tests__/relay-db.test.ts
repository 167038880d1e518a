import { type Bus, createRedisBus, createRelay } from '@tikethet/bus';
import type { BusMessage } from '@tikethet/domain';
import {
  createTestDatabase,
  eventually,
  type RedisServerHandle,
  startRedisServer,
  type TestDatabase,
} from '@tikethet/testkit';
import Redis from 'ioredis';
import { createDb, type DbClient } from '../client';
import { runMigrations } from '../migrate';
import { createPendingEventSource, createUseCases, type UseCases } from '../use-cases';

/**
 * The delivery guarantee end to end on real PostgreSQL and a private redis-server: a subscriber whose
 * connection is killed, and a Redis that dies while writes commit, still end with every committed event,
 * because the relay publishes what the writers could not.
 */
let database: TestDatabase;
let redis: RedisServerHandle;
let client: DbClient;

beforeAll(async () => {
  database = await createTestDatabase('relaydb');
  await runMigrations(database.url);
  client = createDb(database.url, { max: 5 });
  redis = await startRedisServer();
});
afterAll(async () => {
  await client.close();
  await database.drop();
  await redis.stop();
});

it('a subscriber killed with CLIENT KILL comes back and the relay delivers everything committed meanwhile', async () => {
  const channel = `relaydb-${Date.now()}`;
  const publisherBus = createRedisBus({ url: redis.url, channel, publishTimeoutMs: 300 });
  const subscriberBus = createRedisBus({ url: redis.url, channel });
  const received = new Map<string, BusMessage>();
  const statuses: string[] = [];
  subscriberBus.onStatus((s) => statuses.push(s));
  subscriberBus.subscribe((m) => {
    if (m.kind === 'event') received.set(`${m.event.ticketId}:${m.event.seq}`, m);
  });
  const uc: UseCases = createUseCases({ db: client.db, bus: publisherBus });
  const relay = createRelay({
    source: createPendingEventSource(client.db),
    bus: publisherBus,
    intervalMs: 100,
    minAgeMs: 0,
  });
  try {
    await eventually(() => expect(statuses).toContain('up'), 5000);
    await uc.upsertUser({ id: 9001, first_name: 'Relay' });
    const actor = { id: 9001, role: 'customer' } as const;
    const { ticket } = await uc.createTicket(actor, { subject: 'Relay', body: 'first' });
    await eventually(() => expect(received.size).toBe(2), 5000);

    // Kill the subscriber's connection, then the whole server: writes keep committing meanwhile.
    const admin = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 0 });
    await admin.connect();
    await admin.client('KILL', 'TYPE', 'pubsub');
    admin.disconnect();
    await redis.kill();
    for (let i = 0; i < 30; i += 1) {
      const posted = await uc.postMessage(actor, ticket.id, { body: `while down ${i}` });
      expect(posted.created).toBe(true);
    }
    await uc.flush();
    const pending = await createPendingEventSource(client.db).unpublished(1000, 0);
    expect(pending.length).toBeGreaterThan(0);

    await redis.restart();
    // The subscriber comes back by itself (pub/sub does not replay: receivers that were away catch up
    // from Postgres); then the relay publishes what the writers could not.
    await eventually(
      () => expect(statuses.filter((s) => s === 'up').length).toBeGreaterThanOrEqual(2),
      10_000,
    );
    expect(received.size).toBe(2);
    relay.start();
    const committed = await uc.readEvents(ticket.id, 0);
    expect(committed).toHaveLength(32);
    await eventually(() => {
      for (const e of committed) expect(received.has(`${e.ticketId}:${e.seq}`)).toBe(true);
    }, 15_000);
    expect(statuses.filter((s) => s === 'down').length).toBeGreaterThanOrEqual(1);
    await eventually(
      async () => expect(await createPendingEventSource(client.db).unpublished(1000, 0)).toEqual([]),
      5000,
    );
  } finally {
    await relay.stop();
    await uc.flush();
    await publisherBus.close();
    await subscriberBus.close();
  }
});

it('the relays of two API instances share a backlog: every pending event is published once', async () => {
  const channel = `relaydb-share-${Date.now()}`;
  const publisherBus = createRedisBus({ url: redis.url, channel });
  const subscriberBus = createRedisBus({ url: redis.url, channel });
  // Publishes take a while, so the two relays' runs overlap.
  const slowBus: Bus = {
    publish: async (message) => {
      await new Promise((resolve) => setTimeout(resolve, 100));
      await publisherBus.publish(message);
    },
    subscribe: (handler) => publisherBus.subscribe(handler),
    onStatus: (listener) => publisherBus.onStatus(listener),
    get healthy() {
      return publisherBus.healthy;
    },
    close: () => publisherBus.close(),
  };
  const copies = new Map<string, number>();
  const statuses: string[] = [];
  subscriberBus.onStatus((s) => statuses.push(s));
  subscriberBus.subscribe((m) => {
    if (m.kind !== 'event') return;
    const key = `${m.event.ticketId}:${m.event.seq}`;
    copies.set(key, (copies.get(key) ?? 0) + 1);
  });
  const uc: UseCases = createUseCases({ db: client.db, bus: publisherBus });
  const relays = [0, 1].map(() =>
    createRelay({ source: createPendingEventSource(client.db), bus: slowBus, minAgeMs: 0, batch: 10 }),
  );
  try {
    await eventually(() => expect(statuses).toContain('up'), 5000);
    await uc.upsertUser({ id: 9002, first_name: 'Share' });
    const actor = { id: 9002, role: 'customer' } as const;
    const { ticket } = await uc.createTicket(actor, { subject: 'Shared backlog', body: 'first' });
    for (let i = 0; i < 28; i += 1) await uc.postMessage(actor, ticket.id, { body: `backlog ${i}` });
    await uc.flush();
    await eventually(() => expect(copies.size).toBe(30), 5000);
    copies.clear();
    // As if every publish had been lost: the whole ticket is a backlog of 30 pending events.
    await client.db.$client.query('update events set published_at = null where ticket_id = $1', [ticket.id]);
    await Promise.all(relays.map((relay) => relay.runOnce()));
    await eventually(() => expect(copies.size).toBe(30), 5000);
    expect([...copies.values()].every((n) => n === 1)).toBe(true);
    expect(await createPendingEventSource(client.db).unpublished(1000, 0)).toEqual([]);
  } finally {
    await Promise.all(relays.map((relay) => relay.stop()));
    await uc.flush();
    await publisherBus.close();
    await subscriberBus.close();
  }
});
