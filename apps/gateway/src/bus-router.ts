import { type BusMessage, canSeeEvent, canSeePresence, canSeeTyping, type Person } from '@tikethet/domain';
import { CloseCode, ticketTopic } from '@tikethet/protocol';
import type { Connection } from './connection';
import type { GatewayContext } from './context';
import { encodeFrame, eventFrame, QUEUE_EVENT_TYPES } from './frames';

/** Routes one bus message to the sockets allowed to see it (one Redis subscription per process). */
export function routeBusMessage(ctx: GatewayContext, message: BusMessage): void {
  ctx.metrics.busMessages.inc({ kind: message.kind });
  switch (message.kind) {
    case 'event': {
      const event = message.event;
      const topic = ticketTopic(event.ticketId);
      const followers = ctx.topics.get(topic);
      if (followers) for (const conn of followers) conn.tickets.get(topic)?.offer(event);
      if (!QUEUE_EVENT_TYPES.has(event.type)) return;
      const queue = ctx.topics.get('queue');
      if (!queue) return;
      let sent = 0;
      for (const conn of queue) {
        if (!conn.actor || !canSeeEvent(conn.actor, event)) continue;
        if (conn.send(eventFrame(event, 'queue'))) sent += 1;
      }
      ctx.metrics.delivered.queue += sent;
      return;
    }
    case 'typing': {
      const frame = encodeFrame({
        type: 'typing',
        topic: ticketTopic(message.ticketId),
        ticketId: message.ticketId,
        internal: message.internal,
        user: message.user,
      });
      for (const conn of ctx.topics.get(ticketTopic(message.ticketId)) ?? []) {
        if (!conn.actor || conn.actor.id === message.user.id || !canSeeTyping(conn.actor, message)) continue;
        conn.send(frame);
      }
      return;
    }
    case 'presence':
      ctx.presence.receive(message);
      return;
    case 'role_changed':
      closeForRoleChange(ctx, message.userId, message.role);
      return;
  }
}

/**
 * The user's role changed: stop routing to their sockets at once and have them say hello again. With
 * `readyBefore`, sockets that became ready at or after it (their role may be newer than `role`) are left alone.
 */
export function closeForRoleChange(
  ctx: GatewayContext,
  userId: number,
  role: string,
  readyBefore = Number.POSITIVE_INFINITY,
): void {
  ctx.userDirectory.forget(userId);
  for (const conn of [...(ctx.users.get(userId) ?? [])]) {
    if (conn.actor?.role === role || conn.readyAt >= readyBefore) continue;
    conn.actor = null;
    conn.close(CloseCode.roleChanged, 'role changed', 'role_changed');
  }
}

/** Sends the merged viewers of a ticket to its staff subscribers. */
export function broadcastPresence(ctx: GatewayContext, ticketId: number, viewers: Person[]): void {
  const frame = encodeFrame({ type: 'presence', topic: ticketTopic(ticketId), ticketId, viewers });
  for (const conn of ctx.topics.get(ticketTopic(ticketId)) ?? []) {
    const subscription = conn.tickets.get(ticketTopic(ticketId));
    if (!conn.actor || !subscription) continue;
    if (canSeePresence(conn.actor, { customerId: subscription.customerId })) conn.send(frame);
  }
}

/** Catch-up after the bus was down: every ticket stream reads the log from its cursor; queues re-read REST. */
export function catchUpAll(ctx: GatewayContext): void {
  for (const conn of ctx.connections) {
    for (const subscription of conn.tickets.values()) subscription.catchUp();
    if (conn.queue) conn.sendJson({ type: 'resync_required', topic: 'queue' });
  }
}

export function eachTicketSubscriber(
  ctx: GatewayContext,
  fn: (conn: Connection, topic: string) => void,
): void {
  for (const [topic, conns] of ctx.topics) {
    if (topic === 'queue') continue;
    for (const conn of conns) fn(conn, topic);
  }
}
