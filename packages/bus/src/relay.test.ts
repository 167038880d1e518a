import type { BusMessage, TicketEvent } from '@tikethet/domain';
import { ticketCreatedEvent } from './__tests__/helpers/fixtures';
import { sleep, waitFor } from './__tests__/helpers/wait';
import type { Bus, PendingEventSource } from './contract';
import { createMemoryBus } from './memory-bus';
import { createRelay } from './relay';

/** Pending events in memory, with switches for failures and slowness. */
class FakeSource implements PendingEventSource {
  readonly published = new Set<number>();
  readonly calls: Array<{ limit: number; minAgeMs: number }> = [];
  failNext = 0;
  delayMs = 0;
  inFlight = 0;
  maxInFlight = 0;

  constructor(readonly events: TicketEvent[]) {}

  async unpublished(limit: number, minAgeMs: number): Promise<TicketEvent[]> {
    this.calls.push({ limit, minAgeMs });
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (this.delayMs) await sleep(this.delayMs);
      if (this.failNext > 0) {
        this.failNext--;
        throw new Error('database unavailable');
      }
      return this.events.filter((e) => !this.published.has(e.id)).slice(0, limit);
    } finally {
      this.inFlight--;
    }
  }

  async markPublished(eventIds: number[]): Promise<void> {
    for (const id of eventIds) this.published.add(id);
  }

  async drain(
    limit: number,
    minAgeMs: number,
    publish: (events: TicketEvent[]) => Promise<number[]>,
  ): Promise<number> {
    const events = await this.unpublished(limit, minAgeMs);
    if (events.length > 0) await this.markPublished(await publish(events));
    return events.length;
  }
}

/** A bus that records publishes and can be switched off, or refuse particular events. */
class FlakyBus implements Bus {
  readonly sent: BusMessage[] = [];
  down = false;
  refuse = new Set<number>();
  healthy = true;

  async publish(message: BusMessage): Promise<void> {
    if (this.down) throw new Error('redis down');
    if (message.kind === 'event' && this.refuse.has(message.event.id)) throw new Error('refused');
    this.sent.push(message);
  }
  subscribe(): () => void {
    return () => undefined;
  }
  onStatus(): () => void {
    return () => undefined;
  }
  async close(): Promise<void> {}
}

const events = (n: number) => Array.from({ length: n }, (_, i) => ticketCreatedEvent(i + 1, i + 1));

describe('relay', () => {
  it('publishes pending events as bus events and marks them', async () => {
    const source = new FakeSource(events(3));
    const bus = createMemoryBus();
    const received: BusMessage[] = [];
    bus.subscribe((m) => received.push(m));
    const relay = createRelay({ source, bus, minAgeMs: 1234, batch: 50 });

    expect(await relay.runOnce()).toBe(3);
    expect([...source.published]).toEqual([1, 2, 3]);
    expect(source.calls[0]).toEqual({ limit: 50, minAgeMs: 1234 });
    await waitFor(() => received.length === 3);
    expect(received).toEqual(source.events.map((event) => ({ kind: 'event', event })));
    expect(await relay.runOnce()).toBe(0);
    await bus.close();
  });

  it('drains several batches in one run', async () => {
    const source = new FakeSource(events(5));
    const bus = new FlakyBus();
    const relay = createRelay({ source, bus, batch: 2 });
    expect(await relay.runOnce()).toBe(5);
    expect(bus.sent).toHaveLength(5);
  });

  it('marks nothing while the bus fails, and publishes once it is back', async () => {
    const source = new FakeSource(events(2));
    const bus = new FlakyBus();
    bus.down = true;
    const relay = createRelay({ source, bus });
    await expect(relay.runOnce()).rejects.toThrow(/not published/);
    expect(source.published.size).toBe(0);
    bus.down = false;
    expect(await relay.runOnce()).toBe(2);
    expect(source.published.size).toBe(2);
  });

  it('marks what did get out when part of a batch fails', async () => {
    const source = new FakeSource(events(3));
    const bus = new FlakyBus();
    bus.refuse.add(2);
    const relay = createRelay({ source, bus });
    await expect(relay.runOnce()).rejects.toThrow(/1 of 3/);
    expect([...source.published]).toEqual([1, 3]);
  });

  it('keeps running on its timer through source and bus errors', async () => {
    const source = new FakeSource(events(4));
    source.failNext = 2;
    const bus = new FlakyBus();
    bus.down = true;
    const relay = createRelay({ source, bus, intervalMs: 10 });
    relay.start();
    await waitFor(() => source.calls.length >= 4, 5000, 'retries');
    bus.down = false;
    await waitFor(() => source.published.size === 4, 5000, 'all published');
    await relay.stop();
    expect(bus.sent).toHaveLength(4);
  });

  it('never runs twice at once', async () => {
    const source = new FakeSource(events(2));
    source.delayMs = 50;
    const bus = new FlakyBus();
    const relay = createRelay({ source, bus, intervalMs: 1 });
    const first = relay.runOnce();
    const second = relay.runOnce();
    expect(second).toBe(first);
    relay.start();
    await expect(first).resolves.toBe(2);
    await sleep(200);
    await relay.stop();
    expect(source.maxInFlight).toBe(1);
    expect(bus.sent).toHaveLength(2);
  });

  it('stop waits for the run in progress and schedules no more', async () => {
    const source = new FakeSource(events(1));
    source.delayMs = 50;
    const bus = new FlakyBus();
    const relay = createRelay({ source, bus, intervalMs: 5 });
    relay.start();
    await waitFor(() => source.inFlight === 1);
    await relay.stop();
    expect(source.inFlight).toBe(0);
    expect(source.published.size).toBe(1);
    const calls = source.calls.length;
    await sleep(50);
    expect(source.calls.length).toBe(calls);
  });
});
