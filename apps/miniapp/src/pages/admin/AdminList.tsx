import { type ReactNode, useState } from 'react';
import { errorText } from '../../api';
import { useMainButton, useUnsavedDraft } from '../../app/telegram';
import { t } from '../../i18n';
import { confirmDialog } from '../../init';
import { EmptyState, ErrorState, Section, Spinner } from '../../ui/common';
import { type FormCheck, useFormCheck } from '../../ui/form-check';
import type { AdminList } from './use-admin-list';

/**
 * An admin list page: its title, the last change's notice, any `toolbar`, then the list — an error with a retry,
 * loading, `empty` words, or a row per item — and below it `children` (the add/edit form).
 */
export function AdminListPage<T>({
  testId,
  title,
  admin: { list, error, notice, load },
  toolbar,
  empty,
  row,
  children,
}: {
  testId: string;
  title: string;
  admin: AdminList<T>;
  toolbar?: ReactNode;
  empty: ReactNode;
  row: (item: T) => ReactNode;
  children: ReactNode;
}) {
  return (
    <main className="page" data-testid={testId}>
      <h1 className="page__title">{title}</h1>
      {notice ? (
        <p className="hint" role="status">
          {notice}
        </p>
      ) : null}
      {toolbar ? <div className="toolbar">{toolbar}</div> : null}
      {error && !list ? <ErrorState error={error} onRetry={load} /> : null}
      {!list && !error ? <Spinner /> : null}
      {list && list.length === 0 ? <EmptyState>{empty}</EmptyState> : null}
      {list && list.length > 0 ? <ul className="list">{list.map((item) => row(item))}</ul> : null}
      {children}
    </main>
  );
}

/**
 * A row of an admin list: what it is (children), then its controls (`trail`), which move under it when the
 * two do not fit side by side on a narrow screen.
 */
export function ListRow({
  testId,
  trail,
  children,
}: {
  testId: string;
  trail: ReactNode;
  children: ReactNode;
}) {
  return (
    <li className="cell-item">
      <div className="cell cell--actions" data-testid={testId}>
        <span className="cell__main">{children}</span>
        {trail}
      </div>
    </li>
  );
}

/**
 * A row that can be edited and deleted: «Изменить», any further `actions`, then «Удалить», which asks first
 * (naming the row by `name`).
 */
export function EditableRow({
  testId,
  name,
  onEdit,
  onDelete,
  actions,
  children,
}: {
  testId: string;
  name: string;
  onEdit: () => void;
  onDelete: () => void;
  actions?: ReactNode;
  children: ReactNode;
}) {
  const askDelete = async () => {
    if (await confirmDialog(t('admin.confirmDelete', { name }))) onDelete();
  };
  return (
    <ListRow
      testId={testId}
      trail={
        <span className="cell__actions">
          <button type="button" className="link-button" onClick={onEdit}>
            {t('app.edit')}
          </button>
          {actions}
          <button type="button" className="link-button danger" onClick={askDelete}>
            {t('app.delete')}
          </button>
        </span>
      }
    >
      {children}
    </ListRow>
  );
}

/**
 * The add/edit form under an admin list: «Добавить» or, while `editing`, «Изменить» with «Отмена»; under it
 * why the last save failed (`error`).
 */
export function DraftForm({
  editing,
  error,
  onSave,
  onCancel,
  children,
}: {
  editing: boolean;
  error: string | null;
  onSave: () => void;
  onCancel: () => void;
  children: ReactNode;
}) {
  return (
    <Section title={editing ? t('app.edit') : t('app.add')} error={error}>
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault();
          onSave();
        }}
      >
        {children}
        {editing ? (
          <button type="button" className="link-button" onClick={onCancel}>
            {t('app.cancel')}
          </button>
        ) : null}
      </form>
    </Section>
  );
}

/**
 * The state behind a `DraftForm`: the draft (`empty` when adding), what is wrong with it (`problems`, shown
 * under the fields on a press — the MainButton «Добавить»/«Сохранить» stays pressable), and the save
 * (`submit`), whose refusal the form shows naming fields by `labels`. `start` begins another draft afresh.
 * While the draft differs from where it started (text typed, not yet saved), BackButton and closing the Mini
 * App ask first.
 */
export function useDraftForm<D extends { id: number | null }, K extends string>({
  admin,
  empty,
  problems,
  labels,
  submit,
}: {
  admin: Pick<AdminList<unknown>, 'run'>;
  empty: D;
  problems: (draft: D) => Record<K, string | null>;
  labels: Record<string, string>;
  submit: (draft: D) => Promise<unknown>;
}): {
  draft: D;
  setDraft: (draft: D) => void;
  form: FormCheck<K>;
  start: (draft: D) => void;
  formProps: Omit<Parameters<typeof DraftForm>[0], 'children'>;
} {
  const [draft, setDraft] = useState<D>(empty);
  const [started, setStarted] = useState<D>(empty);
  // Why the last save failed, naming the form's fields by their captions (`labels`).
  const [error, setError] = useState<string | null>(null);
  const form = useFormCheck(problems(draft));
  useUnsavedDraft(changed(started, draft) ? t('app.leaveForm') : null);
  const start = (next: D) => {
    setDraft(next);
    setStarted(next);
    form.reset();
    setError(null);
  };
  const save = async () => {
    if (!form.check()) return;
    setError(null);
    const failed = (e: unknown) => setError(errorText(e, labels));
    if (await admin.run(() => submit(draft), failed)) start(empty);
  };
  useMainButton({ text: draft.id === null ? t('app.add') : t('app.save'), onClick: save });
  return {
    draft,
    setDraft,
    form,
    start,
    formProps: {
      editing: draft.id !== null,
      error,
      onSave: save,
      onCancel: () => start(empty),
    },
  };
}

/** Whether `draft` differs from `started` in any field (text compared without its outer spaces). */
function changed<D extends object>(started: D, draft: D): boolean {
  const value = (v: unknown) => (typeof v === 'string' ? v.trim() : v);
  return (Object.keys(draft) as (keyof D)[]).some((k) => value(draft[k]) !== value(started[k]));
}
