import { useCallback, useEffect, useState } from 'react';
import { api } from '../../api';
import { useMainButton } from '../../app/telegram';
import { t } from '../../i18n';
import { personName, ROLES, type Role } from '../../types';
import { Section } from '../../ui/common';
import { choicesOf, Field, Select, SelectField } from '../../ui/fields';
import { AdminListPage, ListRow } from './AdminList';
import { useAdminList } from './use-admin-list';

/** Admins: staff and their roles; any Telegram id can be given a role. */
export function AgentsPage() {
  const [newId, setNewId] = useState('');
  const [newRole, setNewRole] = useState<Role>('agent');
  // Empty: the staff; otherwise everyone matching by name, @username or id (customers to promote too).
  const [query, setQuery] = useState('');
  const fetchPeople = useCallback(() => api.agents(query.trim() || undefined), [query]);
  const admin = useAdminList(fetchPeople);
  const { load, run } = admin;
  useEffect(() => {
    const timer = setTimeout(load, query ? 300 : 0);
    return () => clearTimeout(timer);
  }, [load, query]);
  useMainButton(null);

  const setRole = (id: number, role: Role) => run(() => api.setRole(id, role));
  const roleChoices = choicesOf(ROLES, (r) => t(`role.${r}`));

  return (
    <AdminListPage
      testId="agents-page"
      title={t('admin.agents')}
      admin={admin}
      toolbar={
        <input
          className="search"
          type="search"
          aria-label={t('admin.findPeople')}
          placeholder={t('admin.findPeople')}
          data-testid="agents-search"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
        />
      }
      empty={query.trim() ? t('admin.nobodyFound') : t('admin.agentsEmpty')}
      row={(u) => (
        <ListRow
          key={u.id}
          testId={`agent-${u.id}`}
          trail={
            <Select
              ariaLabel={t('admin.roleOf', { name: personName(u) })}
              value={u.role}
              choices={roleChoices}
              onChange={(role) => setRole(u.id, role)}
            />
          }
        >
          <span className="cell__title">{personName(u)}</span>
          <span className="cell__subtitle">
            {u.username ? `@${u.username} · ` : ''}
            {u.id}
          </span>
        </ListRow>
      )}
    >
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
          <Field label={t('admin.telegramId')}>
            <input inputMode="numeric" value={newId} onChange={(e) => setNewId(e.target.value)} />
          </Field>
          <SelectField label={t('admin.role')} value={newRole} choices={roleChoices} onChange={setNewRole} />
          <button type="submit" className="button">
            {t('app.save')}
          </button>
        </form>
      </Section>
    </AdminListPage>
  );
}
