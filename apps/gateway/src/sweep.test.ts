import type { Role } from '@tikethet/domain';
import type { Connection } from './connection';
import type { GatewayContext } from './context';
import { recheckRoles } from './sweep';
import { createUserDirectory } from './user-directory';

/** A ready socket of a user, recording its close code. */
function socketOf(id: number, role: Role, readyAt: number) {
  const conn = {
    actor: { id, role } as { id: number; role: Role } | null,
    readyAt,
    closedWith: null as number | null,
    close(code: number) {
      conn.closedWith = code;
    },
  };
  return conn;
}

/** A context whose Postgres answers the role query only when the test says so. */
function contextWith(sockets: Array<ReturnType<typeof socketOf>>) {
  const users = new Map<number, Set<Connection>>();
  for (const s of sockets) {
    const id = s.actor?.id ?? 0;
    users.set(id, (users.get(id) ?? new Set()).add(s as unknown as Connection));
  }
  let answer: (roles: Map<number, Role>) => void = () => undefined;
  const ctx = {
    users,
    userDirectory: createUserDirectory(
      { userOf: async () => Promise.reject(new Error('unused')) },
      { ttlMs: 5000, canKeep: () => true },
    ),
    uc: { rolesOf: () => new Promise<Map<number, Role>>((resolve) => (answer = resolve)) },
  };
  return { ctx: ctx as unknown as GatewayContext, answer: (roles: Map<number, Role>) => answer(roles) };
}

it('closes sockets whose role Postgres no longer holds, and only those', async () => {
  const demoted = socketOf(1, 'agent', 1);
  const steady = socketOf(2, 'agent', 1);
  const gone = socketOf(3, 'admin', 1);
  const { ctx, answer } = contextWith([demoted, steady, gone]);
  const done = recheckRoles(ctx);
  answer(
    new Map<number, Role>([
      [1, 'customer'],
      [2, 'agent'],
    ]),
  );
  await done;
  expect([demoted.closedWith, steady.closedWith, gone.closedWith]).toEqual([4000, null, 4000]);
});

it('leaves a socket that became ready while the query ran: its role may be newer than the answer', async () => {
  const stale = socketOf(1, 'agent', 1);
  const { ctx, answer } = contextWith([stale]);
  const done = recheckRoles(ctx);
  // Meanwhile the user was demoted (role_changed closed nothing here yet) and a new socket said hello.
  const fresh = socketOf(1, 'customer', Date.now() + 1);
  ctx.users.get(1)?.add(fresh as unknown as Connection);
  answer(new Map<number, Role>([[1, 'agent']]));
  await done;
  expect(stale.closedWith).toBeNull();
  expect(fresh.closedWith).toBeNull();
});
