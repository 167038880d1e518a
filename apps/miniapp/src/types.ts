/** Wire types: the domain's shapes (types only, so no zod reaches the browser bundle) plus view extras. */
import type { Role, Ticket, TicketPriority, TicketStatus, User, UserSummary } from '@tikethet/domain';

export type {
  Attachment,
  CannedReply,
  Category,
  CustomerCard,
  CustomerTicket,
  DeliveryState,
  Message,
  Role,
  ServiceLevels,
  TagCount,
  Ticket,
  TicketDetail,
  TicketPriority,
  TicketStatus,
  User,
  UserSummary,
} from '@tikethet/domain';

export const STATUSES: readonly TicketStatus[] = ['new', 'open', 'pending', 'resolved', 'closed'];
export const PRIORITIES: readonly TicketPriority[] = ['low', 'normal', 'high', 'urgent'];
export const ROLES: readonly Role[] = ['customer', 'agent', 'admin'];

/**
 * A list row: the API's `unread` (messages from the other side past this person's read marker, kept on the
 * server so it holds across devices); it may also add the customer's summary. All optional.
 */
export type TicketRow = Ticket & {
  customer?: Partial<UserSummary> | null;
  unread?: number;
  unreadCount?: number;
  /** In a search's results: the message that matched and its words in context (plain text). */
  match?: { messageId: number; snippet: string } | null;
};

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface Stats {
  /** The inclusive UTC days the medians, CSAT and perDay cover. */
  from: string;
  to: string;
  open: number;
  pending: number;
  new: number;
  firstResponseMedianMs: number | null;
  resolutionMedianMs: number | null;
  csat: { average: number | null; count: number };
  perDay: { date: string; created: number; resolved: number }[];
  /** The most used tags now. */
  tags?: { name: string; tickets: number }[];
  /** The newest CSAT comments of the range. */
  comments?: {
    ticketId: number;
    score: number;
    comment: string;
    createdAt: string;
    /** The rated ticket's agent (a row of the agents' table), if any. */
    assigneeId?: number | null;
  }[];
}

export type { AgentReport, AgentReportRow } from '@tikethet/domain';

export type StaffUser = Pick<User, 'id' | 'firstName' | 'lastName' | 'username' | 'role'> & Partial<User>;

/** Agents and admins: the rule the server uses too (@tikethet/protocol). */
export { isStaffRole } from '@tikethet/protocol';

export function personName(user: {
  firstName?: string | null;
  lastName?: string | null;
  username?: string | null;
}): string {
  const full = [user.firstName, user.lastName].filter(Boolean).join(' ').trim();
  return full || (user.username ? `@${user.username}` : '—');
}

/**
 * The t.me link of a ticket's topic in the agents' forum group: `https://t.me/c/<chat>/<thread>`, where
 * `<chat>` is the supergroup id without its `-100` (Telegram's link to a message in a private supergroup).
 */
export function topicUrl(topic: { chatId: number; threadId: number }): string | null {
  const chat = String(topic.chatId);
  if (!chat.startsWith('-100') || !Number.isInteger(topic.threadId) || topic.threadId <= 0) return null;
  return `https://t.me/c/${chat.slice(4)}/${topic.threadId}`;
}
