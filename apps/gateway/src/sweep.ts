import type { DbClient } from '@tikethet/db';
import { roleSchema } from '@tikethet/domain';
import { closeForRoleChange } from './bus-router';
import type { GatewayContext } from './context';

/**
 * Safety net for wake-ups the bus never delivered (a publish lost while Redis was down and no later event to
 * reveal the gap): one query compares every followed ticket's last seq with the sockets' cursors.
 */
export async function sweepTickets(ctx: GatewayContext, db: DbClient): Promise<void> {
  const ids = new Set<number>();
  for (const conn of ctx.connections) for (const s of conn.tickets.values()) ids.add(s.ticketId);
  if (ids.size === 0) return;
  const { rows } = await db.pool.query<{ id: number; last_seq: number }>(
    'select id, last_seq from tickets where id = any($1::int[])',
    [[...ids]],
  );
  const lastSeq = new Map(rows.map((r) => [Number(r.id), Number(r.last_seq)]));
  for (const conn of ctx.connections) {
    for (const s of conn.tickets.values()) {
      if ((lastSeq.get(s.ticketId) ?? 0) > s.cursor) s.catchUp();
    }
  }
}

/** After the bus was down, role changes may have been missed: re-read the roles of connected users. */
export async function recheckRoles(ctx: GatewayContext, db: DbClient): Promise<void> {
  const ids = [...ctx.users.keys()];
  if (ids.length === 0) return;
  const { rows } = await db.pool.query<{ id: string | number; role: string }>(
    'select id, role from users where id = any($1::bigint[])',
    [ids],
  );
  const found = new Map(rows.map((r) => [Number(r.id), r.role]));
  for (const id of ids) {
    const role = roleSchema.safeParse(found.get(id));
    closeForRoleChange(ctx, id, role.success ? role.data : 'revoked');
  }
}
