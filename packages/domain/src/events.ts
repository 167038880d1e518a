import { z } from 'zod';
import { ratingSchema } from './catalog';
import { idSchema, isoDateSchema, telegramIdSchema } from './common';
import { messageSchema } from './message';
import { roleSchema } from './roles';
import { slaAlertSchema } from './service-levels';
import { ticketSchema } from './ticket';

/** Fields of every stored ticket event: `seq` is gap-free per ticket, in commit order. */
const storedEventBase = {
  id: z.number().int().positive(),
  ticketId: idSchema,
  seq: z.number().int().positive(),
  /** The ticket's customer: lets receivers route without a database read. */
  customerId: telegramIdSchema,
  /** Internal events (notes) are for staff only. */
  internal: z.boolean(),
  actorId: telegramIdSchema.nullable(),
  createdAt: isoDateSchema,
};

export const ticketEventSchema = z.discriminatedUnion('type', [
  z.object({
    ...storedEventBase,
    type: z.literal('ticket.created'),
    data: z.object({ ticket: ticketSchema }),
  }),
  z.object({
    ...storedEventBase,
    type: z.literal('ticket.updated'),
    data: z.object({
      ticket: ticketSchema,
      changes: z.array(z.string()),
      /** With `changes: ["sla"]`: the SLA timer job's warning (15 minutes before) or breach. */
      slaAlert: slaAlertSchema.optional(),
    }),
  }),
  z.object({
    ...storedEventBase,
    type: z.literal('message.created'),
    /** `mergedFrom`: the message moved here from that ticket by a merge (old news: the bot tells no one). */
    data: z.object({ message: messageSchema, mergedFrom: idSchema.optional() }),
  }),
  z.object({
    ...storedEventBase,
    type: z.literal('message.updated'),
    data: z.object({ message: messageSchema }),
  }),
  z.object({
    ...storedEventBase,
    type: z.literal('ticket.rated'),
    data: z.object({ ticket: ticketSchema, rating: ratingSchema }),
  }),
]);
export type TicketEvent = z.infer<typeof ticketEventSchema>;
export type TicketEventType = TicketEvent['type'];
export const ticketEventTypes = [
  'ticket.created',
  'ticket.updated',
  'message.created',
  'message.updated',
  'ticket.rated',
] as const;

/** An event before it is stored: the use-case fills in id, seq and createdAt. */
export type NewTicketEvent = {
  [K in TicketEvent as K['type']]: Pick<K, 'type' | 'data' | 'internal' | 'actorId'>;
}[TicketEventType];

const personSchema = z.object({ id: telegramIdSchema, name: z.string(), role: roleSchema });

/** Everything that travels on the bus. Ticket events are wake-ups for what Postgres already holds. */
export const busMessageSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('event'), event: ticketEventSchema }),
  z.object({
    kind: z.literal('typing'),
    ticketId: idSchema,
    customerId: telegramIdSchema,
    internal: z.boolean(),
    user: personSchema,
  }),
  z.object({
    kind: z.literal('presence'),
    ticketId: idSchema,
    customerId: telegramIdSchema,
    source: z.string().max(100),
    viewers: z.array(personSchema),
  }),
  z.object({ kind: z.literal('role_changed'), userId: telegramIdSchema, role: roleSchema }),
]);
export type BusMessage = z.infer<typeof busMessageSchema>;
export type Person = z.infer<typeof personSchema>;

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
