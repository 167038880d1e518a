import { useState } from 'react';
import { api, type BulkAction, errorText } from '../../api';
import { t } from '../../i18n';
import { haptic } from '../../init';
import { normalTag } from './TagEditor';

/** Multi-select's bar: tag, assign to me or close the picked tickets, answered per ticket in a toast. */
export function BulkBar({
  picked,
  meId,
  onDone,
}: {
  picked: Set<number>;
  meId: number;
  /** `done`: the action ran (some tickets may have refused); otherwise the request failed and nothing changed. */
  onDone: (toast: string, done: boolean) => void;
}) {
  const [bulkTag, setBulkTag] = useState('');
  const [bulkBusy, setBulkBusy] = useState(false);
  const bulk = async (action: BulkAction) => {
    if (picked.size === 0) return;
    setBulkBusy(true);
    try {
      const result = await api.bulk([...picked], action);
      const ok = result.items.filter((i) => i.ok).length;
      haptic.notify(ok === result.items.length ? 'success' : 'warning');
      setBulkTag('');
      onDone(t('bulk.done', { ok, n: result.items.length }), true);
    } catch (e) {
      haptic.notify('error');
      onDone(errorText(e), false);
    } finally {
      setBulkBusy(false);
    }
  };
  return (
    <div
      className="bulk-bar"
      role="toolbar"
      aria-label={t('queue.selected', { n: picked.size })}
      data-testid="bulk-bar"
    >
      <span className="hint" data-testid="bulk-count">
        {t('queue.selected', { n: picked.size })}
      </span>
      <form
        className="tags__add"
        onSubmit={(e) => {
          e.preventDefault();
          const tag = normalTag(bulkTag);
          if (tag) bulk({ addTags: [tag] });
        }}
      >
        <input
          className="tags__input"
          aria-label={t('bulk.tag')}
          placeholder={t('bulk.tag')}
          maxLength={32}
          value={bulkTag}
          data-testid="bulk-tag-input"
          onChange={(e) => setBulkTag(e.target.value)}
        />
        <button
          type="submit"
          className="chip"
          data-testid="bulk-tag"
          disabled={bulkBusy || picked.size === 0 || !normalTag(bulkTag)}
        >
          +
        </button>
      </form>
      <button
        type="button"
        className="chip"
        data-testid="bulk-assign-me"
        disabled={bulkBusy || picked.size === 0}
        onClick={() => bulk({ assigneeId: meId })}
      >
        {t('bulk.assignMe')}
      </button>
      <button
        type="button"
        className="chip chip--danger"
        data-testid="bulk-close"
        disabled={bulkBusy || picked.size === 0}
        onClick={() => bulk({ status: 'closed' })}
      >
        {t('bulk.close')}
      </button>
    </div>
  );
}
