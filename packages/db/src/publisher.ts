import { type Bus, publishAll } from '@tikethet/bus';
import type { Logger } from '@tikethet/config';
import type { BusMessage, TicketEvent } from '@tikethet/domain';
import { inArray } from 'drizzle-orm';
import type { Database } from './client';
import { events } from './schema';

export interface EventPublisher {
  /** Called after commit only. Publishes in the background; failures are left to the relay. */
  afterCommit(ticketEvents: TicketEvent[], extra: BusMessage[]): void;
  /** Resolves when everything handed over so far has been published (or has failed) and marked. */
  flush(): Promise<void>;
}

/**
 * Publishes committed events and marks them published in batches (one UPDATE per tick, not per event).
 * An event whose publish fails stays unmarked and the relay sends it again.
 */
export function createEventPublisher(db: Database, bus: Bus, logger: Logger): EventPublisher {
  let toMark: number[] = [];
  let markTimer: NodeJS.Timeout | undefined;
  const inFlight = new Set<Promise<unknown>>();

  const track = (p: Promise<unknown>) => {
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  };

  const markNow = async () => {
    markTimer = undefined;
    const ids = toMark;
    toMark = [];
    if (ids.length === 0) return;
    try {
      await db.update(events).set({ publishedAt: new Date().toISOString() }).where(inArray(events.id, ids));
    } catch (error) {
      logger.warn(
        { err: error, count: ids.length },
        'could not mark events published; the relay will resend them',
      );
    }
  };

  const scheduleMark = () => {
    if (!markTimer) {
      markTimer = setTimeout(() => track(markNow()), 50);
      markTimer.unref();
    }
  };

  return {
    afterCommit(ticketEvents, extra) {
      const messages: BusMessage[] = [
        ...ticketEvents.map((event): BusMessage => ({ kind: 'event', event })),
        ...extra,
      ];
      track(
        publishAll(bus, messages).then((results) => {
          results.forEach((result, i) => {
            const event = ticketEvents[i];
            if (result.status === 'fulfilled') {
              if (event) toMark.push(event.id);
            } else if (event) {
              logger.warn({ err: result.reason, eventId: event.id }, 'publish failed; the relay will resend');
            } else {
              logger.warn({ err: result.reason }, 'publish failed');
            }
          });
          if (toMark.length > 0) scheduleMark();
        }),
      );
    },
    async flush() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
      if (markTimer) {
        clearTimeout(markTimer);
        await markNow();
      }
    },
  };
}
