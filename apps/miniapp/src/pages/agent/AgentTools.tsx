import { allowedTransitions } from '@tikethet/domain/state-machine';
import { useEffect, useState } from 'react';
import { ApiError, api, errorText, type TicketPatch } from '../../api';
import { useSession } from '../../app/session';
import { statusLabel, t } from '../../i18n';
import { haptic } from '../../init';
import {
  type Category,
  PRIORITIES,
  personName,
  type StaffUser,
  type Ticket,
  type TicketDetail,
  topicUrl,
} from '../../types';
import { choicesOf, SelectField } from '../../ui/fields';
import { CustomerCard } from './CustomerCard';
import { TagEditor } from './TagEditor';

interface Props {
  ticket: TicketDetail;
  onTicket: (ticket: Ticket) => void;
  onReload: () => Promise<void>;
  onMessage: (text: string, kind: 'info' | 'error') => void;
}

/** Agent side of the ticket view: the customer card, «Взять себе» beside the assignee, and the controls sheet. */
export function AgentTools({ ticket, onTicket, onReload, onMessage }: Props) {
  const { me } = useSession();
  const [sheet, setSheet] = useState(false);
  const [busy, setBusy] = useState(false);

  const failed = async (e: unknown) => {
    haptic.notify('error');
    if (e instanceof ApiError && e.isConflict) {
      await onReload();
      onMessage(e.code === 'already_claimed' ? t('ticket.alreadyClaimed') : t('ticket.conflict'), 'error');
    } else onMessage(errorText(e), 'error');
  };

  const claim = async () => {
    setBusy(true);
    try {
      const updated = await api.claim(ticket.id);
      onTicket(updated);
      await onReload();
      haptic.notify('success');
      onMessage(t('ticket.claimed'), 'info');
    } catch (e) {
      await failed(e);
    } finally {
      setBusy(false);
    }
  };

  const patch = async (change: Omit<TicketPatch, 'version'>) => {
    setBusy(true);
    try {
      const updated = await api.patchTicket(ticket.id, { ...change, version: ticket.version });
      onTicket(updated);
      if (change.assigneeId !== undefined) await onReload();
      haptic.notify('success');
    } catch (e) {
      await failed(e);
    } finally {
      setBusy(false);
    }
  };

  const topic = ticket.topic ? topicUrl(ticket.topic) : null;
  return (
    <>
      <CustomerCard ticket={ticket} onMessage={onMessage} />
      <TagEditor tags={ticket.tags} busy={busy} onChange={(tags) => patch({ tags })} />
      <div className="actions-row">
        <span className="hint">
          {t('ticket.assignee')}:{' '}
          <span data-testid="assignee">
            {ticket.assignee
              ? personName(ticket.assignee)
              : ticket.assigneeId
                ? String(ticket.assigneeId)
                : t('ticket.unassigned')}
          </span>
        </span>
        {/* «Взять себе» has one place: here, beside the assignee it changes, one tap from an unassigned
            ticket, and in view while the sheet is open under it (the sheet's assignee list offers «Я»). */}
        {ticket.assigneeId === null ? (
          <button
            type="button"
            className="chip chip--accent"
            data-testid="claim"
            disabled={busy}
            onClick={claim}
          >
            {t('ticket.claim')}
          </button>
        ) : null}
        {topic ? (
          <a className="chip" href={topic} target="_blank" rel="noopener noreferrer" data-testid="topic-link">
            # {t('ticket.openTopic')}
          </a>
        ) : null}
        <button
          type="button"
          className="chip"
          aria-label={t('ticket.controls')}
          aria-expanded={sheet}
          data-testid="controls-toggle"
          onClick={() => setSheet((s) => !s)}
        >
          ⚙ {t('ticket.controls')}
        </button>
      </div>
      {sheet ? (
        <ControlsSheet
          ticket={ticket}
          meId={me.id}
          isAdmin={me.role === 'admin'}
          busy={busy}
          onPatch={patch}
          onClose={() => setSheet(false)}
        />
      ) : null}
    </>
  );
}

function ControlsSheet({
  ticket,
  meId,
  isAdmin,
  busy,
  onPatch,
  onClose,
}: {
  ticket: TicketDetail;
  meId: number;
  isAdmin: boolean;
  busy: boolean;
  onPatch: (change: Omit<TicketPatch, 'version'>) => Promise<void>;
  onClose: () => void;
}) {
  const [categories, setCategories] = useState<Category[]>([]);
  const [staff, setStaff] = useState<StaffUser[]>([]);
  useEffect(() => {
    api
      .categories()
      .then(setCategories)
      .catch(() => setCategories([]));
    if (isAdmin)
      api
        .agents()
        .then((list) => setStaff(list.filter((u) => u.role !== 'customer')))
        .catch(() => setStaff([]));
  }, [isAdmin]);

  // The domain's state machine decides which moves a staff member may make (the API enforces the same).
  const statusOptions = [ticket.status, ...allowedTransitions(ticket.status, isAdmin ? 'admin' : 'agent')];
  const assigneeOptions = new Map<number, string>();
  assigneeOptions.set(meId, t('ticket.me'));
  if (ticket.assignee) assigneeOptions.set(ticket.assignee.id, personName(ticket.assignee));
  for (const u of staff) if (!assigneeOptions.has(u.id)) assigneeOptions.set(u.id, personName(u));

  return (
    <div
      className="sheet"
      role="dialog"
      aria-modal="false"
      aria-label={t('ticket.controls')}
      data-testid="controls-sheet"
    >
      <SelectField
        row
        label={t('ticket.status')}
        ariaLabel={t('ticket.status')}
        value={ticket.status}
        disabled={busy}
        choices={choicesOf(statusOptions, (s) => statusLabel(s, 'staff'))}
        onChange={(status) => onPatch({ status })}
      />
      <SelectField
        row
        label={t('ticket.priority')}
        ariaLabel={t('ticket.priority')}
        value={ticket.priority}
        disabled={busy}
        choices={choicesOf(PRIORITIES, (p) => t(`priority.${p}`))}
        onChange={(priority) => onPatch({ priority })}
      />
      <SelectField
        row
        label={t('ticket.category')}
        ariaLabel={t('ticket.category')}
        value={String(ticket.categoryId ?? '')}
        disabled={busy}
        choices={[
          { value: '', label: t('new.noCategory') },
          ...categories
            .filter((c) => !c.archived || c.id === ticket.categoryId)
            .map((c) => ({ value: String(c.id), label: c.name })),
        ]}
        onChange={(id) => onPatch({ categoryId: id ? Number(id) : null })}
      />
      <SelectField
        row
        label={t('ticket.assignee')}
        ariaLabel={t('ticket.assignee')}
        value={String(ticket.assigneeId ?? '')}
        disabled={busy}
        choices={[
          { value: '', label: t('ticket.unassigned') },
          ...[...assigneeOptions].map(([id, name]) => ({ value: String(id), label: name })),
        ]}
        onChange={(id) => onPatch({ assigneeId: id ? Number(id) : null })}
      />
      <div className="actions-row">
        <button type="button" className="link-button" onClick={onClose}>
          {t('app.done')}
        </button>
      </div>
    </div>
  );
}
