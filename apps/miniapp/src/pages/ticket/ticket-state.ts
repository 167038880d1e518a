import type { ServerFrame } from '../../realtime';
import type { Message, Ticket } from '../../types';

/** A message as shown: stored, or a local optimistic copy that is sending or failed to send. */
export type ViewMessage = Message & { local?: 'sending' | 'failed' };

/** Inserts or replaces a message (by id, or an optimistic copy by clientMessageId), kept in seq order. */
export function upsertMessage(list: ViewMessage[], message: ViewMessage): ViewMessage[] {
  const index = list.findIndex(
    (m) =>
      m.id === message.id || (!!message.clientMessageId && m.clientMessageId === message.clientMessageId),
  );
  const next = index >= 0 ? list.map((m, i) => (i === index ? { ...m, ...message } : m)) : [...list, message];
  return next.sort((a, b) => order(a) - order(b));
}

function order(m: ViewMessage): number {
  return m.local ? Number.MAX_SAFE_INTEGER : m.seq;
}

export interface Person {
  id: number;
  name: string;
  role?: string;
}

/** What a frame on `ticket:<id>` means for the view. */
export type TicketChange =
  | { kind: 'message'; message: Message }
  | { kind: 'ticket'; ticket: Ticket }
  | { kind: 'presence'; viewers: Person[] }
  | { kind: 'typing'; user: Person; internal: boolean }
  | { kind: 'ignore' };

type Loose = Record<string, unknown>;

/** Reads both `{type:'event', event:{type, data}}` and bare `{type:'presence', ...}` frames. */
export function interpretFrame(frame: ServerFrame): TicketChange {
  const payload = (frame.type === 'event' ? ((frame as { event?: Loose }).event ?? {}) : frame) as Loose;
  const data = (payload.data && typeof payload.data === 'object' ? payload.data : payload) as Loose;
  switch (payload.type) {
    case 'message.created':
    case 'message.updated':
      return data.message ? { kind: 'message', message: data.message as Message } : { kind: 'ignore' };
    case 'ticket.created':
    case 'ticket.updated':
    case 'ticket.rated':
      return data.ticket ? { kind: 'ticket', ticket: data.ticket as Ticket } : { kind: 'ignore' };
    case 'presence':
      return { kind: 'presence', viewers: Array.isArray(data.viewers) ? (data.viewers as Person[]) : [] };
    case 'typing':
      return data.user
        ? { kind: 'typing', user: data.user as Person, internal: data.internal === true }
        : { kind: 'ignore' };
    default:
      return { kind: 'ignore' };
  }
}
