import {
  canManageServiceLevels,
  canSetAvailability,
  serviceLevelsSchema,
  setAvailabilityInputSchema,
  userSchema,
} from '@tikethet/domain';
import type { RouteDef } from './route';

/** Service levels (issue 17): the admins' settings, and each agent's availability for auto-assignment. */
export const serviceLevelRoutes: RouteDef[] = [
  {
    method: 'get',
    path: '/settings/service-levels',
    access: 'admin',
    guard: canManageServiceLevels,
    summary: 'Business hours, SLA targets per priority, assignment and the out-of-hours reply',
    response: serviceLevelsSchema,
    handle: ({ services, actor }) => services.uc.getServiceLevels(actor),
  },
  {
    method: 'put',
    path: '/settings/service-levels',
    access: 'admin',
    guard: canManageServiceLevels,
    summary: 'Replace the service-level settings',
    description:
      'hours: per weekday spans ["HH:MM","HH:MM"]; an end not after the start runs past midnight. ' +
      'New targets apply to timers that start or move from now on.',
    body: serviceLevelsSchema,
    response: serviceLevelsSchema,
    handle: ({ services, actor, readBody }) =>
      services.uc.putServiceLevels(actor, readBody(serviceLevelsSchema)),
  },
  {
    method: 'put',
    path: '/me/availability',
    access: 'staff',
    guard: canSetAvailability,
    summary: 'Online (auto-assignment may hand you new tickets) or away (you keep yours, get none new)',
    body: setAvailabilityInputSchema,
    response: userSchema,
    async handle({ services, actor, readBody }) {
      const { status } = readBody(setAvailabilityInputSchema);
      const user = await services.uc.setAvailability(actor, status);
      services.cache.invalidate(actor.id);
      return user;
    },
  },
];
