import { closeForRoleChange } from './bus-router';
import type { GatewayContext } from './context';

/**
 * Safety net for wake-ups the bus never delivered (a publish lost while Redis was down and no later event to
 * reveal the gap): one query compares every followed ticket's last seq with the sockets' cursors.
 */
export async function sweepTickets(ctx: GatewayContext): Promise<void> {
  const ids = new Set<number>();
  for (const conn of ctx.connections) for (const s of conn.tickets.values()) ids.add(s.ticketId);
  if (ids.size === 0) return;
  const lastSeq = await ctx.uc.lastSeqsOf([...ids]);
  for (const conn of ctx.connections) {
    for (const s of conn.tickets.values()) {
      if ((lastSeq.get(s.ticketId) ?? 0) > s.cursor) s.catchUp();
    }
  }
}

/**
 * Re-reads the stored roles of the users behind live sockets and kept hellos, in one query, and closes every
 * socket whose role is no longer the stored one (a user without a row is revoked). Runs every
 * ROLE_RECHECK_MS and after the bus was down, so a role change holds even when its `role_changed` was lost.
 */
export async function recheckRoles(ctx: GatewayContext): Promise<void> {
  const ids = new Set(ctx.users.keys());
  for (const id of ctx.userDirectory.keptIds()) ids.add(id);
  if (ids.size === 0) return;
  // Only roles read before the query are compared: a hello answered meanwhile may hold a newer role than it.
  const startedAt = Date.now();
  const roles = await ctx.uc.rolesOf([...ids]);
  for (const id of ids) {
    const role: string = roles.get(id) ?? 'revoked';
    const kept = ctx.userDirectory.keptRole(id, startedAt);
    let stale = kept !== undefined && kept !== role;
    for (const conn of ctx.users.get(id) ?? []) {
      if (conn.actor && conn.readyAt < startedAt && conn.actor.role !== role) stale = true;
    }
    if (stale) closeForRoleChange(ctx, id, role, startedAt);
  }
}
