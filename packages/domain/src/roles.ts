import { z } from 'zod';

export const roles = ['customer', 'agent', 'admin'] as const;
export const roleSchema = z.enum(roles);
export type Role = z.infer<typeof roleSchema>;

/** Who is acting: the validated Telegram id and the role read from the database. */
export interface Actor {
  id: number;
  role: Role;
}

export function isStaff(role: Role): boolean {
  return role === 'agent' || role === 'admin';
}
