import type { BusMessage } from '@tikethet/domain';
import { type RedisClusterHandle, startRedisCluster } from '@tikethet/testkit';
import type { Bus } from '../contract';
import { createBus } from '../create-bus';
import { hashSlot, shardChannel, shardOf } from '../shards';
import { ticketCreatedEvent } from './helpers/fixtures';
import { recordStatus, sleep, waitFor } from './helpers/wait';

// Three masters with a replica each, on free loopback ports; one master is killed mid-test.
let cluster: RedisClusterHandle;
const buses: Bus[] = [];

beforeAll(async () => {
  cluster = await startRedisCluster({ masters: 3, replicasPerMaster: 1 });
}, 60_000);

afterAll(async () => {
  await Promise.all(buses.map((b) => b.close()));
  await cluster?.stop();
});

const event = (id: number, ticketId: number): BusMessage => ({
  kind: 'event',
  event: ticketCreatedEvent(id, id, ticketId),
});

it('reports down when a master dies and up once its replica serves the shard, then delivers again', async () => {
  const nodes = cluster.nodes.map((n) => ({ ...n }));
  const publisher = createBus({ redis: { clusterNodes: nodes } });
  const receiver = createBus({ redis: { clusterNodes: nodes } });
  buses.push(publisher, receiver);
  const status = recordStatus(receiver);
  const received: BusMessage[] = [];
  receiver.subscribe((m) => received.push(m));
  await waitFor(() => status.includes('up'), 10_000, 'bus up');

  const ticket = 3;
  await publisher.publish(event(1, ticket));
  await waitFor(() => received.length === 1);

  const victim = await cluster.masterOf(hashSlot(shardChannel(shardOf(ticket))));
  await cluster.servers.find((s) => s.port === victim)?.kill();
  await waitFor(() => status.includes('down'), 10_000, 'bus down');
  expect(receiver.healthy).toBe(false);

  // While the slot has no master a publish fails loudly (the relay re-publishes from Postgres), never silently.
  await cluster.waitUntilOk(30_000);
  await waitFor(() => status.at(-1) === 'up', 20_000, 'bus up again');
  expect(status).toEqual(['up', 'down', 'up']);
  expect(await cluster.masterOf(hashSlot(shardChannel(shardOf(ticket))))).not.toBe(victim);

  // The new master serves the shard: a publish after the failover arrives, once.
  for (let attempt = 0; ; attempt++) {
    try {
      await publisher.publish(event(2, ticket));
      break;
    } catch (error) {
      if (attempt > 20) throw error;
      await sleep(200);
    }
  }
  await waitFor(
    () => received.some((m) => m.kind === 'event' && m.event.id === 2),
    10_000,
    'event after failover',
  );
  await sleep(200);
  expect(received.filter((m) => m.kind === 'event' && m.event.id === 2)).toHaveLength(1);
  expect(receiver.healthy).toBe(true);
}, 60_000);
