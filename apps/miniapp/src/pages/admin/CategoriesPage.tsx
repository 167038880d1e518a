import { useEffect } from 'react';
import { api } from '../../api';
import { t } from '../../i18n';
import { Field } from '../../ui/fields';
import { missing } from '../../ui/form-check';
import { AdminListPage, DraftForm, EditableRow, useDraftForm } from './AdminList';
import { useAdminList } from './use-admin-list';

interface Draft {
  id: number | null;
  name: string;
  description: string;
}

const empty: Draft = { id: null, name: '', description: '' };

/** Every category, archived ones too (so they can be restored), in their order. */
const loadCategories = () => api.categories(true).then((l) => [...l].sort((a, b) => a.position - b.position));

/** Admins: categories — add, rename, archive/restore, delete. */
export function CategoriesPage() {
  const admin = useAdminList(loadCategories);
  const { load, run } = admin;
  useEffect(load, [load]);
  const { draft, setDraft, form, start, formProps } = useDraftForm({
    admin,
    empty,
    problems: (d) => ({ name: missing(d.name, t('admin.nameMissing')) }),
    labels: { name: t('admin.name'), description: t('admin.description') },
    submit: (d) => {
      const input = { name: d.name.trim(), description: d.description.trim() || null };
      return d.id === null ? api.createCategory(input) : api.updateCategory(d.id, input);
    },
  });

  return (
    <AdminListPage
      testId="categories-page"
      title={t('admin.categories')}
      admin={admin}
      empty={t('admin.categoriesEmpty')}
      row={(c) => (
        <EditableRow
          key={c.id}
          testId={`category-${c.id}`}
          name={c.name}
          onEdit={() => start({ id: c.id, name: c.name, description: c.description ?? '' })}
          onDelete={() => run(() => api.deleteCategory(c.id))}
          actions={
            <button
              type="button"
              className="link-button"
              onClick={() => run(() => api.updateCategory(c.id, { archived: !c.archived }))}
            >
              {c.archived ? t('admin.unarchive') : t('admin.archive')}
            </button>
          }
        >
          <span className="cell__title">
            {c.name} {c.archived ? <span className="hint">· {t('admin.archived')}</span> : null}
          </span>
          {c.description ? <span className="cell__subtitle">{c.description}</span> : null}
        </EditableRow>
      )}
    >
      <DraftForm {...formProps}>
        <Field label={t('admin.name')} error={form.error('name')}>
          <input
            {...form.control('name')}
            value={draft.name}
            maxLength={80}
            onChange={(e) => setDraft({ ...draft, name: e.target.value })}
          />
        </Field>
        <Field label={t('admin.description')}>
          <input
            value={draft.description}
            maxLength={300}
            onChange={(e) => setDraft({ ...draft, description: e.target.value })}
          />
        </Field>
      </DraftForm>
    </AdminListPage>
  );
}
