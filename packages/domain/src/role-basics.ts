import { isStaffRole } from '@tikethet/protocol';

/** The roles and the one staff rule, free of zod so the Mini App can bundle the state machine cheaply. */
export const roles = ['customer', 'agent', 'admin'] as const;
export type Role = (typeof roles)[number];

/** Agents and admins (the rule lives in @tikethet/protocol, which the Mini App shares). */
export function isStaff(role: Role): boolean {
  return isStaffRole(role);
}
