import type { Logger } from '@tikethet/config';
import { testRedisUrl } from '@tikethet/testkit';
import { Redis } from 'ioredis';
import type { Bus } from '../contract';
import { createMemoryBus } from '../memory-bus';
import { createRedisBus } from '../redis-bus';
import { eventMessage, roleChanged, schemaViolating, uniqueChannel } from './helpers/fixtures';
import { captureLogger, collect, recordStatus, sleep, waitFor } from './helpers/wait';

interface Harness {
  bus: Bus;
  /** Puts raw bytes on the wire, where the implementation has one. */
  injectRaw?: (raw: string) => Promise<void>;
  cleanup(): Promise<void>;
}

const implementations: Array<[string, (logger: Logger) => Harness]> = [
  [
    'memory',
    (logger) => {
      const bus = createMemoryBus({ logger });
      return { bus, cleanup: () => bus.close() };
    },
  ],
  [
    'redis',
    (logger) => {
      const channel = uniqueChannel('contract');
      const bus = createRedisBus({ url: testRedisUrl(), channel, logger });
      const raw = new Redis(testRedisUrl());
      return {
        bus,
        injectRaw: async (text) => {
          await raw.publish(channel, text);
        },
        cleanup: async () => {
          await bus.close();
          await raw.quit();
        },
      };
    },
  ],
];

describe.each(implementations)('%s bus', (_name, make) => {
  let harness: Harness;
  let logLines: ReturnType<typeof captureLogger>['lines'];

  beforeEach(() => {
    const capture = captureLogger();
    logLines = capture.lines;
    harness = make(capture.logger);
  });
  afterEach(async () => {
    await harness.cleanup();
  });

  async function subscribed(): Promise<ReturnType<typeof collect>> {
    const status = recordStatus(harness.bus);
    const sink = collect(harness.bus);
    await waitFor(() => status.includes('up'), 5000, 'up');
    expect(harness.bus.healthy).toBe(true);
    return sink;
  }

  it('round-trips messages in order, parsed and validated', async () => {
    const { received } = await subscribed();
    await harness.bus.publish(eventMessage(1, 1));
    await harness.bus.publish(roleChanged(42));
    await waitFor(() => received.length === 2);
    expect(received).toEqual([eventMessage(1, 1), roleChanged(42)]);
  });

  it('delivers asynchronously, never inside publish', async () => {
    const { received } = await subscribed();
    const publishing = harness.bus.publish(roleChanged(1));
    expect(received).toHaveLength(0);
    await publishing;
    await waitFor(() => received.length === 1);
  });

  it('gives every handler its copy; unsubscribing stops only that handler', async () => {
    const a = await subscribed();
    const b = collect(harness.bus);
    await harness.bus.publish(roleChanged(1));
    await waitFor(() => a.received.length === 1 && b.received.length === 1);
    b.off();
    await harness.bus.publish(roleChanged(2));
    await waitFor(() => a.received.length === 2);
    await sleep(50);
    expect(b.received).toHaveLength(1);
  });

  it('keeps delivering to the other handlers when one throws', async () => {
    harness.bus.subscribe(() => {
      throw new Error('boom');
    });
    const { received } = await subscribed();
    await harness.bus.publish(roleChanged(1));
    await harness.bus.publish(roleChanged(2));
    await waitFor(() => received.length === 2);
    expect(logLines().filter((line) => line.msg === 'bus handler threw')).toHaveLength(2);
  });

  it('drops and logs messages that violate the schema, then delivers later valid ones', async () => {
    const { received } = await subscribed();
    await harness.bus.publish(schemaViolating());
    if (harness.injectRaw) {
      await harness.injectRaw('{not json');
      await harness.injectRaw(JSON.stringify({ kind: 'nonsense' }));
    }
    await harness.bus.publish(roleChanged(3));
    await waitFor(() => received.length === 1);
    expect(received).toEqual([roleChanged(3)]);
    const expected = harness.injectRaw ? 3 : 1;
    const dropped = () => logLines().filter((line) => line.level === 40 && line.msg.includes('dropped'));
    await waitFor(() => dropped().length >= expected, 2000, 'warnings');
    expect(dropped()).toHaveLength(expected);
  });

  it('rejects publish after close', async () => {
    await harness.bus.close();
    await expect(harness.bus.publish(roleChanged(1))).rejects.toThrow(/closed/);
    expect(harness.bus.healthy).toBe(false);
  });
});
