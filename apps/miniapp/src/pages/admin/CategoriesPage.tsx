import { useEffect, useState } from 'react';
import { api } from '../../api';
import { useMainButton } from '../../app/telegram';
import { t } from '../../i18n';
import { confirmDialog } from '../../init';
import { EmptyState, ErrorState, Section, Spinner } from '../../ui/common';
import { useAdminList } from './use-admin-list';

interface Draft {
  id: number | null;
  name: string;
  description: string;
}

/** Every category, archived ones too (so they can be restored), in their order. */
const loadCategories = () => api.categories(true).then((l) => [...l].sort((a, b) => a.position - b.position));

/** Admins: categories — add, rename, archive/restore, delete. */
export function CategoriesPage() {
  const { list, error, notice, load, run } = useAdminList(loadCategories);
  const [draft, setDraft] = useState<Draft>({ id: null, name: '', description: '' });
  useEffect(load, [load]);

  const save = async () => {
    const name = draft.name.trim();
    if (!name) return;
    const description = draft.description.trim() || null;
    const ok = await run(() =>
      draft.id === null
        ? api.createCategory({ name, description })
        : api.updateCategory(draft.id, { name, description }),
    );
    if (ok) setDraft({ id: null, name: '', description: '' });
  };

  useMainButton({
    text: draft.id === null ? t('app.add') : t('app.save'),
    onClick: save,
    disabled: !draft.name.trim(),
  });

  return (
    <main className="page" data-testid="categories-page">
      <h1 className="page__title">{t('admin.categories')}</h1>
      {notice ? (
        <p className="hint" role="status">
          {notice}
        </p>
      ) : null}
      {error && !list ? <ErrorState error={error} onRetry={load} /> : null}
      {!list && !error ? <Spinner /> : null}
      {list && list.length === 0 ? <EmptyState>{t('admin.categoriesEmpty')}</EmptyState> : null}
      {list && list.length > 0 ? (
        <ul className="list">
          {list.map((c) => (
            <li key={c.id} className="cell-item">
              <div className="cell" data-testid={`category-${c.id}`}>
                <span className="cell__main">
                  <span className="cell__title">
                    {c.name} {c.archived ? <span className="hint">· {t('admin.archived')}</span> : null}
                  </span>
                  {c.description ? <span className="cell__subtitle">{c.description}</span> : null}
                </span>
                <span className="cell__actions">
                  <button
                    type="button"
                    className="link-button"
                    onClick={() => setDraft({ id: c.id, name: c.name, description: c.description ?? '' })}
                  >
                    {t('app.edit')}
                  </button>
                  <button
                    type="button"
                    className="link-button"
                    onClick={() => run(() => api.updateCategory(c.id, { archived: !c.archived }))}
                  >
                    {c.archived ? t('admin.unarchive') : t('admin.archive')}
                  </button>
                  <button
                    type="button"
                    className="link-button danger"
                    onClick={async () => {
                      if (await confirmDialog(t('admin.confirmDelete', { name: c.name })))
                        run(() => api.deleteCategory(c.id));
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
            <span className="field__label">{t('admin.name')}</span>
            <input
              value={draft.name}
              maxLength={80}
              onChange={(e) => setDraft({ ...draft, name: e.target.value })}
            />
          </label>
          <label className="field">
            <span className="field__label">{t('admin.description')}</span>
            <input
              value={draft.description}
              maxLength={300}
              onChange={(e) => setDraft({ ...draft, description: e.target.value })}
            />
          </label>
          {draft.id !== null ? (
            <button
              type="button"
              className="link-button"
              onClick={() => setDraft({ id: null, name: '', description: '' })}
            >
              {t('app.cancel')}
            </button>
          ) : null}
        </form>
      </Section>
    </main>
  );
}
