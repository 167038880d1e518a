import { useEffect, useState } from 'react';
import { api } from '../../api';
import { useSession } from '../../app/session';
import { useMainButton } from '../../app/telegram';
import { t } from '../../i18n';
import { confirmDialog } from '../../init';
import { EmptyState, ErrorState, Section, Spinner } from '../../ui/common';
import { resetCanned } from '../agent/canned-cache';
import { useAdminList } from './use-admin-list';

interface Draft {
  id: number | null;
  shortcut: string;
  title: string;
  body: string;
  shared: boolean;
}

const empty: Draft = { id: null, shortcut: '', title: '', body: '', shared: false };

/** Fresh from the server: the composer's «/» cache is dropped too, so it sees changes at once. */
const loadCanned = () => {
  resetCanned();
  return api.cannedReplies();
};

/** Canned replies: agents manage their own, admins also shared ones. */
export function CannedPage() {
  const { me } = useSession();
  const { list, error, notice, load, run } = useAdminList(loadCanned);
  const [draft, setDraft] = useState<Draft>(empty);
  useEffect(load, [load]);

  const valid =
    /^[a-z0-9_-]{1,32}$/.test(draft.shortcut.trim()) && draft.title.trim() !== '' && draft.body.trim() !== '';
  const save = async () => {
    if (!valid) return;
    const input = { shortcut: draft.shortcut.trim(), title: draft.title.trim(), body: draft.body.trim() };
    const ok = await run(() =>
      draft.id === null
        ? api.createCanned(me.role === 'admin' ? { ...input, shared: draft.shared } : input)
        : api.updateCanned(draft.id, input),
    );
    if (ok) setDraft(empty);
  };

  useMainButton({ text: draft.id === null ? t('app.add') : t('app.save'), onClick: save, disabled: !valid });

  return (
    <main className="page" data-testid="canned-page">
      <h1 className="page__title">{t('admin.canned')}</h1>
      {notice ? (
        <p className="hint" role="status">
          {notice}
        </p>
      ) : null}
      {error && !list ? <ErrorState error={error} onRetry={load} /> : null}
      {!list && !error ? <Spinner /> : null}
      {list && list.length === 0 ? <EmptyState>{t('admin.cannedEmpty')}</EmptyState> : null}
      {list && list.length > 0 ? (
        <ul className="list">
          {list.map((c) => (
            <li key={c.id} className="cell-item">
              <div className="cell" data-testid={`canned-row-${c.shortcut}`}>
                <span className="cell__main">
                  <span className="cell__title">
                    <span className="canned__shortcut">/{c.shortcut}</span> {c.title}
                  </span>
                  <span className="cell__preview">{c.body}</span>
                </span>
                <span className="cell__actions">
                  <button
                    type="button"
                    className="link-button"
                    onClick={() =>
                      setDraft({
                        id: c.id,
                        shortcut: c.shortcut,
                        title: c.title,
                        body: c.body,
                        shared: c.ownerId === null,
                      })
                    }
                  >
                    {t('app.edit')}
                  </button>
                  <button
                    type="button"
                    className="link-button danger"
                    onClick={async () => {
                      if (await confirmDialog(t('admin.confirmDelete', { name: c.title })))
                        run(() => api.deleteCanned(c.id));
                    }}
                  >
                    {t('app.delete')}
                  </button>
                </span>
              </div>
            </li>
          ))}
        </ul>
      ) : null}
      <Section title={draft.id === null ? t('app.add') : t('app.edit')}>
        <form
          className="form"
          onSubmit={(e) => {
            e.preventDefault();
            save();
          }}
        >
          <label className="field">
            <span className="field__label">{t('admin.shortcut')}</span>
            <input
              value={draft.shortcut}
              maxLength={32}
              placeholder="refund"
              onChange={(e) => setDraft({ ...draft, shortcut: e.target.value.toLowerCase() })}
            />
          </label>
          <label className="field">
            <span className="field__label">{t('admin.cannedTitle')}</span>
            <input
              value={draft.title}
              maxLength={120}
              onChange={(e) => setDraft({ ...draft, title: e.target.value })}
            />
          </label>
          <label className="field">
            <span className="field__label">{t('admin.cannedBody')}</span>
            <textarea
              rows={4}
              value={draft.body}
              maxLength={4000}
              onChange={(e) => setDraft({ ...draft, body: e.target.value })}
            />
          </label>
          {me.role === 'admin' && draft.id === null ? (
            <label className="field field--check">
              <input
                type="checkbox"
                checked={draft.shared}
                onChange={(e) => setDraft({ ...draft, shared: e.target.checked })}
              />
              <span>{t('admin.shared')}</span>
            </label>
          ) : null}
          {draft.id !== null ? (
            <button type="button" className="link-button" onClick={() => setDraft(empty)}>
              {t('app.cancel')}
            </button>
          ) : null}
        </form>
      </Section>
    </main>
  );
}
