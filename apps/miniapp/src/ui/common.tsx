import { type ReactNode, useEffect, useState } from 'react';
import { errorText } from '../api';
import { useConnectionState, useSession } from '../app/session';
import { audienceOf, statusLabel, t } from '../i18n';
import type { RealtimeClient } from '../realtime';
import type { TicketPriority, TicketStatus } from '../types';

/** A ticket's status in the words of whoever is signed in: a customer's «обращение» is «новое», staff's «тикет» «новый». */
export function StatusBadge({ status }: { status: TicketStatus }) {
  const { me } = useSession();
  return (
    <span className={`badge badge--${status}`} data-testid="status-badge" data-status={status}>
      {statusLabel(status, audienceOf(me.role))}
    </span>
  );
}

export function PriorityMark({ priority }: { priority: TicketPriority }) {
  if (priority !== 'high' && priority !== 'urgent') return null;
  return (
    <span className={`priority priority--${priority}`} role="img" aria-label={t(`priority.${priority}`)}>
      {priority === 'urgent' ? '⚡' : '↑'}
    </span>
  );
}

export function Stars({ score, label }: { score: number; label?: string }) {
  return (
    <span className="stars" role="img" aria-label={label ?? t('ticket.rated', { n: score })}>
      {'★'.repeat(score)}
      <span className="stars__off">{'★'.repeat(Math.max(0, 5 - score))}</span>
    </span>
  );
}

export function Spinner({ label }: { label?: string }) {
  return (
    <div className="loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      <span>{label ?? t('app.loading')}</span>
    </div>
  );
}

export function ErrorState({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  return (
    <div className="state state--error" role="alert" data-testid="error-state">
      <p>{errorText(error)}</p>
      {onRetry ? (
        <button type="button" className="link-button" onClick={onRetry}>
          {t('app.retry')}
        </button>
      ) : null}
    </div>
  );
}

/** An empty list: what it means and what to do next, with an optional `action` (e.g. a reset button) under it. */
export function EmptyState({
  children,
  testId,
  action,
}: {
  children: ReactNode;
  testId?: string;
  action?: ReactNode;
}) {
  return (
    <div className="state state--empty" data-testid={testId ?? 'empty-state'}>
      <div className="state__icon" aria-hidden="true">
        💬
      </div>
      <p>{children}</p>
      {action}
    </div>
  );
}

/** A grouped list section: header, body, and under it a hint (`footer`) or what went wrong (`error`). */
export function Section({
  title,
  children,
  footer,
  error,
}: {
  title?: string;
  children: ReactNode;
  footer?: ReactNode;
  error?: string | null;
}) {
  return (
    <section className="section">
      {title ? <h2 className="section__header">{title}</h2> : null}
      <div className="section__body">{children}</div>
      {error ? (
        <p className="section__footer error-text" role="alert" data-testid="section-error">
          {error}
        </p>
      ) : null}
      {footer ? <p className="section__footer">{footer}</p> : null}
    </section>
  );
}

/** «Показать ещё» under a list whose next page the server has. */
export function LoadMoreButton({ onClick }: { onClick: () => void }) {
  return (
    <button type="button" className="link-button load-more" onClick={onClick}>
      {t('app.loadMore')}
    </button>
  );
}

/** A short message at the top that fades out (success, error). */
export function Toast({
  text,
  kind = 'info',
  onDone,
}: {
  text: string;
  kind?: 'info' | 'error';
  onDone: () => void;
}) {
  useEffect(() => {
    const timer = setTimeout(onDone, 4000);
    return () => clearTimeout(timer);
  }, [onDone]);
  return (
    <div className={`toast toast--${kind}`} role={kind === 'error' ? 'alert' : 'status'} data-testid="toast">
      {text}
    </div>
  );
}

/** The thin «Соединение…» bar: only while (re)connecting takes noticeable time. */
export function ConnectionBar({ rt }: { rt: RealtimeClient }) {
  const state = useConnectionState(rt);
  const waiting = state === 'connecting' || state === 'reconnecting';
  const [visible, setVisible] = useState(false);
  useEffect(() => {
    if (!waiting) {
      setVisible(false);
      return;
    }
    const timer = setTimeout(() => setVisible(true), state === 'reconnecting' ? 300 : 1500);
    return () => clearTimeout(timer);
  }, [waiting, state]);
  if (!visible) return null;
  return (
    <div className="connection-bar" role="status" data-testid="connection-bar">
      {t('app.connecting')}
    </div>
  );
}
