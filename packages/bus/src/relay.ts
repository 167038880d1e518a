import { createLogger, type Logger } from '@tikethet/config';
import { type Bus, type PendingEventSource, publishAll } from './contract';

export interface RelayOptions {
  source: PendingEventSource;
  bus: Bus;
  /** Pause between runs. Default 1000. */
  intervalMs?: number;
  /** Only events at least this old: younger ones are still being published by their writer. Default 2000. */
  minAgeMs?: number;
  /** Events per batch. Default 500. */
  batch?: number;
  /** Most batches drained in one run, so a source that never marks cannot spin forever. Default 20. */
  maxBatchesPerRun?: number;
  logger?: Logger;
}

export interface Relay {
  /** Runs now and then every `intervalMs` after the previous run ends. Idempotent. */
  start(): void;
  /** Stops scheduling and waits for a run in progress. */
  stop(): Promise<void>;
  /**
   * One run: publish what is pending, mark what was published; resolves with how many were published.
   * Rejects when the source or the bus fails (after marking what did get out). While a run is in
   * progress, a second call joins it instead of starting another.
   */
  runOnce(): Promise<number>;
}

/** Re-publishes committed events whose publication was never confirmed (at-least-once delivery). */
export function createRelay(options: RelayOptions): Relay {
  const { source, bus } = options;
  const intervalMs = options.intervalMs ?? 1000;
  const minAgeMs = options.minAgeMs ?? 2000;
  const batch = options.batch ?? 500;
  const maxBatches = options.maxBatchesPerRun ?? 20;
  const logger = options.logger ?? createLogger('bus:relay');
  let running: Promise<number> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let started = false;

  async function publishBatch(): Promise<{ published: number; full: boolean }> {
    let published = 0;
    let failure: { count: number; reason: unknown } | undefined;
    const handed = await source.drain(batch, minAgeMs, async (events) => {
      const results = await publishAll(
        bus,
        events.map((event) => ({ kind: 'event', event })),
      );
      const ids = events.filter((_, i) => results[i]?.status === 'fulfilled').map((event) => event.id);
      published = ids.length;
      const rejected = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (rejected) failure = { count: events.length - ids.length, reason: rejected.reason };
      return ids;
    });
    if (failure) {
      throw new Error(`relay: ${failure.count} of ${handed} events not published`, { cause: failure.reason });
    }
    return { published, full: handed >= batch };
  }

  async function run(): Promise<number> {
    let total = 0;
    for (let i = 0; i < maxBatches; i++) {
      const { published, full } = await publishBatch();
      total += published;
      if (!full) break;
    }
    if (total > 0) logger.info({ published: total }, 'relay re-published pending events');
    return total;
  }

  function runOnce(): Promise<number> {
    running ??= run().finally(() => {
      running = undefined;
    });
    return running;
  }

  function schedule(delayMs: number): void {
    if (!started) return;
    timer = setTimeout(tick, delayMs);
    timer.unref();
  }

  function tick(): void {
    timer = undefined;
    runOnce().then(
      () => schedule(intervalMs),
      (err: unknown) => {
        logger.warn({ err }, 'relay run failed; retrying next tick');
        schedule(intervalMs);
      },
    );
  }

  return {
    start() {
      if (started) return;
      started = true;
      schedule(0);
    },
    async stop() {
      started = false;
      if (timer) clearTimeout(timer);
      timer = undefined;
      if (running) await running.catch(() => undefined);
    },
    runOnce,
  };
}
