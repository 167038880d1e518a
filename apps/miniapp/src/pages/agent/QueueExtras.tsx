import { useState } from 'react';
import { api } from '../../api';
import { useSession } from '../../app/session';
import { t } from '../../i18n';
import { haptic } from '../../init';
import { EmptyState } from '../../ui/common';
import type { Filters } from './queue-model';

/** An empty queue: nothing to do yet, or — with a search or filters on — nothing matches them (and a way back). */
export function QueueEmpty({ filters, onReset }: { filters: Filters; onReset: () => void }) {
  const narrowed =
    filters.q.trim() !== '' ||
    filters.status ||
    filters.priority ||
    filters.category ||
    filters.sla ||
    filters.tag;
  if (!narrowed) return <EmptyState testId="queue-empty">{t('queue.empty')}</EmptyState>;
  return (
    <EmptyState
      testId="queue-no-results"
      action={
        <button type="button" className="link-button" data-testid="queue-reset" onClick={onReset}>
          {t('queue.reset')}
        </button>
      }
    >
      {filters.q.trim() ? t('queue.noResultsFor', { q: filters.q.trim() }) : t('queue.noResults')}
    </EmptyState>
  );
}

/** Online (auto-assignment may hand you new tickets) or away; the same as /online and /away in the bot. */
export function AvailabilityToggle() {
  const { me } = useSession();
  const [status, setStatus] = useState<'online' | 'away'>(me.availability ?? 'online');
  const [busy, setBusy] = useState(false);
  const online = status === 'online';
  const toggle = async () => {
    setBusy(true);
    try {
      const user = await api.setAvailability(online ? 'away' : 'online');
      setStatus(user.availability);
      haptic.selection();
    } catch {
      haptic.notify('error');
    } finally {
      setBusy(false);
    }
  };
  return (
    <button
      type="button"
      className={online ? 'availability is-online' : 'availability'}
      aria-pressed={online}
      aria-label={t('queue.availabilityHint', { state: online ? t('queue.online') : t('queue.away') })}
      data-testid="availability-toggle"
      disabled={busy}
      onClick={toggle}
    >
      {online ? t('queue.online') : t('queue.away')}
    </button>
  );
}
