import { useEffect, useState } from 'react';
import { t } from '../../i18n';
import type { CannedReply } from '../../types';
import { filterCanned, loadCanned } from './canned-cache';

/** Opens above the composer while the text is `/shortcut`; picking inserts the template's body. */
export function CannedPicker({ query, onPick }: { query: string; onPick: (body: string) => void }) {
  const [all, setAll] = useState<CannedReply[] | null>(null);
  useEffect(() => {
    loadCanned()
      .then(setAll)
      .catch(() => setAll([]));
  }, []);
  if (!all) return null;
  const matches = filterCanned(all, query);
  return (
    <div className="canned" data-testid="canned-picker">
      <div className="canned__title">{t('ticket.canned')}</div>
      {matches.length === 0 ? <p className="hint">{t('ticket.cannedEmpty')}</p> : null}
      <ul className="canned__list" aria-label={t('ticket.canned')}>
        {matches.map((c) => (
          <li key={c.id}>
            <button
              type="button"
              className="canned__item"
              data-testid={`canned-${c.shortcut}`}
              onClick={() => onPick(c.body)}
            >
              <span className="canned__shortcut">/{c.shortcut}</span> <span>{c.title}</span>
              <span className="canned__body">{c.body}</span>
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
