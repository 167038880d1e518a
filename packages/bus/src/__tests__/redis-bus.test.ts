import { type RedisServerHandle, startRedisServer, testRedisUrl } from '@tikethet/testkit';
import { Redis } from 'ioredis';
import type { Bus } from '../contract';
import { createRedisBus } from '../redis-bus';
import { roleChanged, uniqueChannel } from './helpers/fixtures';
import { collect, recordStatus, waitFor } from './helpers/wait';

describe('redis bus: one subscription per process', () => {
  it('holds exactly one SUBSCRIBE however many handlers subscribe', async () => {
    const channel = uniqueChannel('numsub');
    const bus = createRedisBus({ url: testRedisUrl(), channel });
    const admin = new Redis(testRedisUrl());
    try {
      const status = recordStatus(bus);
      const sinks = [collect(bus), collect(bus), collect(bus)];
      await waitFor(() => status.includes('up'));
      sinks.push(collect(bus));
      expect(await admin.pubsub('NUMSUB', channel)).toEqual([channel, 1]);
      await bus.publish(roleChanged(5));
      await waitFor(() => sinks.every((s) => s.received.length === 1));
      expect(status).toEqual(['up']);
    } finally {
      await bus.close();
      await admin.quit();
    }
  });

  it('publishes a batch in order (one pipeline) and settles each message', async () => {
    const bus = createRedisBus({ url: testRedisUrl(), channel: uniqueChannel('many') });
    try {
      const status = recordStatus(bus);
      const { received } = collect(bus);
      await waitFor(() => status.includes('up'));
      const batch = Array.from({ length: 50 }, (_, i) => roleChanged(i + 1));
      const results = await bus.publishMany?.(batch);
      expect(results?.map((r) => r.status)).toEqual(batch.map(() => 'fulfilled'));
      await waitFor(() => received.length === 50);
      expect(received).toEqual(batch);
    } finally {
      await bus.close();
    }
  });

  it('opens no subscriber connection for a publish-only bus', async () => {
    const channel = uniqueChannel('pubonly');
    const bus = createRedisBus({ url: testRedisUrl(), channel });
    const admin = new Redis(testRedisUrl());
    try {
      await bus.publish(roleChanged(1));
      expect(await admin.pubsub('NUMSUB', channel)).toEqual([channel, 0]);
      expect(bus.healthy).toBe(true);
    } finally {
      await bus.close();
      await admin.quit();
    }
  });
});

describe('redis bus: faults on a private redis-server', () => {
  let server: RedisServerHandle;
  let bus: Bus;

  beforeEach(async () => {
    server = await startRedisServer();
    bus = createRedisBus({
      url: server.url,
      channel: uniqueChannel('faults'),
      publishTimeoutMs: 1000,
      healthCheckIntervalMs: 200,
      maxReconnectDelayMs: 200,
    });
  });
  afterEach(async () => {
    await bus.close();
    await server.stop();
  });

  it('reports down then up when the subscriber is killed, and keeps delivering', async () => {
    const status = recordStatus(bus);
    const { received } = collect(bus);
    await waitFor(() => status.includes('up'));
    const admin = new Redis(server.url);
    try {
      expect(await admin.client('KILL', 'TYPE', 'pubsub')).toBe(1);
    } finally {
      await admin.quit();
    }
    await waitFor(() => status.length >= 3, 5000, 'down then up');
    expect(status).toEqual(['up', 'down', 'up']);
    expect(bus.healthy).toBe(true);
    await bus.publish(roleChanged(9));
    await waitFor(() => received.length === 1);
    expect(received).toEqual([roleChanged(9)]);
  });

  it('bounds publish while the server hangs or is gone, and recovers after a restart', async () => {
    const status = recordStatus(bus);
    const { received } = collect(bus);
    await waitFor(() => status.includes('up'));

    server.freeze();
    let started = Date.now();
    await expect(bus.publish(roleChanged(1))).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(2500);
    await waitFor(() => status.includes('down'), 5000, 'down while frozen');
    expect(bus.healthy).toBe(false);

    await server.kill();
    started = Date.now();
    await expect(bus.publish(roleChanged(2))).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(2500);

    await server.restart();
    await waitFor(() => status.at(-1) === 'up' && bus.healthy, 10_000, 'up after restart');
    await bus.publish(roleChanged(3));
    await waitFor(() => received.some((m) => m.kind === 'role_changed' && m.userId === 3));
  });

  it('settles every message of a batch as failed while the server is gone, and publishes again after', async () => {
    const status = recordStatus(bus);
    const { received } = collect(bus);
    await waitFor(() => status.includes('up'));
    await server.kill();
    const failed = await bus.publishMany?.([roleChanged(11), roleChanged(12)]);
    expect(failed?.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    await server.restart();
    await waitFor(() => status.at(-1) === 'up' && bus.healthy, 10_000, 'up after restart');
    const sent = await bus.publishMany?.([roleChanged(13), roleChanged(14)]);
    expect(sent?.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
    await waitFor(() => received.length === 2);
    expect(received).toEqual([roleChanged(13), roleChanged(14)]);
  });

  it('comes back after a hang without a restart', async () => {
    const status = recordStatus(bus);
    const { received } = collect(bus);
    await waitFor(() => status.includes('up'));
    server.freeze();
    await waitFor(() => status.includes('down'), 5000, 'down while frozen');
    server.thaw();
    await waitFor(() => status.at(-1) === 'up' && bus.healthy, 10_000, 'up after thaw');
    await bus.publish(roleChanged(4));
    await waitFor(() => received.some((m) => m.kind === 'role_changed' && m.userId === 4));
  });

  it('connects late when redis is not there at first', async () => {
    await server.kill();
    const status = recordStatus(bus);
    const { received } = collect(bus);
    await expect(bus.publish(roleChanged(1))).rejects.toThrow();
    await server.restart();
    await waitFor(() => status.includes('up'), 10_000, 'up');
    await bus.publish(roleChanged(2));
    await waitFor(() => received.length >= 1);
    expect(received.at(-1)).toEqual(roleChanged(2));
  });
});
