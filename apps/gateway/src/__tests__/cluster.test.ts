import { BUS_SHARDS, createBus, hashSlot, type RedisTarget, shardChannel, shardOf } from '@tikethet/bus';
import { createDb, createUseCases, runMigrations } from '@tikethet/db';
import {
  createTestDatabase,
  eventually,
  type RedisClusterHandle,
  startRedisCluster,
} from '@tikethet/testkit';
import {
  makeTicket,
  makeUser,
  type RunningGateway,
  startGateway,
  type TestUser,
  type World,
} from './helpers/fixture';
import { TestClient } from './helpers/test-client';

// Two gateways on a private Redis Cluster (three masters with a replica each): the sharded bus carries the
// use cases' events to both, each gateway holds only the shards of the tickets its sockets follow, and a
// killed master (its replica takes over) costs nothing but a catch-up from Postgres.
let cluster: RedisClusterHandle;
let target: RedisTarget;
let world: World;
let gw1: RunningGateway;
let gw2: RunningGateway;
let customer: TestUser;
let agent: TestUser;
const clients: TestClient[] = [];

const clusterBus = () => createBus({ redis: target });

async function connect(gw: RunningGateway, user: TestUser): Promise<TestClient> {
  const client = await TestClient.ready(gw.url, user.initData);
  clients.push(client);
  return client;
}

beforeAll(async () => {
  cluster = await startRedisCluster({ masters: 3, replicasPerMaster: 1 });
  target = { clusterNodes: cluster.nodes.map((n) => ({ ...n })) };
  const database = await createTestDatabase('gateway_cluster');
  await runMigrations(database.url);
  const client = createDb(database.url, { max: 10 });
  const bus = clusterBus();
  const uc = createUseCases({ db: client.db, bus });
  world = {
    database,
    client,
    bus,
    uc,
    channel: '',
    redisUrl: '',
    async close() {
      await uc.flush();
      await bus.close();
      await client.close();
      await database.drop();
    },
  };
  [gw1, gw2] = await Promise.all([startGateway(world, {}, clusterBus), startGateway(world, {}, clusterBus)]);
  customer = await makeUser(world.uc, 'customer', 'Ann');
  agent = await makeUser(world.uc, 'agent', 'Vera');
}, 60_000);

afterEach(() => {
  for (const c of clients.splice(0)) c.terminate();
});

afterAll(async () => {
  await Promise.all([gw1?.close(), gw2?.close()]);
  await world?.close();
  await cluster?.stop();
});

/** Two tickets on different shards. */
async function twoTickets() {
  const a = await makeTicket(world.uc, customer, 'First');
  let b = await makeTicket(world.uc, customer, 'Second');
  while (shardOf(b.id) === shardOf(a.id)) b = await makeTicket(world.uc, customer, 'Second');
  return [a, b] as const;
}

it('a gateway with sockets on two tickets subscribes to exactly their two shards, and lets go after', async () => {
  const [a, b] = await twoTickets();
  await eventually(async () =>
    expect(await cluster.shardSubscriptions()).toEqual(new Map([['tikethet:ctl', 2]])),
  );
  const one = await connect(gw1, customer);
  const two = await connect(gw1, customer);
  await one.subscribe(`ticket:${a.id}`);
  await two.subscribe(`ticket:${b.id}`);
  await one.subscribe(`ticket:${b.id}`);
  await eventually(async () =>
    expect(await cluster.shardSubscriptions()).toEqual(
      new Map([
        ['tikethet:ctl', 2],
        [shardChannel(shardOf(a.id)), 1],
        [shardChannel(shardOf(b.id)), 1],
      ]),
    ),
  );
  one.terminate();
  two.terminate();
  await eventually(async () =>
    expect(await cluster.shardSubscriptions()).toEqual(new Map([['tikethet:ctl', 2]])),
  );
}, 30_000);

