import { useCallback, useState } from 'react';
import { errorText } from '../../api';
import { t } from '../../i18n';
import { haptic } from '../../init';

export interface AdminList<T> {
  /** The items, or null until the first load succeeds. */
  list: T[] | null;
  /** Why the last load failed, if it did. */
  error: unknown;
  /** The last change's outcome, in words. */
  notice: string | null;
  /** Why the form's last save failed, in words naming the form's fields (shown in the form). */
  formError: string | null;
  load: () => void;
  /** Runs a change; true when it went through. */
  run: (action: () => Promise<unknown>) => Promise<boolean>;
  /**
   * Runs the form's save; true when it went through. A refusal goes to `formError`, naming fields by their
   * captions (`labels`, by API field name).
   */
  save: (action: () => Promise<unknown>, labels: Record<string, string>) => Promise<boolean>;
  /** Forgets `formError` (the form was cancelled or starts on another item). */
  clearFormError: () => void;
}

/**
 * What every admin list page does: load a list (error kept for a retry), and run a change with haptic
 * feedback and a notice in words, reloading afterwards. `fetchList` must be stable (module-level or memoised).
 */
export function useAdminList<T>(fetchList: () => Promise<T[]>): AdminList<T> {
  const [list, setList] = useState<T[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [formError, setFormError] = useState<string | null>(null);

  const load = useCallback(() => {
    fetchList()
      .then((items) => {
        setList(items);
        setError(null);
      })
      .catch(setError);
  }, [fetchList]);

  const attempt = useCallback(
    async (action: () => Promise<unknown>, failed: (e: unknown) => void): Promise<boolean> => {
      try {
        await action();
        haptic.notify('success');
        setNotice(t('admin.saved'));
        load();
        return true;
      } catch (e) {
        haptic.notify('error');
        failed(e);
        return false;
      }
    },
    [load],
  );

  const run = useCallback(
    (action: () => Promise<unknown>) => attempt(action, (e) => setNotice(errorText(e))),
    [attempt],
  );

  const save = useCallback(
    (action: () => Promise<unknown>, labels: Record<string, string>) => {
      setFormError(null);
      return attempt(action, (e) => setFormError(errorText(e, labels)));
    },
    [attempt],
  );

  const clearFormError = useCallback(() => setFormError(null), []);

  return { list, error, notice, formError, load, run, save, clearFormError };
}
