import { useState } from 'react';
import { t } from '../../i18n';

/** The rule the server applies (domain `tagSchema`): lower case, letters, digits, `_` and `-`, 1–32. */
export function normalTag(raw: string): string | null {
  const tag = raw.trim().toLowerCase();
  return /^[\p{L}\p{N}][\p{L}\p{N}_-]{0,31}$/u.test(tag) ? tag : null;
}

/** A ticket's tags as chips (× removes one) and a field that adds one on Enter or «+». */
export function TagEditor({
  tags,
  busy,
  onChange,
}: {
  tags: string[];
  busy: boolean;
  onChange: (tags: string[]) => void;
}) {
  const [draft, setDraft] = useState('');
  const [invalid, setInvalid] = useState(false);
  const add = () => {
    const tag = normalTag(draft);
    if (!tag) {
      setInvalid(draft.trim() !== '');
      return;
    }
    setDraft('');
    setInvalid(false);
    if (!tags.includes(tag)) onChange([...tags, tag]);
  };
  return (
    <div className="tags" data-testid="tag-editor">
      <ul className="tags__list" aria-label={t('tags.title')}>
        {tags.map((tag) => (
          <li key={tag} className="tag" data-testid={`tag-${tag}`}>
            {tag}
            <button
              type="button"
              className="tag__remove"
              aria-label={t('tags.remove', { tag })}
              disabled={busy}
              onClick={() => onChange(tags.filter((x) => x !== tag))}
            >
              ×
            </button>
          </li>
        ))}
      </ul>
      <form
        className="tags__add"
        onSubmit={(e) => {
          e.preventDefault();
          add();
        }}
      >
        <input
          className="tags__input"
          aria-label={t('tags.add')}
          aria-invalid={invalid}
          placeholder={t('tags.add')}
          maxLength={32}
          value={draft}
          disabled={busy}
          data-testid="tag-input"
          onChange={(e) => {
            setDraft(e.target.value);
            setInvalid(false);
          }}
        />
        <button type="submit" className="chip" disabled={busy || !draft.trim()} data-testid="tag-add">
          +
        </button>
      </form>
      {invalid ? (
        <p className="field__error" role="alert">
          {t('tags.invalid')}
        </p>
      ) : null}
    </div>
  );
}
