import { and, inArray, isNotNull } from 'drizzle-orm';
import type { Queryable } from '../client';
import { users } from '../schema';

export interface StaffChat {
  id: number;
  botChatId: number;
  languageCode: string | null;
}

/** Agents and admins who have a private chat with the bot (for new-ticket DMs when no agents' group is set). */
export async function listStaffChats(q: Queryable): Promise<StaffChat[]> {
  const rows = await q
    .select({ id: users.id, botChatId: users.botChatId, languageCode: users.languageCode })
    .from(users)
    .where(and(inArray(users.role, ['agent', 'admin']), isNotNull(users.botChatId)));
  return rows.flatMap((r) => (r.botChatId === null ? [] : [{ ...r, botChatId: r.botChatId }]));
}
