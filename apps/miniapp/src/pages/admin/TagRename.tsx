import { useState } from 'react';
import { api, errorText } from '../../api';
import { t } from '../../i18n';
import { haptic } from '../../init';
import { normalTag } from '../agent/TagEditor';

/** Admins rename a tag on every ticket; a name already in use merges the two tags. */
export function TagRename({ tags, onDone }: { tags: { name: string }[]; onDone: () => void }) {
  const [from, setFrom] = useState(tags[0]?.name ?? '');
  const [to, setTo] = useState('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const target = normalTag(to);
  const submit = async () => {
    if (!from || !target) return;
    setBusy(true);
    try {
      const result = await api.renameTag(from, target);
      haptic.notify('success');
      setMessage(t('tags.renamed', { name: result.name, n: result.tickets }));
      setTo('');
      onDone();
    } catch (e) {
      haptic.notify('error');
      setMessage(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      className="tags__add"
      data-testid="tag-rename"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <select aria-label={t('tags.renameFrom')} value={from} onChange={(e) => setFrom(e.target.value)}>
        {tags.map((x) => (
          <option key={x.name} value={x.name}>
            {x.name}
          </option>
        ))}
      </select>
      <input
        className="tags__input"
        aria-label={t('tags.renameTo')}
        placeholder={t('tags.renameTo')}
        maxLength={32}
        value={to}
        onChange={(e) => setTo(e.target.value)}
      />
      <button type="submit" className="chip" disabled={busy || !target || target === from}>
        {t('tags.rename')}
      </button>
      {message ? (
        <p className="hint" role="status">
          {message}
        </p>
      ) : null}
    </form>
  );
}
