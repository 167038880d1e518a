import type { TicketTopicName, TopicName } from './topics';

/**
 * The WebSocket frames, both ways (docs/ARCHITECTURE.md §12). Payloads the domain defines (users, ticket
 * events) are typed loosely here so the package stays free of the domain's zod: `U` and `E` let each side
 * name its own types.
 */

/** Every frame a client may send. */
export type ClientFrame =
  | { type: 'hello'; initData: string }
  | { type: 'subscribe'; topic: string; after?: number }
  | { type: 'unsubscribe'; topic: string }
  | { type: 'typing'; ticketId: number; internal?: boolean }
  | { type: 'ping' }
  | { type: 'pong' };

export const CLIENT_FRAME_TYPES = ['hello', 'subscribe', 'unsubscribe', 'typing', 'ping', 'pong'] as const;

/** What a person looks like in presence and typing frames. */
export interface FramePerson {
  id: number;
  name: string;
  role: string;
}

/** An `error` frame's codes. */
export const ERROR_CODES = [
  'bad_request',
  'forbidden',
  'internal',
  'too_many_sockets',
  'too_many_subscriptions',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface TicketEventLike {
  type: string;
  ticketId: number;
  seq: number;
  [key: string]: unknown;
}

/** Every frame the gateway sends. */
export type ServerFrame<U = unknown, E extends TicketEventLike = TicketEventLike> =
  | { type: 'ready'; user: U }
  | { type: 'subscribed'; topic: TopicName; lastSeq?: number }
  | { type: 'unsubscribed'; topic: TopicName }
  | { type: 'event'; topic: TopicName; seq: number; event: E }
  | { type: 'presence'; topic: TicketTopicName; ticketId: number; viewers: FramePerson[] }
  | { type: 'typing'; topic: TicketTopicName; ticketId: number; internal: boolean; user: FramePerson }
  | { type: 'resync_required'; topic: TopicName }
  | { type: 'error'; code: ErrorCode; message: string; field?: string; topic?: string }
  | { type: 'pong' };

export const SERVER_FRAME_TYPES = [
  'ready',
  'subscribed',
  'unsubscribed',
  'event',
  'presence',
  'typing',
  'resync_required',
  'error',
  'pong',
] as const satisfies readonly ServerFrame['type'][];
