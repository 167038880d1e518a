import { formatDuration, t } from './i18n';
import type { Ticket } from './types';

/** The ticket's nearest running SLA due time (ms), or null when no timer runs. */
export function nearestDue(ticket: Pick<Ticket, 'sla'>): number | null {
  const sla = ticket.sla;
  if (!sla) return null;
  const dues = [sla.firstResponseDueAt, sla.nextResponseDueAt, sla.resolutionDueAt]
    .filter((d): d is string => typeof d === 'string')
    .map((d) => Date.parse(d))
    .filter((d) => Number.isFinite(d));
  return dues.length > 0 ? Math.min(...dues) : null;
}

export interface SlaBadge {
  overdue: boolean;
  /** «просрочен» / «срок через 2 ч». */
  text: string;
}

/** What the agents' queue shows beside a ticket: overdue, or how long until its nearest due time. */
export function slaBadge(ticket: Pick<Ticket, 'sla'>, now: number = Date.now()): SlaBadge | null {
  const due = nearestDue(ticket);
  if (due === null) return null;
  if (due <= now) return { overdue: true, text: t('sla.overdue') };
  return { overdue: false, text: t('sla.dueIn', { d: formatDuration(due - now) }) };
}

/** Nearest due first (no timer last), then by id: the queue's `sort=due` order, kept for live updates. */
export function byDue(a: Pick<Ticket, 'sla' | 'id'>, b: Pick<Ticket, 'sla' | 'id'>): number {
  const x = nearestDue(a) ?? Number.POSITIVE_INFINITY;
  const y = nearestDue(b) ?? Number.POSITIVE_INFINITY;
  return x === y ? a.id - b.id : x - y;
}

/** Whether a ticket fits the queue's `sla` filter at `now` (live updates; the server decides the pages). */
export function fitsSlaFilter(
  ticket: Pick<Ticket, 'sla'>,
  filter: '' | 'breached' | 'due_soon',
  now = Date.now(),
) {
  if (!filter) return true;
  const due = nearestDue(ticket);
  if (due === null) return false;
  return filter === 'breached' ? due <= now : due > now && due <= now + 60 * 60_000;
}

const SPAN = /^\s*(\d{2}:\d{2})\s*-\s*(\d{2}:\d{2})\s*$/;

/** «09:00-18:00, 20:00-02:00» → spans; null when a part is not HH:MM-HH:MM (the server checks the times). */
export function parseSpans(text: string): [string, string][] | null {
  const parts = text
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  const spans: [string, string][] = [];
  for (const part of parts) {
    const m = SPAN.exec(part);
    if (!m) return null;
    spans.push([m[1] as string, m[2] as string]);
  }
  return spans;
}

export function formatSpans(spans: readonly (readonly [string, string])[]): string {
  return spans.map(([a, b]) => `${a}-${b}`).join(', ');
}
