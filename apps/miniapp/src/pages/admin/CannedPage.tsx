import { useEffect, useState } from 'react';
import { api } from '../../api';
import { useSession } from '../../app/session';
import { useMainButton } from '../../app/telegram';
import { t } from '../../i18n';
import { Field } from '../../ui/fields';
import { resetCanned } from '../agent/canned-cache';
import { AdminListPage, DraftForm, EditableRow } from './AdminList';
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
            setDraft({
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
      <DraftForm editing={draft.id !== null} onSave={save} onCancel={() => setDraft(empty)}>
        <Field label={t('admin.shortcut')}>
          <input
            value={draft.shortcut}
            maxLength={32}
            placeholder="refund"
            onChange={(e) => setDraft({ ...draft, shortcut: e.target.value.toLowerCase() })}
          />
        </Field>
        <Field label={t('admin.cannedTitle')}>
          <input
            value={draft.title}
            maxLength={120}
            onChange={(e) => setDraft({ ...draft, title: e.target.value })}
          />
        </Field>
        <Field label={t('admin.cannedBody')}>
          <textarea
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
