import type { BusMessage } from '@tikethet/domain';
import { type RedisClusterHandle, startRedisCluster } from '@tikethet/testkit';
import type { Bus } from '../contract';
import { createBus } from '../create-bus';
import { ALL_SHARD_CHANNELS, BUS_SHARDS, CONTROL_CHANNEL, hashSlot, shardChannel, shardOf } from '../shards';
import { roleChanged, ticketCreatedEvent } from './helpers/fixtures';
import { recordStatus, sleep, waitFor } from './helpers/wait';

// A real 3-master Redis Cluster on free loopback ports, started and torn down by this file.
let cluster: RedisClusterHandle;
const buses: Bus[] = [];

function bus(): Bus {
  const created = createBus({ redis: { clusterNodes: cluster.nodes.map((n) => ({ ...n })) } });
  buses.push(created);
  return created;
}

const event = (id: number, ticketId: number, seq: number): BusMessage => ({
  kind: 'event',
  event: ticketCreatedEvent(id, seq, ticketId),
});

beforeAll(async () => {
  cluster = await startRedisCluster({ masters: 3 });
}, 60_000);

afterEach(async () => {
  await Promise.all(buses.splice(0).map((b) => b.close()));
});

afterAll(async () => {
  await cluster?.stop();
});

describe('sharded bus on a 3-master Redis Cluster', () => {
  it('maps channels to the slots Redis itself computes, spread over every master', async () => {
    const masters = new Set<number>();
    for (const channel of [...ALL_SHARD_CHANNELS, CONTROL_CHANNEL, '{tikethet:bot:send}:log:1', 'plain']) {
      const port = cluster.nodes[0]?.port ?? 0;
      expect(Number((await cluster.cli(port, 'CLUSTER', 'KEYSLOT', channel)).trim())).toBe(hashSlot(channel));
      if (channel.startsWith('tikethet:ev:')) masters.add(await cluster.masterOf(hashSlot(channel)));
    }
    expect(masters.size).toBe(3);
    expect(shardChannel(shardOf(BUS_SHARDS + 3))).toBe('tikethet:ev:{3}');
  });

  it('subscribes a process to exactly the shards of the tickets it follows', async () => {
    const gateway = bus();
    const status = recordStatus(gateway);
    gateway.subscribe(() => undefined, { tickets: 'followed' });
    await waitFor(() => status.includes('up'), 10_000, 'bus up');
    expect(await cluster.shardSubscriptions()).toEqual(new Map([[CONTROL_CHANNEL, 1]]));

    const first = gateway.follow?.(17);
    const second = gateway.follow?.(2);
    await expect(first?.ready).resolves.toBe('subscribed');
    await expect(second?.ready).resolves.toBe('subscribed');
    // A third ticket on a shard already held costs nothing.
    await expect(gateway.follow?.(BUS_SHARDS + 1).ready).resolves.toBe('already');
    expect(await cluster.shardSubscriptions()).toEqual(
      new Map([
        [CONTROL_CHANNEL, 1],
        ['tikethet:ev:{1}', 1],
        ['tikethet:ev:{2}', 1],
      ]),
    );

    second?.release();
    await sleep(200);
    expect([...(await cluster.shardSubscriptions()).keys()].sort()).toEqual([
      CONTROL_CHANNEL,
      'tikethet:ev:{1}',
    ]);
    expect(status).toEqual(['up']);
  }, 30_000);

  it('delivers to two processes each what they follow, nothing lost or doubled', async () => {
    const publisher = bus();
    const a = bus();
    const b = bus();
    const got = { a: [] as BusMessage[], b: [] as BusMessage[] };
    a.subscribe((m) => got.a.push(m), { tickets: 'followed' });
    b.subscribe((m) => got.b.push(m), { tickets: 'followed' });
    const ticketsA = [1, 5, 9];
    const ticketsB = [5, 12];
    await Promise.all([
      ...ticketsA.map((t) => a.follow?.(t).ready),
      ...ticketsB.map((t) => b.follow?.(t).ready),
    ]);

    // 40 tickets x 5 events, half of them in one publishMany batch.
    const messages: BusMessage[] = [];
    let id = 0;
    for (let seq = 1; seq <= 5; seq++) for (let t = 1; t <= 40; t++) messages.push(event(++id, t, seq));
    const results = await publisher.publishMany?.(messages.slice(0, 100));
    expect(results?.every((r) => r.status === 'fulfilled')).toBe(true);
    for (const message of messages.slice(100)) await publisher.publish(message);
    await publisher.publish(roleChanged(77));

    const ids = (list: BusMessage[], tickets: number[]) =>
      list
        .flatMap((m) => (m.kind === 'event' && tickets.includes(m.event.ticketId) ? [m.event.id] : []))
        .sort((x, y) => x - y);
    const expected = (tickets: number[]) => ids(messages, tickets);
    await waitFor(() => ids(got.a, ticketsA).length >= 15 && ids(got.b, ticketsB).length >= 10, 10_000);
    await waitFor(
      () => got.a.some((m) => m.kind === 'role_changed') && got.b.some((m) => m.kind === 'role_changed'),
    );
    await sleep(200);
    expect(ids(got.a, ticketsA)).toEqual(expected(ticketsA));
    expect(ids(got.b, ticketsB)).toEqual(expected(ticketsB));
    // Per ticket, in seq order.
    const seqsOf = (list: BusMessage[], ticket: number) =>
      list.flatMap((m) => (m.kind === 'event' && m.event.ticketId === ticket ? [m.event.seq] : []));
    expect(seqsOf(got.a, 9)).toEqual([1, 2, 3, 4, 5]);
    // Only the followed shards arrive at all: b never sees ticket 1's shard.
    const shardsSeen = new Set(got.b.flatMap((m) => (m.kind === 'event' ? [shardOf(m.event.ticketId)] : [])));
    expect([...shardsSeen].sort((x, y) => x - y)).toEqual([5, 12]);
  }, 30_000);

  it('gives an `all` subscriber every shard', async () => {
    const publisher = bus();
    const everything = bus();
    const received: BusMessage[] = [];
    const status = recordStatus(everything);
    everything.subscribe((m) => received.push(m));
    await waitFor(() => status.includes('up'), 10_000, 'bus up');
    expect((await cluster.shardSubscriptions()).size).toBe(BUS_SHARDS + 1);
    for (let t = 1; t <= BUS_SHARDS * 2; t++) await publisher.publish(event(t, t, 1));
    await waitFor(() => received.length === BUS_SHARDS * 2, 10_000, 'every event');
    expect(everything.healthy).toBe(true);
  }, 30_000);
});