it('an agent on the queue makes their gateway follow every shard, and new tickets on any shard arrive', async () => {
  const staff = await connect(gw2, agent);
  expect(await staff.subscribe('queue')).toMatchObject({ type: 'subscribed', topic: 'queue' });
  // The queue needs every ticket: all 16 shards on gateway 2 (the resync_required tells the client to re-read
  // the list, since shards subscribed after its `subscribed` may have missed something).
  await staff.next((f) => f.type === 'resync_required' && f.topic === 'queue');
  await eventually(async () => {
    const subs = await cluster.shardSubscriptions();
    expect(subs.size).toBe(BUS_SHARDS + 1);
    expect([...subs.entries()].filter(([c]) => c !== 'tikethet:ctl').every(([, n]) => n === 1)).toBe(true);
  });
  const created: Array<{ id: number }> = [];
  for (let i = 0; i < 4; i++) created.push(await makeTicket(world.uc, customer, `Queue ${i}`));
  await eventually(() =>
    expect(
      staff
        .events('queue')
        .filter((e) => e.event.type === 'ticket.created')
        .map((e) => e.event.ticketId),
    ).toEqual(created.map((t) => t.id)),
  );
  staff.terminate();
  await eventually(async () =>
    expect(await cluster.shardSubscriptions()).toEqual(new Map([['tikethet:ctl', 2]])),
  );
}, 30_000);

it('events reach sockets on two gateways, nothing lost or doubled', async () => {
  const [a, b] = await twoTickets();
  const cust = await connect(gw1, customer);
  const staff = await connect(gw2, agent);
  await cust.subscribe(`ticket:${a.id}`);
  await staff.subscribe(`ticket:${a.id}`);
  await staff.subscribe(`ticket:${b.id}`);
  const actor = { id: customer.id, role: 'customer' as const };
  for (let i = 0; i < 15; i++) {
    await world.uc.postMessage(actor, a.id, { body: `a ${i}` });
    await world.uc.postMessage(actor, b.id, { body: `b ${i}` });
  }
  const seqs = (client: TestClient, id: number) => client.events(`ticket:${id}`).map((e) => e.seq);
  const expected = (from: number) => Array.from({ length: 15 }, (_, i) => from + 1 + i);
  await eventually(() => {
    expect(seqs(cust, a.id)).toEqual(expected(a.lastSeq));
    expect(seqs(staff, a.id)).toEqual(expected(a.lastSeq));
    expect(seqs(staff, b.id)).toEqual(expected(b.lastSeq));
  });
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(seqs(cust, a.id)).toEqual(expected(a.lastSeq));
  expect(cust.events(`ticket:${b.id}`)).toEqual([]);
  expect(seqs(staff, b.id)).toEqual(expected(b.lastSeq));
}, 30_000);

it('a killed master: the gateways report the bus down, then catch up from Postgres, nothing lost or doubled', async () => {
  const ticket = await makeTicket(world.uc, customer, 'Failover');
  const cust = await connect(gw1, customer);
  await cust.subscribe(`ticket:${ticket.id}`);
  const actor = { id: customer.id, role: 'customer' as const };
  await world.uc.postMessage(actor, ticket.id, { body: 'before' });
  await eventually(() => expect(cust.events(`ticket:${ticket.id}`)).toHaveLength(1));

  const slotOwner = await cluster.masterOf(hashSlot(shardChannel(shardOf(ticket.id))));
  const survivor = cluster.nodes.find((n) => n.port !== slotOwner)?.port ?? 0;
  await cluster.servers.find((s) => s.port === slotOwner)?.kill();
  // Written while the shard has no master: committed in Postgres, their publishes fail.
  for (let i = 0; i < 5; i++) await world.uc.postMessage(actor, ticket.id, { body: `during ${i}` });
  await cluster.waitUntilOk(30_000);
  expect((await cluster.cli(survivor, 'PING')).trim()).toBe('PONG');
  await world.uc.postMessage(actor, ticket.id, { body: 'after' });

  const expected = Array.from({ length: 7 }, (_, i) => ticket.lastSeq + 1 + i);
  await eventually(
    () => expect(cust.events(`ticket:${ticket.id}`).map((e) => e.seq)).toEqual(expected),
    20_000,
  );
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(cust.events(`ticket:${ticket.id}`).map((e) => e.seq)).toEqual(expected);
  const health = await fetch(`${gw1.httpUrl}/readyz`);
  expect(health.status).toBe(200);
}, 60_000);
