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
