import { canSeeEvent, canSeePresence, canSubscribeQueue, canViewTicket } from '@tikethet/domain';
import { ticketTopic } from '@tikethet/protocol';
import { followTopic, unfollowTopic } from './bus-follows';
import type { Connection } from './connection';
import { addTo, type GatewayContext, removeFrom } from './context';
import { eventFrame } from './frames';
import type { Topic } from './protocol';
import { TicketSubscription } from './ticket-subscription';

function forbidden(conn: Connection, topic: string): void {
  conn.sendJson({ type: 'error', code: 'forbidden', topic, message: 'not allowed or not found' });
}

/** Starts a new subscribe check for the topic; returns a token that a later frame for the topic outdates. */
function claimTopic(conn: Connection, topic: string): number {
  const { pendingTopics } = conn.followState();
  const token = (pendingTopics.get(topic) ?? 0) + 1;
  pendingTopics.set(topic, token);
  return token;
}

export function sendPresence(ctx: GatewayContext, conn: Connection, ticketId: number): void {
  conn.sendJson({
    type: 'presence',
    topic: ticketTopic(ticketId),
    ticketId,
    viewers: ctx.presence.merged(ticketId),
  });
}

/** True when following one more topic would pass MAX_SUBSCRIPTIONS_PER_SOCKET (answered, never followed). */
function overSubscribed(ctx: GatewayContext, conn: Connection, topic: Topic): boolean {
  const following = topic.kind === 'queue' ? conn.queue : conn.tickets.has(topic.name);
  const max = ctx.env.MAX_SUBSCRIPTIONS_PER_SOCKET;
  if (following || conn.tickets.size + (conn.queue ? 1 : 0) < max) return false;
  ctx.metrics.refusals.inc({ reason: 'subscriptions' });
  conn.sendJson({
    type: 'error',
    code: 'too_many_subscriptions',
    topic: topic.name,
    message: `at most ${max} topics per socket: unsubscribe from one first`,
  });
  return true;
}

export async function subscribe(
  ctx: GatewayContext,
  conn: Connection,
  topic: Topic,
  after: number | undefined,
): Promise<void> {
  const actor = conn.actor;
  if (!actor || overSubscribed(ctx, conn, topic)) return;
  const token = claimTopic(conn, topic.name);
  if (topic.kind === 'queue') {
    if (!canSubscribeQueue(actor)) return forbidden(conn, topic.name);
    if (!conn.queue) {
      conn.queue = true;
      addTo(ctx.topics, 'queue', conn);
      followTopic(ctx, 'queue', 'all');
      ctx.metrics.subscriptions.inc({ kind: 'queue' });
    }
    conn.sendJson({ type: 'subscribed', topic: 'queue' });
    return;
  }
  const ticket = await ctx.uc.findTicket(topic.ticketId);
  if (conn.closed || conn.followState().pendingTopics.get(topic.name) !== token) return;
  const current = conn.actor;
  if (!ticket || !current || !canViewTicket(current, ticket)) return forbidden(conn, topic.name);
  unsubscribeTicket(ctx, conn, topic.name);
  const cursor = after === undefined ? ticket.lastSeq : Math.min(after, ticket.lastSeq);
  const subscription = new TicketSubscription({
    ticketId: ticket.id,
    customerId: ticket.customerId,
    cursor,
    read: ctx.read,
    pace: conn,
    deliver: (event) => {
      const viewer = conn.actor;
      if (!viewer || !canSeeEvent(viewer, event)) return;
      if (conn.send(eventFrame(event, 'ticket'))) ctx.metrics.delivered.ticket += 1;
    },
    onReadError: (err) => ctx.logger.warn({ err, ticketId: ticket.id }, 'event log read failed; retrying'),
  });
  conn.followState().tickets.set(topic.name, subscription);
  addTo(ctx.topics, topic.name, conn);
  followTopic(ctx, topic.name, ticket.id);
  ctx.metrics.subscriptions.inc({ kind: 'ticket' });
  conn.sendJson({ type: 'subscribed', topic: topic.name, lastSeq: ticket.lastSeq });
  if (cursor < ticket.lastSeq) subscription.catchUp();
  if (conn.person) ctx.presence.add(ticket.id, ticket.customerId, conn.person);
  if (canSeePresence(current, ticket)) sendPresence(ctx, conn, ticket.id);
}

export function unsubscribeTicket(ctx: GatewayContext, conn: Connection, topic: string): void {
  const subscription = conn.tickets.get(topic);
  if (!subscription) return;
  subscription.close();
  conn.followState().tickets.delete(topic);
  removeFrom(ctx.topics, topic, conn);
  unfollowTopic(ctx, topic);
  ctx.metrics.subscriptions.dec({ kind: 'ticket' });
  if (conn.person) ctx.presence.remove(subscription.ticketId, conn.person.id);
}

function leaveQueue(ctx: GatewayContext, conn: Connection): void {
  if (!conn.queue) return;
  conn.queue = false;
  removeFrom(ctx.topics, 'queue', conn);
  unfollowTopic(ctx, 'queue');
  ctx.metrics.subscriptions.dec({ kind: 'queue' });
}

export function unsubscribe(ctx: GatewayContext, conn: Connection, topic: Topic): void {
  claimTopic(conn, topic.name);
  if (topic.kind === 'ticket') unsubscribeTicket(ctx, conn, topic.name);
  else leaveQueue(ctx, conn);
  conn.sendJson({ type: 'unsubscribed', topic: topic.name });
}

/** Drops everything a closed socket followed (no answer frames: the socket is gone). */
export function releaseConnection(ctx: GatewayContext, conn: Connection): void {
  for (const topic of [...conn.tickets.keys()]) unsubscribeTicket(ctx, conn, topic);
  leaveQueue(ctx, conn);
  conn.dropFollows();
  if (conn.person) removeFrom(ctx.users, conn.person.id, conn);
}
