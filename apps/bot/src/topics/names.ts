import type { Ticket, TicketPriority } from '@tikethet/domain';
import { truncate } from '../format';

/** Telegram's limit on a topic's name. */
export const TOPIC_NAME_MAX = 128;

/** createForumTopic's colours (the only six it takes): blue, yellow, violet, green, rose, red. */
const ICON_COLORS: Record<TicketPriority, number> = {
  low: 0x8eee98,
  normal: 0x6fb9f0,
  high: 0xffd67e,
  urgent: 0xfb6f5f,
};

/** A topic's icon colour says the ticket's priority when it is created (Telegram cannot change it later). */
export const iconColorOf = (priority: TicketPriority) => ICON_COLORS[priority];

/** Whether the ticket's topic is closed: resolved and closed tickets. */
export const topicClosedFor = (status: Ticket['status']) => status === 'resolved' || status === 'closed';

const PRIORITY_MARKS: Partial<Record<TicketPriority, string>> = { urgent: '🔥 ', high: '❗ ' };

/**
 * `#<id> <subject>`, cut to Telegram's 128 characters; a ✅ once resolved or closed, and a mark for high and
 * urgent priority (a name can change, a colour cannot).
 */
export function topicName(ticket: Pick<Ticket, 'id' | 'subject' | 'status' | 'priority'>): string {
  const marks = `${topicClosedFor(ticket.status) ? '✅ ' : ''}${PRIORITY_MARKS[ticket.priority] ?? ''}`;
  const subject = ticket.subject.replace(/\s+/g, ' ').trim();
  return truncate(`#${ticket.id} ${marks}${subject}`, TOPIC_NAME_MAX);
}
