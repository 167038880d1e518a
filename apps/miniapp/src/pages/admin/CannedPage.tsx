import { useEffect } from 'react';
import { api } from '../../api';
import { useSession } from '../../app/session';
import { t } from '../../i18n';
import { Field } from '../../ui/fields';
import { missing } from '../../ui/form-check';
import { resetCanned } from '../agent/canned-cache';
import { AdminListPage, DraftForm, EditableRow, useDraftForm } from './AdminList';
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
  const admin = useAdminList(loadCanned);
  const { load, run } = admin;
  useEffect(load, [load]);
  const { draft, setDraft, form, start, formProps } = useDraftForm({
    admin,
    empty,
    problems: (d) => ({
      shortcut:
        missing(d.shortcut, t('admin.shortcutMissing')) ??
        (/^[a-z0-9_-]{1,32}$/.test(d.shortcut.trim()) ? null : t('admin.shortcutInvalid')),
      title: missing(d.title, t('admin.cannedTitleMissing')),
      body: missing(d.body, t('admin.cannedBodyMissing')),
    }),
    labels: { shortcut: t('admin.shortcut'), title: t('admin.cannedTitle'), body: t('admin.cannedBody') },
    submit: (d) => {
      const input = { shortcut: d.shortcut.trim(), title: d.title.trim(), body: d.body.trim() };
      return d.id === null
        ? api.createCanned(me.role === 'admin' ? { ...input, shared: d.shared } : input)
        : api.updateCanned(d.id, input);
    },
  });

  return (
    <AdminListPage
      testId="canned-page"
      title={t('admin.canned')}
      admin={admin}
      empty={t('admin.cannedEmpty')}
      row={(c) => (
        <EditableRow
          key={c.id}
          testId={`canned-row-${c.shortcut}`}
          name={c.title}
          onEdit={() =>
            start({
              id: c.id,
              shortcut: c.shortcut,
              title: c.title,
              body: c.body,
              shared: c.ownerId === null,
            })
          }
          onDelete={() => run(() => api.deleteCanned(c.id))}
        >
          <span className="cell__title">
            <span className="canned__shortcut">/{c.shortcut}</span> {c.title}
          </span>
          <span className="cell__preview">{c.body}</span>
        </EditableRow>
      )}
    >
      <DraftForm {...formProps}>
        <Field label={t('admin.shortcut')} error={form.error('shortcut')}>
          <input
            {...form.control('shortcut')}
            value={draft.shortcut}
            maxLength={32}
            placeholder="refund"
            onChange={(e) => setDraft({ ...draft, shortcut: e.target.value.toLowerCase() })}
          />
        </Field>
        <Field label={t('admin.cannedTitle')} error={form.error('title')}>
          <input
            {...form.control('title')}
            value={draft.title}
            maxLength={120}
            onChange={(e) => setDraft({ ...draft, title: e.target.value })}
          />
        </Field>
        <Field label={t('admin.cannedBody')} error={form.error('body')}>
          <textarea
            {...form.control('body')}
            rows={4}
            value={draft.body}
            maxLength={4000}
            onChange={(e) => setDraft({ ...draft, body: e.target.value })}
          />
        </Field>
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
      </DraftForm>
    </AdminListPage>
  );
}
