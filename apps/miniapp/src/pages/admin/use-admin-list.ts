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
  load: () => void;
  /**
   * Runs a change; true when it went through. A refusal is told by `failed` (the form's save shows it in the
   * form), by default in `notice`.
   */
  run: (action: () => Promise<unknown>, failed?: (error: unknown) => void) => Promise<boolean>;
}

/**
 * What every admin list page does: load a list (error kept for a retry), and run a change with haptic
 * feedback and a notice in words, reloading afterwards. `fetchList` must be stable (module-level or memoised).
 */
export function useAdminList<T>(fetchList: () => Promise<T[]>): AdminList<T> {
  const [list, setList] = useState<T[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const load = useCallback(() => {
    fetchList()
      .then((items) => {
        setList(items);
        setError(null);
      })
      .catch(setError);
  }, [fetchList]);

  const run = useCallback(
    async (action: () => Promise<unknown>, failed?: (error: unknown) => void): Promise<boolean> => {
      try {
        await action();
        haptic.notify('success');
        setNotice(t('admin.saved'));
        load();
        return true;
      } catch (e) {
        haptic.notify('error');
        if (failed) failed(e);
        else setNotice(errorText(e));
        return false;
      }
    },
    [load],
  );

  return { list, error, notice, load, run };
}
