import { canViewTicket, isStaff } from '@tikethet/domain';
import { ticketTopic } from '@tikethet/protocol';
import { authenticate } from './authenticate';
import type { Connection } from './connection';
import { addTo, type GatewayContext } from './context';
import { type ClientFrame, CloseCode, parseClientFrame } from './protocol';
import { subscribe, unsubscribe } from './subscriptions';

const TYPING_MIN_INTERVAL_MS = 1000;

/** Handles one text frame of a socket. Never throws: bad input gets an error frame or a 1008 close. */
export async function handleFrame(ctx: GatewayContext, conn: Connection, raw: string): Promise<void> {
  if (!conn.takeFrameToken()) {
    ctx.metrics.framesReceived.inc({ result: 'flood' });
    conn.close(CloseCode.policy, 'too many frames', 'flood');
    return;
  }
  const parsed = parseClientFrame(raw);
  if (!parsed.ok) {
    ctx.metrics.framesReceived.inc({ result: 'bad_request' });
    conn.sendJson({
      type: 'error',
      code: 'bad_request',
      message: parsed.message,
      ...(parsed.field ? { field: parsed.field } : {}),
      ...(parsed.topic ? { topic: parsed.topic } : {}),
    });
    return;
  }
  ctx.metrics.framesReceived.inc({ result: 'ok' });
  await dispatch(ctx, conn, parsed.frame);
}

async function dispatch(ctx: GatewayContext, conn: Connection, frame: ClientFrame): Promise<void> {
  if (frame.type === 'ping') {
    conn.sendJson({ type: 'pong' });
    return;
  }
  if (frame.type === 'pong') return;
  if (frame.type === 'hello') return hello(ctx, conn, frame.initData);
  if (!conn.actor) {
    conn.sendJson({ type: 'error', code: 'bad_request', message: 'say hello first', field: 'type' });
    return;
  }
  switch (frame.type) {
    case 'subscribe':
      return subscribe(ctx, conn, frame.topic, frame.after);
    case 'unsubscribe':
      return unsubscribe(ctx, conn, frame.topic);
    case 'typing':
      return typing(ctx, conn, frame.ticketId, frame.internal === true);
  }
}

async function hello(ctx: GatewayContext, conn: Connection, initData: string): Promise<void> {
  if (conn.helloStarted) {
    conn.sendJson({ type: 'error', code: 'bad_request', message: 'hello was already said', field: 'type' });
    return;
  }
  conn.helloStarted = true;
  const result = await authenticate(ctx.identity, ctx.userDirectory, initData);
  if (conn.closed) return;
  if (!result.ok) {
    conn.close(CloseCode.unauthorized, `unauthorized: ${result.reason}`, 'unauthorized');
    return;
  }
  const { known } = result;
  const max = ctx.env.MAX_SOCKETS_PER_USER;
  if ((ctx.users.get(known.user.id)?.size ?? 0) >= max) {
    ctx.metrics.refusals.inc({ reason: 'user_sockets' });
    conn.sendJson({ type: 'error', code: 'too_many_sockets', message: `at most ${max} sockets per user` });
    conn.close(CloseCode.tooManySockets, 'too many sockets', 'too_many_sockets');
    return;
  }
  conn.actor = known.actor;
  conn.person = known.person;
  conn.readyAt = Date.now();
  addTo(ctx.users, known.user.id, conn);
  ctx.metrics.authenticated.inc();
  conn.send(known.readyFrame);
}

async function typing(ctx: GatewayContext, conn: Connection, ticketId: number, internal: boolean) {
  const actor = conn.actor;
  const person = conn.person;
  const subscription = conn.tickets.get(ticketTopic(ticketId));
  if (!actor || !person || !subscription || !canViewTicket(actor, subscription)) {
    conn.sendJson({
      type: 'error',
      code: 'forbidden',
      topic: ticketTopic(ticketId),
      message: 'subscribe first',
    });
    return;
  }
  const now = Date.now();
  const { lastTyping } = conn.followState();
  if (now - (lastTyping.get(ticketId) ?? 0) < TYPING_MIN_INTERVAL_MS) return;
  lastTyping.set(ticketId, now);
  await ctx.bus
    .publish({
      kind: 'typing',
      ticketId,
      customerId: subscription.customerId,
      internal: internal && isStaff(actor.role),
      user: person,
    })
    .catch((err: unknown) => ctx.logger.debug({ err }, 'typing not relayed'));
}
