import type { BusMessage, TicketEvent } from '@tikethet/domain';

// The bus contract: what every bus implementation keeps, what the publisher and the relay rely on.

/**
 * What a subscriber needs: `all` (the default) every message; `followed` only the tickets named through
 * `Bus.follow` (plus role changes). Buses that broadcast everything anyway (in-process, one Redis) ignore it.
 */
export interface BusSubscribeOptions {
  tickets?: 'all' | 'followed';
}

/** Interest in one ticket's messages (or every ticket's) on a sharded bus; `release` ends it. */
export interface BusFollow {
  /**
   * Resolves once the ticket's messages arrive here: `already` when they did before the call, `subscribed`
   * when its shard had to be subscribed (messages published meanwhile were missed: read them from Postgres).
   */
  readonly ready: Promise<'already' | 'subscribed'>;
  release(): void;
}

/** The one contract every bus implementation (Redis, Redis Cluster, in-process) keeps. */
export interface Bus {
  publish(message: BusMessage): Promise<void>;
  /** Several messages in order, in one write where the transport allows it; settles per message. */
  publishMany?(messages: BusMessage[]): Promise<Array<PromiseSettledResult<void>>>;
  /** Handlers receive parsed messages only; what does not parse is logged and dropped. */
  subscribe(handler: (message: BusMessage) => void, options?: BusSubscribeOptions): () => void;
  /** Sharded buses only: receive this ticket's messages (`all`: every ticket's) until released. */
  follow?(ticketId: number | 'all'): BusFollow;
  /** Called with `up` after every (re)subscription and `down` when the link is lost. */
  onStatus(listener: (status: 'up' | 'down') => void): () => void;
  readonly healthy: boolean;
  close(): Promise<void>;
}

/** Publishes several messages at once (one write on buses that can), settling per message. */
export function publishAll(bus: Bus, messages: BusMessage[]): Promise<Array<PromiseSettledResult<void>>> {
  if (messages.length > 1 && bus.publishMany) return bus.publishMany(messages);
  return Promise.allSettled(messages.map((message) => bus.publish(message)));
}

/**
 * Committed events whose publication is not yet confirmed (a crash between commit and publish).
 * `packages/db` implements it over the `events` table; the relay in `packages/bus` drains it.
 */
export interface PendingEventSource {
  /** Up to `limit` committed, unpublished events older than `minAgeMs`, oldest first. */
  unpublished(limit: number, minAgeMs: number): Promise<TicketEvent[]>;
  markPublished(eventIds: number[]): Promise<void>;
  /**
   * Hands up to `limit` of them (oldest first) to `publish` and marks the ids it returns, holding them
   * meanwhile so that relays of other instances skip them instead of publishing them a second time.
   * Resolves with how many were handed over.
   */
  drain(
    limit: number,
    minAgeMs: number,
    publish: (events: TicketEvent[]) => Promise<number[]>,
  ): Promise<number>;
}
