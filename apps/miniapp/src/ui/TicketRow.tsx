import { relativeTime, t } from '../i18n';
import { seenSeq } from '../seen';
import { slaBadge } from '../sla';
import { personName, type TicketRow as Row } from '../types';
import { PriorityMark, Stars, StatusBadge } from './common';

/** Unread messages from the other side: the server's count, unless this device has since seen them all. */
export function unreadCount(ticket: Row): number {
  const seenHere = ticket.lastSeq <= (seenSeq(ticket.id) ?? 0);
  const server = ticket.unread ?? ticket.unreadCount;
  if (typeof server === 'number') return seenHere ? 0 : server;
  return seenHere ? 0 : 1;
}

export function isUnread(ticket: Row): boolean {
  return unreadCount(ticket) > 0;
}

/** A list cell: «#128 Subject», status badge · time, preview; trailing unread dot or stars. */
export function TicketRowCell({
  ticket,
  onOpen,
  showCustomer,
  selection,
}: {
  ticket: Row;
  onOpen: () => void;
  showCustomer?: boolean;
  selection?: Selection;
}) {
  const unread = isUnread(ticket);
  // Staff rows (the queue) show the nearest SLA due time; customers never see the team's targets.
  const sla = showCustomer ? slaBadge(ticket) : null;
  const customer = ticket.customer
    ? personName(ticket.customer)
    : t('queue.customer', { id: ticket.customerId });
  return (
    <li className={selection ? 'cell-item cell-item--select' : 'cell-item'}>
      {selection ? (
        <label className="cell-check">
          <input
            type="checkbox"
            aria-label={t('queue.pick', { id: ticket.id })}
            data-testid={`pick-${ticket.id}`}
            checked={selection.ids.has(ticket.id)}
            onChange={() => selection.toggle(ticket.id)}
          />
        </label>
      ) : null}
      <button
        type="button"
        className="cell"
        data-testid={`ticket-row-${ticket.id}`}
        data-status={ticket.status}
        onClick={onOpen}
      >
        <span className="cell__main">
          {/* The subject ends in «…» when long; the priority mark stays in sight after it. */}
          <span className="cell__title cell__title--ticket">
            <span className="cell__title-text">
              <span className="cell__number">#{ticket.id}</span> {ticket.subject}
            </span>
            <PriorityMark priority={ticket.priority} />
          </span>
          <span className="cell__subtitle">
            {showCustomer ? <span className="cell__customer">{customer} · </span> : null}
            <StatusBadge status={ticket.status} /> ·{' '}
            <time dateTime={ticket.lastMessageAt}>{relativeTime(ticket.lastMessageAt)}</time>
            {sla ? (
              <>
                {' · '}
                <span className={sla.overdue ? 'sla sla--overdue' : 'sla'} data-testid="sla-due">
                  {sla.text}
                </span>
              </>
            ) : null}
            {showCustomer && ticket.tags?.length ? (
              <span className="cell__tags" data-testid="row-tags">
                {ticket.tags.map((tag) => (
                  <span key={tag} className="tag tag--small">
                    {tag}
                  </span>
                ))}
              </span>
            ) : null}
          </span>
          {ticket.match?.snippet ? (
            // A search result shows why it was found: the matching message's words in context.
            <span className="cell__preview" data-testid="ticket-match">
              {ticket.match.snippet}
            </span>
          ) : ticket.lastMessagePreview ? (
            <span className="cell__preview">{ticket.lastMessagePreview}</span>
          ) : null}
        </span>
        <span className="cell__trail">
          {unread ? (
            <span
              className="unread-dot"
              role="img"
              aria-label={t('customer.unread')}
              data-testid="unread-dot"
            >
              {typeof (ticket.unread ?? ticket.unreadCount) === 'number' ? unreadCount(ticket) : ''}
            </span>
          ) : ticket.rating ? (
            <Stars score={ticket.rating} />
          ) : null}
        </span>
      </button>
    </li>
  );
}

/** The queue's multi-select: which tickets are picked, and how a checkbox changes that. */
export interface Selection {
  ids: ReadonlySet<number>;
  toggle(id: number): void;
}

/** Tickets as list cells; `onOpen` gets the id of the one tapped; with `selection`, each row has a checkbox. */
export function TicketList({
  tickets,
  label,
  testId,
  showCustomer,
  selection,
  onOpen,
}: {
  tickets: Row[];
  label: string;
  testId?: string;
  showCustomer?: boolean;
  selection?: Selection;
  onOpen: (id: number) => void;
}) {
  return (
    <ul className="list" aria-label={label} data-testid={testId}>
      {tickets.map((ticket) => (
        <TicketRowCell
          key={ticket.id}
          ticket={ticket}
          showCustomer={showCustomer}
          selection={selection}
          onOpen={() => onOpen(ticket.id)}
        />
      ))}
    </ul>
  );
}
