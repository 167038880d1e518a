import { useCallback, useEffect, useRef, useState } from 'react';
import { api, errorText } from '../../api';
import { useRouter } from '../../app/router';
import { relativeTime, t } from '../../i18n';
import { haptic } from '../../init';
import { type CustomerCard as Card, personName, type TicketDetail } from '../../types';
import { Stars, StatusBadge } from '../../ui/common';

interface Props {
  ticket: TicketDetail;
  onMessage: (text: string, kind: 'info' | 'error') => void;
}

/**
 * The customer as the team knows them: profile, shared phone (verified or not; «ask» sends the bot's
 * request_contact button), the team's note (kept across tickets), their tickets with ratings and comments,
 * and merging this ticket into another of theirs.
 */
export function CustomerCard({ ticket, onMessage }: Props) {
  const { replace } = useRouter();
  const c = ticket.customer;
  const [card, setCard] = useState<Card | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [merging, setMerging] = useState(false);
  // The page hands a new callback every render: the card's read must not follow it.
  const say = useRef(onMessage);
  say.current = onMessage;

  const load = useCallback(async () => {
    try {
      const next = await api.customer(c.id);
      setCard(next);
      setNote((prev) => prev ?? next.note ?? '');
    } catch (e) {
      say.current(errorText(e), 'error');
    }
  }, [c.id]);
  useEffect(() => {
    load();
  }, [load]);

  const run = async (action: () => Promise<void>) => {
    setBusy(true);
    try {
      await action();
      haptic.notify('success');
    } catch (e) {
      haptic.notify('error');
      say.current(errorText(e), 'error');
    } finally {
      setBusy(false);
    }
  };
  const saveNote = () =>
    run(async () => {
      const saved = await api.saveCustomerNote(c.id, note ?? '');
      setCard(saved);
      say.current(t('card.noteSaved'), 'info');
    });
  const askPhone = () =>
    run(async () => {
      await api.requestContact(ticket.id);
      say.current(t('card.phoneAsked'), 'info');
    });
  const merge = (into: number) =>
    run(async () => {
      await api.merge(ticket.id, into);
      say.current(t('merge.done', { id: into }), 'info');
      replace({ name: 'ticket', id: into });
    });

  const phone = card?.phone ?? c.phone;
  const others = (card?.tickets ?? []).filter((x) => x.id !== ticket.id);
  const targets = others.filter((x) => x.mergedIntoId === null && x.status !== 'closed');
  return (
    <section className="customer-card" data-testid="customer-card" aria-label={t('card.title')}>
      <div className="customer-card__name">
        {personName(c)}
        {c.username ? <span className="hint"> @{c.username}</span> : null}
      </div>
      <dl className="customer-card__facts">
        <div>
          <dt>{t('card.language')}</dt>
          <dd>{c.languageCode ?? '—'}</dd>
        </div>
        <div>
          <dt>{t('card.tickets')}</dt>
          <dd data-testid="customer-ticket-count">{card?.ticketCount ?? c.ticketCount}</dd>
        </div>
        <div>
          <dt>{t('card.rating')}</dt>
          <dd>{c.averageRating ? `${c.averageRating.toFixed(1)} ★` : t('card.noRating')}</dd>
        </div>
        <div>
          <dt>{t('card.phone')}</dt>
          <dd data-testid="customer-phone">
            {phone ? `+${phone}` : t('card.noPhone')}
            {phone && (card?.phoneVerified ?? c.phoneVerified) ? (
              <span className="hint"> ✓ {t('card.verified')}</span>
            ) : null}
          </dd>
        </div>
      </dl>
      {ticket.rating ? (
        <p className="customer-card__csat" data-testid="ticket-csat">
          {t('card.csat')}: <Stars score={ticket.rating} />
          {ticket.ratingComment ? ` «${ticket.ratingComment}»` : ''}
        </p>
      ) : null}
      <label className="field">
        <span className="field__label">{t('card.note')}</span>
        <textarea
          rows={2}
          maxLength={4000}
          data-testid="customer-note"
          placeholder={t('card.notePlaceholder')}
          value={note ?? ''}
          disabled={busy || note === null}
          onChange={(e) => setNote(e.target.value)}
        />
      </label>
      <div className="actions-row">
        <button
          type="button"
          className="chip"
          data-testid="save-note"
          disabled={busy || note === null || note === (card?.note ?? '')}
          onClick={saveNote}
        >
          {t('app.save')}
        </button>
        {!phone || !(card?.phoneVerified ?? c.phoneVerified) ? (
          <button type="button" className="chip" data-testid="ask-phone" disabled={busy} onClick={askPhone}>
            {t('card.askPhone')}
          </button>
        ) : null}
        <button
          type="button"
          className="chip"
          data-testid="merge-open"
          aria-expanded={merging}
          disabled={busy || ticket.mergedIntoId !== null}
          onClick={() => setMerging((m) => !m)}
        >
          {t('merge.action')}
        </button>
      </div>
      {merging ? (
        <div
          className="sheet"
          role="dialog"
          aria-label={t('merge.title', { id: ticket.id })}
          data-testid="merge-dialog"
        >
          <p className="hint">{t('merge.hint')}</p>
          {targets.length === 0 ? <p className="hint">{t('merge.none')}</p> : null}
          <ul className="list">
            {targets.map((x) => (
              <li key={x.id} className="cell-item">
                <button
                  type="button"
                  className="cell"
                  data-testid={`merge-into-${x.id}`}
                  disabled={busy}
                  onClick={() => merge(x.id)}
                >
                  <span className="cell__main">
                    <span className="cell__title">{t('merge.confirm', { id: x.id })}</span>
                    <span className="cell__subtitle">{x.subject}</span>
                  </span>
                </button>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      <details className="customer-card__history" data-testid="customer-history">
        <summary>
          {t('card.history')} ({others.length})
        </summary>
        {others.length === 0 ? <p className="hint">{t('card.historyEmpty')}</p> : null}
        <ul className="history">
          {others.map((x) => (
            <li key={x.id} className="history__item" data-testid={`history-${x.id}`}>
              <span className="cell__number">#{x.id}</span> {x.subject} <StatusBadge status={x.status} /> ·{' '}
              <time dateTime={x.lastMessageAt}>{relativeTime(x.lastMessageAt)}</time>
              {x.mergedIntoId ? <span className="hint"> → #{x.mergedIntoId}</span> : null}
              {x.rating ? (
                <span className="history__rating">
                  {' '}
                  <Stars score={x.rating} />
                  {x.ratingComment ? <q data-testid={`history-comment-${x.id}`}>{x.ratingComment}</q> : null}
                </span>
              ) : null}
            </li>
          ))}
        </ul>
      </details>
    </section>
  );
}
