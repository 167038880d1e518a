import {
  CloseCode,
  QUEUE_TOPIC,
  type TicketTopicName,
  ticketIdOfTopic,
  ticketTopic,
  type ClientFrame as WireClientFrame,
} from '@tikethet/protocol';
import { z } from 'zod';

export { CloseCode };

/** A topic the client may name: one ticket's stream or the agents' queue. */
export type Topic =
  | { kind: 'ticket'; ticketId: number; name: TicketTopicName }
  | { kind: 'queue'; name: 'queue' };

const ticketIdSchema = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

export const topicSchema = z
  .string()
  .max(64)
  .transform((value, ctx): Topic => {
    if (value === QUEUE_TOPIC) return { kind: 'queue', name: QUEUE_TOPIC };
    const id = ticketIdOfTopic(value);
    if (id === null) {
      ctx.addIssue({ code: 'custom', message: 'must be "queue" or "ticket:<id>"' });
      return z.NEVER;
    }
    return { kind: 'ticket', ticketId: id, name: ticketTopic(id) };
  });

/** Every frame a client may send (ARCHITECTURE §12). Unknown fields are ignored, unknown types rejected. */
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
export type ClientFrame = z.infer<typeof clientFrameSchema>;
// The schema takes exactly the frames the protocol package declares (checked both ways at compile time).
const _declared = (frame: z.input<typeof clientFrameSchema>): WireClientFrame => frame;
const _accepted = (frame: WireClientFrame): z.input<typeof clientFrameSchema> => frame;
void _declared;
void _accepted;

export type ParsedFrame =
  | { ok: true; frame: ClientFrame }
  | { ok: false; message: string; field?: string; topic?: string };

/** Parses one raw text frame; never throws. */
export function parseClientFrame(raw: string): ParsedFrame {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { ok: false, message: 'frame is not JSON' };
  }
  const result = clientFrameSchema.safeParse(json);
  if (result.success) return { ok: true, frame: result.data };
  const issue = result.error.issues[0];
  const field = issue?.path.map(String).join('.') || undefined;
  const topic =
    json && typeof json === 'object' && 'topic' in json && typeof json.topic === 'string'
      ? json.topic.slice(0, 64)
      : undefined;
  return {
    ok: false,
    message: field ? `${field}: ${issue?.message ?? 'invalid'}` : (issue?.message ?? 'invalid frame'),
    ...(field ? { field } : {}),
    ...(topic ? { topic } : {}),
  };
}
