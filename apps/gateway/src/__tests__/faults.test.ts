import { createRelay, DEFAULT_BUS_CHANNEL, type Relay } from '@tikethet/bus';
import { createPendingEventSource } from '@tikethet/db';
import { type Actor, canSeeEvent } from '@tikethet/domain';
import { eventually, type RedisServerHandle, startRedisServer } from '@tikethet/testkit';
import { type ChildGateway, spawnGateway } from './helpers/child-gateway';
import {
  makeTicket,
  makeUser,
  type RunningGateway,
  startGateway,
  startWorld,
  type World,
} from './helpers/fixture';
import { ResumingClient } from './helpers/resuming-client';

jest.setTimeout(90_000);

let redis: RedisServerHandle;
let world: World;
let relay: Relay;
let child: ChildGateway;
let survivor: RunningGateway;
let childAlive = true;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  redis = await startRedisServer();
  world = await startWorld('gateway_faults', redis.url, DEFAULT_BUS_CHANNEL);
  // What the API runs beside its writes: re-publishes events whose publish failed.
  relay = createRelay({
    source: createPendingEventSource(world.client.db),
    bus: world.bus,
    intervalMs: 500,
    minAgeMs: 1000,
  });
  relay.start();
  const tunables = { SWEEP_INTERVAL_MS: '1000' };
  child = await spawnGateway({ DATABASE_URL: world.database.url, REDIS_URL: redis.url, ...tunables });
  survivor = await startGateway(world, tunables);
});

afterAll(async () => {
  if (childAlive) child.child.kill('SIGKILL');
  await relay.stop();
  await survivor.close();
  await world.close();
  await redis.stop();
});

it('during 1,000 messages, Redis frozen, killed and restarted and a gateway killed: every client ends complete, no duplicate', async () => {
  const [ann, bob] = [
    await makeUser(world.uc, 'customer', 'Ann'),
    await makeUser(world.uc, 'customer', 'Bob'),
  ];
  const [vera, gleb] = [await makeUser(world.uc, 'agent', 'Vera'), await makeUser(world.uc, 'agent', 'Gleb')];
  const t1 = await makeTicket(world.uc, ann, 'first');
  const t2 = await makeTicket(world.uc, bob, 'second');
  const urls = () => (childAlive ? [child.url, survivor.url] : [survivor.url]);
  const clients = [
    { actor: { id: ann.id, role: 'customer' }, client: new ResumingClient(urls, ann.initData, [t1.id], 0) },
    { actor: { id: ann.id, role: 'customer' }, client: new ResumingClient(urls, ann.initData, [t1.id], 1) },
    { actor: { id: bob.id, role: 'customer' }, client: new ResumingClient(urls, bob.initData, [t2.id], 0) },
    {
      actor: { id: vera.id, role: 'agent' },
      client: new ResumingClient(urls, vera.initData, [t1.id, t2.id], 0),
    },
    {
      actor: { id: gleb.id, role: 'agent' },
      client: new ResumingClient(urls, gleb.initData, [t1.id, t2.id], 1),
    },
  ] satisfies Array<{ actor: Actor; client: ResumingClient }>;
  for (const { client } of clients) client.start();
  await eventually(
    () => expect(clients.every(({ client }) => client.received.length >= 2)).toBe(true),
    10_000,
  );

  const failures: unknown[] = [];
  const started = Date.now();
  const posting = (async () => {
    for (let i = 0; i < 1000; i++) {
      const wait = started + i * 11 - Date.now();
      if (wait > 0) await sleep(wait);
      const ticket = i % 2 === 0 ? t1 : t2;
      const customer = i % 2 === 0 ? ann : bob;
      const agent = i % 4 < 2 ? vera : gleb;
      const author: Actor =
        i % 3 === 0 ? { id: customer.id, role: 'customer' } : { id: agent.id, role: 'agent' };
      const internal = author.role === 'agent' && i % 10 === 1;
      await world.uc
        .postMessage(author, ticket.id, { body: `m${i}`, internal })
        .catch((e: unknown) => failures.push(e));
    }
  })();

  await sleep(1000);
  redis.freeze();
  await sleep(5000);
  redis.thaw();
  await sleep(500);
  await redis.kill();
  await sleep(700);
  await redis.restart();
  await sleep(1500);
  child.child.kill('SIGKILL');
  childAlive = false;
  await child.exited;
  await posting;
  expect(failures).toEqual([]);

  for (const { actor, client } of clients) {
    const expected: Array<{ ticketId: number; seq: number }> = [];
    for (const ticketId of client.cursors.keys()) {
      const events = await world.uc.readEvents(ticketId, 0, 10_000);
      for (const e of events) if (canSeeEvent(actor, e)) expected.push({ ticketId, seq: e.seq });
    }
    const byTicket = (list: Array<{ ticketId: number; seq: number }>, id: number) =>
      list.filter((e) => e.ticketId === id).map((e) => e.seq);
    await eventually(() => {
      for (const ticketId of client.cursors.keys()) {
        expect(byTicket(client.received, ticketId).length).toBe(byTicket(expected, ticketId).length);
      }
    }, 30_000);
    for (const ticketId of client.cursors.keys()) {
      expect(byTicket(client.received, ticketId)).toEqual(byTicket(expected, ticketId));
    }
  }
  // The clients that started on the killed gateway did reconnect and resume.
  expect(clients[0]?.client.connects).toBeGreaterThan(1);
  for (const { client } of clients) client.stop();
});
