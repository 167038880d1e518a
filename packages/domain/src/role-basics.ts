/** The roles and the one staff rule, free of zod so the Mini App can bundle the state machine cheaply. */
export const roles = ['customer', 'agent', 'admin'] as const;
export type Role = (typeof roles)[number];

export function isStaff(role: Role): boolean {
  return role === 'agent' || role === 'admin';
}
