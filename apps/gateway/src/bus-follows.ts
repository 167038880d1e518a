import type { GatewayContext } from './context';

/**
 * On a sharded bus (Redis Cluster) this gateway receives only the shards it follows: a topic's first socket
 * follows its ticket (the queue: every ticket), its last one lets go. Messages published while a shard was
 * still being subscribed never arrived, so its streams read them from Postgres (the queue is told to re-read).
 * On the other buses (one Redis, in-process) every message arrives anyway and this does nothing.
 */
export function followTopic(ctx: GatewayContext, topic: string, ticketId: number | 'all'): void {
  if (!ctx.bus.follow || ctx.follows.has(topic)) return;
  const follow = ctx.bus.follow(ticketId);
  ctx.follows.set(topic, follow);
  void follow.ready.then((state) => {
    if (state !== 'subscribed' || ctx.follows.get(topic) !== follow) return;
    for (const conn of ctx.topics.get(topic) ?? []) {
      if (topic === 'queue') conn.sendJson({ type: 'resync_required', topic: 'queue' });
      else conn.tickets.get(topic)?.catchUp();
    }
  });
}

/** Lets go of the topic's shard once no socket here follows the topic. */
export function unfollowTopic(ctx: GatewayContext, topic: string): void {
  if (ctx.topics.has(topic)) return;
  ctx.follows.get(topic)?.release();
  ctx.follows.delete(topic);
}
