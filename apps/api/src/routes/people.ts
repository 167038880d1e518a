import {
  canManageAgents,
  canViewStats,
  type Role,
  roleSchema,
  setRoleInputSchema,
  statsQuerySchema,
  storableStringSchema,
  telegramIdParamSchema,
  userSchema,
} from '@tikethet/domain';
import { z } from 'zod';
import { parseWith } from '../http/validate';
import type { RouteDef } from './route';

const agentsQuerySchema = z.strictObject({
  q: storableStringSchema().trim().min(1).max(100).optional(),
  roles: z
    .string()
    .max(100)
    .transform((s) => s.split(','))
    .pipe(z.array(roleSchema).min(1).max(3))
    .optional(),
  limit: z
    .string()
    .regex(/^[0-9]{1,3}$/, 'must be an integer from 1 to 500')
    .transform(Number)
    .pipe(z.number().int().min(1).max(500))
    .optional(),
});

const STAFF: Role[] = ['agent', 'admin'];

export const peopleRoutes: RouteDef[] = [
  {
    method: 'get',
    path: '/me',
    access: 'user',
    summary: 'The signed-in user with their role',
    response: userSchema,
    handle: async ({ user }) => user,
  },
  {
    method: 'get',
    path: '/agents',
    access: 'admin',
    guard: canManageAgents,
    summary: 'The staff, or anyone matching q (to promote a customer)',
    description: '`roles`: a comma-separated list of customer, agent, admin.',
    query: agentsQuerySchema,
    response: z.object({ items: z.array(userSchema) }),
    async handle({ services, actor, query }) {
      const { q, roles, limit } = parseWith(agentsQuerySchema, query);
      // Without a search: the staff. With one: anyone matching, so a customer can be promoted.
      const items = await services.uc.listUsers(actor, {
        roles: roles ?? (q ? undefined : STAFF),
        q,
        limit,
      });
      return { items };
    },
  },
  {
    method: 'put',
    path: '/agents/:telegramId',
    access: 'admin',
    guard: canManageAgents,
    summary: "Set a user's role",
    body: setRoleInputSchema,
    response: userSchema,
    async handle({ services, actor, params, readBody }) {
      const targetId = parseWith(telegramIdParamSchema, params.telegramId, 'telegramId');
      const { role } = readBody(setRoleInputSchema);
      const user = await services.uc.setRole(actor, targetId, role);
      // At once in this process; other processes drop it on the bus's role_changed.
      services.cache.invalidate(targetId);
      return user;
    },
  },
  {
    method: 'get',
    path: '/stats',
    access: 'staff',
    guard: canViewStats,
    summary: 'Ticket counts, response times and ratings over inclusive UTC days',
    description:
      '`from` and `to`: YYYY-MM-DD; default the last 30 days, at most 366; `from` after `to` is a 400.',
    query: statsQuerySchema,
    handle: ({ services, actor, query }) => services.reads.run(actor, (uc) => uc.getStats(actor, query)),
  },
];
