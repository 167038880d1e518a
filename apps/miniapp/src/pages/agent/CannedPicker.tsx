import { type RefObject, useEffect, useMemo, useRef, useState } from 'react';
import { t } from '../../i18n';
import type { CannedReply } from '../../types';
import { filterCanned, loadCanned } from './canned-cache';

const LIST_ID = 'canned-list';
const optionId = (c: CannedReply) => `canned-option-${c.id}`;

/**
 * Opens above the composer while the text is `/shortcut`; picking inserts the template's body. A picker
 * like any other: the keyboard stays in the composer (`input`), ↑/↓ move the highlight, Enter picks the
 * highlighted template, Escape closes the list (`onClose`); a tap picks too.
 */
export function CannedPicker({
  query,
  input,
  onPick,
  onClose,
}: {
  query: string;
  input: RefObject<HTMLTextAreaElement | null>;
  onPick: (body: string) => void;
  onClose: () => void;
}) {
  const [all, setAll] = useState<CannedReply[] | null>(null);
  // The highlighted match, by its place in the list; a new query starts from its best match.
  const [highlight, setHighlight] = useState({ query, index: 0 });
  const list = useRef<HTMLDivElement | null>(null);
  useEffect(() => {
    loadCanned()
      .then(setAll)
      .catch(() => setAll([]));
  }, []);

  const matches = useMemo(() => (all ? filterCanned(all, query) : []), [all, query]);
  const index = highlight.query === query ? highlight.index : 0;
  const current = matches.length > 0 ? Math.min(index, matches.length - 1) : -1;
  const highlighted = current >= 0 ? matches[current] : undefined;

  // The composer keeps the focus (and the phone its keyboard); its keys drive the list. This runs before
  // the composer's own Enter-to-send, which leaves a key alone once it is handled here (defaultPrevented).
  useEffect(() => {
    const el = input.current;
    if (!el) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.isComposing) return;
      if (e.key === 'Escape') {
        e.preventDefault();
        onClose();
        return;
      }
      if (matches.length === 0) return;
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        const step = e.key === 'ArrowDown' ? 1 : -1;
        setHighlight({ query, index: (current + step + matches.length) % matches.length });
      } else if (e.key === 'Enter' && !e.shiftKey && highlighted) {
        e.preventDefault();
        onPick(highlighted.body);
      }
    };
    el.addEventListener('keydown', onKey);
    el.setAttribute('aria-controls', LIST_ID);
    if (highlighted) el.setAttribute('aria-activedescendant', optionId(highlighted));
    return () => {
      el.removeEventListener('keydown', onKey);
      el.removeAttribute('aria-controls');
      el.removeAttribute('aria-activedescendant');
    };
  }, [input, query, matches, current, highlighted, onPick, onClose]);

  useEffect(() => {
    if (highlighted)
      list.current?.querySelector(`#${optionId(highlighted)}`)?.scrollIntoView?.({ block: 'nearest' });
  }, [highlighted]);

  if (!all) return null;
  return (
    <div className="canned" data-testid="canned-picker">
      <div className="canned__title">{t('ticket.canned')}</div>
      {matches.length === 0 ? <p className="hint">{t('ticket.cannedEmpty')}</p> : null}
      <div className="canned__list" id={LIST_ID} role="listbox" aria-label={t('ticket.canned')} ref={list}>
        {matches.map((c, i) => (
          // biome-ignore lint/a11y/useKeyWithClickEvents: the keys are the composer's (↑/↓/Enter above): focus stays there.
          <div
            key={c.id}
            id={optionId(c)}
            role="option"
            aria-selected={i === current}
            tabIndex={-1}
            className={i === current ? 'canned__item is-active' : 'canned__item'}
            data-testid={`canned-${c.shortcut}`}
            // A tap must not take the focus from the composer (the phone would drop its keyboard).
            onMouseDown={(e) => e.preventDefault()}
            onMouseEnter={() => setHighlight({ query, index: i })}
            onClick={() => onPick(c.body)}
          >
            <span className="canned__shortcut">/{c.shortcut}</span> <span>{c.title}</span>
            <span className="canned__body">{c.body}</span>
          </div>
        ))}
      </div>
    </div>
  );
}
