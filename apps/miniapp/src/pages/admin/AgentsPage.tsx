import { useCallback, useEffect, useState } from 'react';
import { api } from '../../api';
import { useMainButton } from '../../app/telegram';
import { t } from '../../i18n';
import { personName, ROLES, type Role } from '../../types';
import { EmptyState, ErrorState, Section, Spinner } from '../../ui/common';
import { useAdminList } from './use-admin-list';

/** Admins: staff and their roles; any Telegram id can be given a role. */
export function AgentsPage() {
  const [newId, setNewId] = useState('');
  const [newRole, setNewRole] = useState<Role>('agent');
  // Empty: the staff; otherwise everyone matching by name, @username or id (customers to promote too).
  const [query, setQuery] = useState('');
  const fetchPeople = useCallback(() => api.agents(query.trim() || undefined), [query]);
  const { list, error, notice, load, run } = useAdminList(fetchPeople);
  useEffect(() => {
    const timer = setTimeout(load, query ? 300 : 0);
    return () => clearTimeout(timer);
  }, [load, query]);
  useMainButton(null);

  const setRole = (id: number, role: Role) => run(() => api.setRole(id, role));

  return (
    <main className="page" data-testid="agents-page">
      <h1 className="page__title">{t('admin.agents')}</h1>
      {notice ? (
        <p className="hint" role="status">
          {notice}
        </p>
      ) : null}
      <input
        className="search"
        type="search"
        aria-label={t('admin.findPeople')}
        placeholder={t('admin.findPeople')}
        data-testid="agents-search"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
      />
      {error && !list ? <ErrorState error={error} onRetry={load} /> : null}
      {!list && !error ? <Spinner /> : null}
      {list && list.length === 0 ? (
        <EmptyState>{query.trim() ? t('admin.nobodyFound') : t('admin.agentsEmpty')}</EmptyState>
      ) : null}
      {list && list.length > 0 ? (
        <ul className="list">
          {list.map((u) => (
            <li key={u.id} className="cell-item">
              <div className="cell" data-testid={`agent-${u.id}`}>
                <span className="cell__main">
                  <span className="cell__title">{personName(u)}</span>
                  <span className="cell__subtitle">
                    {u.username ? `@${u.username} · ` : ''}
                    {u.id}
                  </span>
                </span>
                <select
                  aria-label={t('admin.roleOf', { name: personName(u) })}
                  value={u.role}
                  onChange={(e) => setRole(u.id, e.target.value as Role)}
                >
                  {ROLES.map((r) => (
                    <option key={r} value={r}>
                      {t(`role.${r}`)}
                    </option>
                  ))}
                </select>
              </div>
            </li>
          ))}
        </ul>
      ) : null}
      <Section title={t('admin.addStaff')}>
        <form
          className="form form--inline"
          onSubmit={(e) => {
            e.preventDefault();
            if (/^[1-9][0-9]{0,15}$/.test(newId.trim())) {
              setRole(Number(newId.trim()), newRole);
              setNewId('');
            }
          }}
        >
          <label className="field">
            <span className="field__label">{t('admin.telegramId')}</span>
            <input inputMode="numeric" value={newId} onChange={(e) => setNewId(e.target.value)} />
          </label>
          <label className="field">
            <span className="field__label">{t('admin.role')}</span>
            <select value={newRole} onChange={(e) => setNewRole(e.target.value as Role)}>
              {ROLES.map((r) => (
                <option key={r} value={r}>
                  {t(`role.${r}`)}
                </option>
              ))}
            </select>
          </label>
          <button type="submit" className="button">
            {t('app.save')}
          </button>
        </form>
      </Section>
    </main>
  );
}
