import type { TicketFilters } from '../../api';
import { fitsSlaFilter } from '../../sla';
import type { Ticket, TicketPriority } from '../../types';

export type Tab = 'none' | 'me' | 'all';

export interface Filters {
  status: string;
  priority: '' | TicketPriority;
  category: string;
  sla: '' | 'breached' | 'due_soon';
  sort: 'recent' | 'due';
  tag: string;
  q: string;
}

export const NO_FILTERS: Filters = {
  status: '',
  priority: '',
  category: '',
  sla: '',
  sort: 'recent',
  tag: '',
  q: '',
};

/** Whether a ticket from a live event belongs in the list as currently filtered. */
export function matches(ticket: Ticket, tab: Tab, filters: Filters, meId: number): boolean {
  if (tab === 'none' && ticket.assigneeId !== null) return false;
  if (tab === 'me' && ticket.assigneeId !== meId) return false;
  if (filters.status && !filters.status.split(',').includes(ticket.status)) return false;
  if (filters.priority && ticket.priority !== filters.priority) return false;
  if (filters.category === 'none' && ticket.categoryId !== null) return false;
  if (filters.category && filters.category !== 'none' && String(ticket.categoryId) !== filters.category)
    return false;
  if (!fitsSlaFilter(ticket, filters.sla)) return false;
  if (filters.tag && !ticket.tags.includes(filters.tag)) return false;
  const q = filters.q.trim().toLowerCase();
  if (q && !ticket.subject.toLowerCase().includes(q) && !String(ticket.id).includes(q)) return false;
  return true;
}

export function toParams(tab: Tab, f: Filters): TicketFilters {
  return {
    ...(tab === 'all' ? {} : { assignee: tab }),
    ...(f.status ? { status: f.status } : tab === 'all' ? {} : { status: 'new,open,pending' }),
    ...(f.priority ? { priority: f.priority } : {}),
    ...(f.category ? { category: f.category === 'none' ? 'none' : Number(f.category) } : {}),
    ...(f.sla ? { sla: f.sla } : {}),
    ...(f.sort === 'due' ? { sort: 'due' as const } : {}),
    ...(f.tag ? { tag: f.tag } : {}),
    ...(f.q.trim() ? { q: f.q.trim() } : {}),
    limit: 50,
  };
}

export function byActivity(a: Ticket, b: Ticket): number {
  return Date.parse(b.lastMessageAt) - Date.parse(a.lastMessageAt) || b.id - a.id;
}
