import { t } from '../../i18n';
import { canRequestContact } from '../../init';
import type { TicketStatus } from '../../types';

/** The customer's own controls under a ticket: reopen it, close it, share their phone with the team. */
export function CustomerActions({
  status,
  busy,
  onStatus,
  onSharePhone,
}: {
  status: TicketStatus;
  busy: boolean;
  onStatus: (status: 'open' | 'closed') => void;
  onSharePhone: () => void;
}) {
  return (
    <div className="actions-row">
      {status === 'resolved' || status === 'closed' ? (
        <button type="button" className="chip" disabled={busy} onClick={() => onStatus('open')}>
          {t('ticket.reopen')}
        </button>
      ) : null}
      {canRequestContact() ? (
        <button type="button" className="chip" data-testid="share-phone" onClick={onSharePhone}>
          {t('contact.share')}
        </button>
      ) : null}
      {status !== 'closed' ? (
        <button
          type="button"
          className="chip chip--danger"
          disabled={busy}
          onClick={() => onStatus('closed')}
        >
          {t('ticket.closeTicket')}
        </button>
      ) : null}
    </div>
  );
}
