import { z } from 'zod';
import { type Role, roles } from './role-basics';

export { isStaff, type Role, roles } from './role-basics';
export const roleSchema = z.enum(roles);

/** Who is acting: the validated Telegram id and the role read from the database. */
export interface Actor {
  id: number;
  role: Role;
}
