import type { Bus } from '@tikethet/bus';
import type { Logger } from '@tikethet/config';
import type { UseCases } from '@tikethet/db';
import type { TicketEvent } from '@tikethet/domain';

import { createAssigneeTracker } from './assignees';
import { concernsBot, type EventHandlerDeps, handleEvent } from './handlers';

export const CURSOR_KEY = 'bot:events:cursor';
/** Events younger than this may still have lower-id siblings in open transactions: re-read, not passed. */
const SETTLE_MS = 15_000;
const BATCH = 500;

export interface EventConsumer {
  start(): Promise<void>;
  catchUp(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * At-least-once, idempotent consumption of ticket events: live from the bus, and from Postgres by a durable
 * cursor (kv_state) at start, whenever the bus comes back up, and every few seconds. Sends carry dedupe
 * keys, so handling an event twice changes nothing.
 */
export function createEventConsumer(deps: {
  uc: UseCases;
  bus: Bus;
  handlers: EventHandlerDeps;
  logger: Logger;
  intervalMs: number;
  onEnqueued: () => void;
}): EventConsumer {
  const { uc, bus, logger, intervalMs, onEnqueued } = deps;
  // Every event goes past the tracker, so a customer's message on an unassigned ticket needs no read.
  const assignees = deps.handlers.assignees ?? createAssigneeTracker();
  const handlers: EventHandlerDeps = { ...deps.handlers, assignees };
  let cursor = 0;
  const handled = new Set<number>();
  const inFlight = new Map<number, Promise<boolean>>();
  let catching: Promise<void> | undefined;
  let again = false;
  let timer: NodeJS.Timeout | undefined;
  const unsubscribers: Array<() => void> = [];
  let stopped = false;

  const handleOnce = (event: TicketEvent): Promise<boolean> => {
    assignees.observe(event);
    if (handled.has(event.id) || !concernsBot(event, handlers.runtime.topicsChatId !== undefined))
      return Promise.resolve(true);
    const existing = inFlight.get(event.id);
    if (existing) return existing;
    const task = handleEvent(handlers, event)
      .then((queued) => {
        handled.add(event.id);
        if (queued > 0) onEnqueued();
        return true;
      })
      .catch((error: unknown) => {
        logger.warn({ err: error, eventId: event.id }, 'event not handled yet; the catch-up retries it');
        return false;
      })
      .finally(() => inFlight.delete(event.id));
    inFlight.set(event.id, task);
    return task;
  };

  async function catchUpOnce() {
    for (;;) {
      const events = await uc.readEventsSince(cursor, BATCH);
      const settledBefore = Date.now() - SETTLE_MS;
      let next = cursor;
      let blocked = false;
      for (const event of events) {
        const ok = await handleOnce(event);
        if (!ok) blocked = true;
        if (!blocked && Date.parse(event.createdAt) < settledBefore) next = event.id;
        else blocked = true;
      }
      const advanced = next !== cursor;
      if (advanced) {
        cursor = next;
        for (const id of handled) if (id <= cursor) handled.delete(id);
        await uc.setState(CURSOR_KEY, { eventId: cursor });
      }
      if (events.length < BATCH || !advanced) return;
    }
  }

  const catchUp = async (): Promise<void> => {
    if (catching) {
      again = true;
      return catching;
    }
    catching = (async () => {
      do {
        again = false;
        try {
          await catchUpOnce();
        } catch (error) {
          if (!stopped) logger.warn({ err: error }, 'event catch-up failed; retrying later');
        }
      } while (again && !stopped);
    })().finally(() => {
      catching = undefined;
    });
    return catching;
  };

  return {
    async start() {
      const saved = (await uc.getState(CURSOR_KEY)) as { eventId?: unknown } | null;
      if (saved && typeof saved.eventId === 'number') cursor = saved.eventId;
      else {
        // First run: start from now, not from the whole history.
        cursor = await uc.lastEventId();
        await uc.setState(CURSOR_KEY, { eventId: cursor });
      }
      unsubscribers.push(
        bus.subscribe((message) => {
          if (message.kind === 'event' && !stopped) void handleOnce(message.event);
        }),
        bus.onStatus((status) => {
          if (status === 'up' && !stopped) void catchUp();
        }),
      );
      await catchUp();
      timer = setInterval(() => void catchUp(), intervalMs);
    },
    catchUp,
    async stop() {
      stopped = true;
      clearInterval(timer);
      for (const off of unsubscribers) off();
      await catching;
      await Promise.allSettled([...inFlight.values()]);
    },
  };
}
