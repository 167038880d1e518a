import { z } from 'zod';
import { type CLIENT_FRAME_TYPES, type ClientFrame, ERROR_CODES, type ServerFrame } from '../frames';
import { QUEUE_TOPIC, type TicketTopicName, ticketIdOfTopic, ticketTopic } from '../topics';

/**
 * The frames as zod schemas: the gateway validates client frames with `clientFrameSchema`, and the AsyncAPI
 * document (../asyncapi) is generated from these, so neither can drift from the types in ../frames.ts (checked
 * both ways at compile time below). A separate entry point (`@tikethet/protocol/schemas`), so the Mini App's
 * bundle of the main entry stays free of zod.
 */

/** A topic the client may name: one ticket's stream or the agents' queue. */
export type Topic =
  | { kind: 'ticket'; ticketId: number; name: TicketTopicName }
  | { kind: 'queue'; name: 'queue' };

const ticketIdSchema = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

/** What a client names: `queue` or `ticket:<positive id>`, read into a `Topic`. */
export const topicSchema = z
  .string()
  .max(64)
  .meta({ description: '"queue" (staff) or "ticket:<id>"' })
  .transform((value, ctx): Topic => {
    if (value === QUEUE_TOPIC) return { kind: 'queue', name: QUEUE_TOPIC };
    const id = ticketIdOfTopic(value);
    if (id === null) {
      ctx.addIssue({ code: 'custom', message: 'must be "queue" or "ticket:<id>"' });
      return z.NEVER;
    }
    return { kind: 'ticket', ticketId: id, name: ticketTopic(id) };
  });

/** Every frame a client may send. Unknown fields are ignored, unknown types rejected. */
export const clientFrameSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('hello'), initData: z.string().min(1).max(8192) }),
  z.object({
    type: z.literal('subscribe'),
    topic: topicSchema,
    after: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  }),
  z.object({ type: z.literal('unsubscribe'), topic: topicSchema }),
  z.object({ type: z.literal('typing'), ticketId: ticketIdSchema, internal: z.boolean().optional() }),
  z.object({ type: z.literal('ping') }),
  z.object({ type: z.literal('pong') }),
]);

const topicName = z.union([z.literal(QUEUE_TOPIC), z.templateLiteral(['ticket:', z.number()])]);
const ticketTopicName = z.templateLiteral(['ticket:', z.number()]);
const person = z.object({ id: z.number(), name: z.string(), role: z.string() });

/** Every frame the gateway sends, by type (a type of `ServerFrame` missing here does not compile). */
export const serverFrameSchemas = {
  ready: z.object({
    type: z.literal('ready'),
    user: z.unknown().meta({ description: 'the signed-in user (packages/domain `User`)' }),
  }),
  subscribed: z.object({ type: z.literal('subscribed'), topic: topicName, lastSeq: z.number().optional() }),
  unsubscribed: z.object({ type: z.literal('unsubscribed'), topic: topicName }),
  event: z.object({
    type: z.literal('event'),
    topic: topicName,
    seq: z.number(),
    event: z
      .looseObject({ type: z.string(), ticketId: z.number(), seq: z.number() })
      .meta({ description: 'a ticket event of packages/domain (ticket.created, message.created, …)' }),
  }),
  presence: z.object({
    type: z.literal('presence'),
    topic: ticketTopicName,
    ticketId: z.number(),
    viewers: z.array(person),
  }),
  typing: z.object({
    type: z.literal('typing'),
    topic: ticketTopicName,
    ticketId: z.number(),
    internal: z.boolean(),
    user: person,
  }),
  resync_required: z.object({ type: z.literal('resync_required'), topic: topicName }),
  error: z.object({
    type: z.literal('error'),
    code: z.enum(ERROR_CODES),
    message: z.string(),
    field: z.string().optional(),
    topic: z.string().optional(),
  }),
  pong: z.object({ type: z.literal('pong') }),
} satisfies { [K in ServerFrame['type']]: z.ZodType<Extract<ServerFrame, { type: K }>> };

/** The client frame types the schema accepts (the same list as `CLIENT_FRAME_TYPES`, checked in the tests). */
export const clientFrameTypes = clientFrameSchema.options.map((option) => option.shape.type.value);

// Each side takes exactly the frames frames.ts declares.
type ServerFrameInput = z.input<(typeof serverFrameSchemas)[keyof typeof serverFrameSchemas]>;
const _server = (frame: ServerFrame): ServerFrameInput => frame;
const _serverBack = (frame: ServerFrameInput): ServerFrame => frame;
const _client = (frame: z.input<typeof clientFrameSchema>): ClientFrame => frame;
const _clientBack = (frame: ClientFrame): z.input<typeof clientFrameSchema> => frame;
const _types: readonly (typeof CLIENT_FRAME_TYPES)[number][] = clientFrameTypes;
void [_server, _serverBack, _client, _clientBack, _types];
