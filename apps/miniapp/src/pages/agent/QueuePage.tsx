import { useCallback, useEffect, useRef, useState } from 'react';
import { api, type BulkAction, errorText, type TicketFilters } from '../../api';
import { useIsActive, useRouter } from '../../app/router';
import { useSession } from '../../app/session';
import { useMainButton } from '../../app/telegram';
import { statusLabel, t } from '../../i18n';
import { haptic } from '../../init';
import { byDue, fitsSlaFilter } from '../../sla';
import {
  type Category,
  PRIORITIES,
  STATUSES,
  type TagCount,
  type Ticket,
  type TicketPriority,
  type TicketRow,
} from '../../types';
import { EmptyState, ErrorState, LoadMoreButton, Spinner, Toast } from '../../ui/common';
import { choicesOf, SelectField } from '../../ui/fields';
import { TicketList } from '../../ui/TicketRow';
import { interpretFrame } from '../ticket/ticket-state';
import { normalTag } from './TagEditor';

type Tab = 'none' | 'me' | 'all';

interface Filters {
  status: string;
  priority: '' | TicketPriority;
  category: string;
  sla: '' | 'breached' | 'due_soon';
  sort: 'recent' | 'due';
  tag: string;
  q: string;
}

const NO_FILTERS: Filters = {
  status: '',
  priority: '',
  category: '',
  sla: '',
  sort: 'recent',
  tag: '',
  q: '',
};

/** Whether a ticket from a live event belongs in the list as currently filtered. */
function matches(ticket: Ticket, tab: Tab, filters: Filters, meId: number): boolean {
  if (tab === 'none' && ticket.assigneeId !== null) return false;
  if (tab === 'me' && ticket.assigneeId !== meId) return false;
  if (filters.status && !filters.status.split(',').includes(ticket.status)) return false;
  if (filters.priority && ticket.priority !== filters.priority) return false;
  if (filters.category === 'none' && ticket.categoryId !== null) return false;
  if (filters.category && filters.category !== 'none' && String(ticket.categoryId) !== filters.category)
    return false;
  if (!fitsSlaFilter(ticket, filters.sla)) return false;
  if (filters.tag && !ticket.tags.includes(filters.tag)) return false;
  const q = filters.q.trim().toLowerCase();
  if (q && !ticket.subject.toLowerCase().includes(q) && !String(ticket.id).includes(q)) return false;
  return true;
}

function toParams(tab: Tab, f: Filters): TicketFilters {
  return {
    ...(tab === 'all' ? {} : { assignee: tab }),
    ...(f.status ? { status: f.status } : tab === 'all' ? {} : { status: 'new,open,pending' }),
    ...(f.priority ? { priority: f.priority } : {}),
    ...(f.category ? { category: f.category === 'none' ? 'none' : Number(f.category) } : {}),
    ...(f.sla ? { sla: f.sla } : {}),
    ...(f.sort === 'due' ? { sort: 'due' as const } : {}),
    ...(f.tag ? { tag: f.tag } : {}),
    ...(f.q.trim() ? { q: f.q.trim() } : {}),
    limit: 50,
  };
}

function byActivity(a: Ticket, b: Ticket): number {
  return Date.parse(b.lastMessageAt) - Date.parse(a.lastMessageAt) || b.id - a.id;
}

/** Agents' queue: tabs Без агента / Мои / Все, filters, search; live from the `queue` topic. */
export function QueuePage() {
  const { me, rt, signOut } = useSession();
  const { push } = useRouter();
  const active = useIsActive();
  const [tab, setTab] = useState<Tab>('none');
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const [showFilters, setShowFilters] = useState(false);
  const [categories, setCategories] = useState<Category[]>([]);
  const [tags, setTags] = useState<TagCount[]>([]);
  // Multi-select: null when off; else the picked tickets (bulk actions from the bar at the bottom).
  const [picked, setPicked] = useState<Set<number> | null>(null);
  const [bulkTag, setBulkTag] = useState('');
  const [bulkBusy, setBulkBusy] = useState(false);
  const [toast, setToast] = useState<string | null>(null);
  const [items, setItems] = useState<TicketRow[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const query = useRef({ tab, filters });
  query.current = { tab, filters };
  const requestNo = useRef(0);

  const load = useCallback(async () => {
    const no = ++requestNo.current;
    try {
      const page = await api.listTickets(toParams(tab, filters));
      if (no !== requestNo.current) return;
      setItems(page.items);
      setCursor(page.nextCursor);
      setError(null);
    } catch (e) {
      if (no === requestNo.current) setError(e);
    }
  }, [tab, filters]);

  // Re-read on tab/filter change (search debounced) and whenever the queue becomes visible again.
  useEffect(() => {
    if (!active) return;
    const timer = setTimeout(load, filters.q ? 300 : 0);
    return () => clearTimeout(timer);
  }, [active, load, filters.q]);

  useEffect(() => {
    api
      .categories()
      .then(setCategories)
      .catch(() => setCategories([]));
  }, []);
  // The tags in use, for the filter: read again each time the filters open.
  useEffect(() => {
    if (!showFilters) return;
    api
      .tags()
      .then(setTags)
      .catch(() => setTags([]));
  }, [showFilters]);

  const bulk = async (action: BulkAction) => {
    if (!picked || picked.size === 0) return;
    setBulkBusy(true);
    try {
      const result = await api.bulk([...picked], action);
      const ok = result.items.filter((i) => i.ok).length;
      haptic.notify(ok === result.items.length ? 'success' : 'warning');
      setToast(t('bulk.done', { ok, n: result.items.length }));
      setPicked(new Set());
      setBulkTag('');
      await load();
    } catch (e) {
      haptic.notify('error');
      setToast(errorText(e));
    } finally {
      setBulkBusy(false);
    }
  };

  // Live: upsert what matches, drop what no longer does; after a reconnect, re-read the snapshot.
  useEffect(
    () =>
      rt.subscribe('queue', {
        onFrame(frame) {
          const change = interpretFrame(frame);
          if (change.kind !== 'ticket') return;
          const ticket = change.ticket;
          const { tab: tb, filters: f } = query.current;
          const statusFilterDefault = !f.status && tb !== 'all';
          const fits =
            matches(ticket, tb, f, me.id) &&
            (!statusFilterDefault || ['new', 'open', 'pending'].includes(ticket.status));
          setItems((prev) => {
            if (!prev) return prev;
            const rest = prev.filter((p) => p.id !== ticket.id);
            if (!fits) return rest;
            const old = prev.find((p) => p.id === ticket.id);
            return [...rest, { ...old, ...ticket }].sort(f.sort === 'due' || f.sla ? byDue : byActivity);
          });
        },
        onResume: () => {
          load();
        },
      }),
    [rt, me.id, load],
  );

  const more = async () => {
    if (!cursor) return;
    try {
      const page = await api.listTickets({ ...toParams(tab, filters), cursor });
      setItems((prev) => [...(prev ?? []), ...page.items.filter((i) => !prev?.some((p) => p.id === i.id))]);
      setCursor(page.nextCursor);
    } catch (e) {
      setError(e);
    }
  };

  useMainButton(null);

  const tabs: { id: Tab; label: string }[] = [
    { id: 'none', label: t('queue.unassigned') },
    { id: 'me', label: t('queue.mine') },
    { id: 'all', label: t('queue.all') },
  ];
  const setFilter = (patch: Partial<Filters>) => setFilters((f) => ({ ...f, ...patch }));

  return (
    <main className="page" data-testid="queue">
      <header className="page__head">
        <div className="segmented tabs" role="tablist" aria-label={t('queue.title')}>
          {tabs.map((x) => (
            <button
              key={x.id}
              type="button"
              role="tab"
              aria-selected={tab === x.id}
              data-testid={`tab-${x.id}`}
              className={tab === x.id ? 'segmented__item is-on' : 'segmented__item'}
              onClick={() => {
                haptic.selection();
                setItems(null);
                setTab(x.id);
              }}
            >
              {x.label}
            </button>
          ))}
        </div>
        <AvailabilityToggle />
        <button
          type="button"
          className="icon-button"
          aria-label={t('queue.dashboard')}
          data-testid="open-dashboard"
          onClick={() => push({ name: 'dashboard' })}
        >
          <svg viewBox="0 0 20 20" width="20" height="20" aria-hidden="true" className="icon">
            <rect x="3" y="10" width="3" height="7" rx="1" />
            <rect x="8.5" y="5" width="3" height="12" rx="1" />
            <rect x="14" y="8" width="3" height="9" rx="1" />
          </svg>
        </button>
      </header>
      <div className="toolbar" role="tabpanel">
        <input
          type="search"
          className="search"
          aria-label={t('queue.search')}
          placeholder={t('queue.searchPlaceholder')}
          value={filters.q}
          onChange={(e) => setFilter({ q: e.target.value })}
          data-testid="queue-search"
        />
        <button
          type="button"
          className={picked ? 'chip chip--accent' : 'chip'}
          aria-pressed={picked !== null}
          data-testid="select-toggle"
          onClick={() => setPicked((p) => (p ? null : new Set()))}
        >
          {t('queue.select')}
        </button>
        <button
          type="button"
          className="icon-button"
          aria-label={t('queue.filters')}
          aria-expanded={showFilters}
          data-testid="filters-toggle"
          onClick={() => setShowFilters((s) => !s)}
        >
          ⚙
        </button>
      </div>
      {showFilters ? (
        <div className="filters" data-testid="filters">
          <SelectField
            row
            label={t('ticket.status')}
            value={filters.status}
            choices={[
              { value: '', label: t('queue.anyStatus') },
              ...choicesOf(STATUSES, (s) => statusLabel(s, 'staff')),
            ]}
            onChange={(status) => setFilter({ status })}
          />
          <SelectField
            row
            label={t('ticket.priority')}
            value={filters.priority}
            choices={[
              { value: '', label: t('queue.anyPriority') },
              ...choicesOf(PRIORITIES, (p) => t(`priority.${p}`)),
            ]}
            onChange={(priority) => setFilter({ priority })}
          />
          <SelectField
            row
            label={t('queue.sla')}
            ariaLabel={t('queue.sla')}
            value={filters.sla}
            choices={[
              { value: '', label: t('queue.slaAny') },
              { value: 'breached', label: t('queue.slaBreached') },
              { value: 'due_soon', label: t('queue.slaDueSoon') },
            ]}
            onChange={(sla) => setFilter({ sla })}
          />
          <SelectField
            row
            label={t('queue.sort')}
            ariaLabel={t('queue.sort')}
            value={filters.sort}
            choices={[
              { value: 'recent', label: t('queue.sortRecent') },
              { value: 'due', label: t('queue.sortDue') },
            ]}
            onChange={(sort) => setFilter({ sort })}
          />
          <SelectField
            row
            label={t('ticket.category')}
            value={filters.category}
            choices={[
              { value: '', label: t('queue.anyCategory') },
              { value: 'none', label: t('new.noCategory') },
              ...categories.map((c) => ({ value: String(c.id), label: c.name })),
            ]}
            onChange={(category) => setFilter({ category })}
          />
          <SelectField
            row
            label={t('queue.tag')}
            ariaLabel={t('queue.tag')}
            value={filters.tag}
            choices={[
              { value: '', label: t('queue.anyTag') },
              ...tags.map((x) => ({ value: x.name, label: `${x.name} (${x.tickets})` })),
              ...(filters.tag && !tags.some((x) => x.name === filters.tag)
                ? [{ value: filters.tag, label: filters.tag }]
                : []),
            ]}
            onChange={(tag) => setFilter({ tag })}
          />
        </div>
      ) : null}
      {toast ? <Toast text={toast} kind="info" onDone={() => setToast(null)} /> : null}
      {error && !items ? <ErrorState error={error} onRetry={load} /> : null}
      {!items && !error ? <Spinner /> : null}
      {items && items.length === 0 ? (
        <QueueEmpty filters={filters} onReset={() => setFilters(NO_FILTERS)} />
      ) : null}
      {items && items.length > 0 ? (
        <TicketList
          tickets={items}
          label={t('queue.title')}
          testId="queue-list"
          showCustomer
          selection={
            picked
              ? {
                  ids: picked,
                  toggle: (id) =>
                    setPicked((p) => {
                      const next = new Set(p);
                      if (next.has(id)) next.delete(id);
                      else next.add(id);
                      return next;
                    }),
                }
              : undefined
          }
          onOpen={(id) => push({ name: 'ticket', id })}
        />
      ) : null}
      {picked ? (
        <div
          className="bulk-bar"
          role="toolbar"
          aria-label={t('queue.selected', { n: picked.size })}
          data-testid="bulk-bar"
        >
          <span className="hint" data-testid="bulk-count">
            {t('queue.selected', { n: picked.size })}
          </span>
          <form
            className="tags__add"
            onSubmit={(e) => {
              e.preventDefault();
              const tag = normalTag(bulkTag);
              if (tag) bulk({ addTags: [tag] });
            }}
          >
            <input
              className="tags__input"
              aria-label={t('bulk.tag')}
              placeholder={t('bulk.tag')}
              maxLength={32}
              value={bulkTag}
              data-testid="bulk-tag-input"
              onChange={(e) => setBulkTag(e.target.value)}
            />
            <button
              type="submit"
              className="chip"
              data-testid="bulk-tag"
              disabled={bulkBusy || picked.size === 0 || !normalTag(bulkTag)}
            >
              +
            </button>
          </form>
          <button
            type="button"
            className="chip"
            data-testid="bulk-assign-me"
            disabled={bulkBusy || picked.size === 0}
            onClick={() => bulk({ assigneeId: me.id })}
          >
            {t('bulk.assignMe')}
          </button>
          <button
            type="button"
            className="chip chip--danger"
            data-testid="bulk-close"
            disabled={bulkBusy || picked.size === 0}
            onClick={() => bulk({ status: 'closed' })}
          >
            {t('bulk.close')}
          </button>
        </div>
      ) : null}
      {cursor ? <LoadMoreButton onClick={more} /> : null}
      {signOut ? (
        <button type="button" className="link-button load-more" onClick={signOut}>
          {t('app.signOut')}
        </button>
      ) : null}
    </main>
  );
}

/** An empty queue: nothing to do yet, or — with a search or filters on — nothing matches them (and a way back). */
function QueueEmpty({ filters, onReset }: { filters: Filters; onReset: () => void }) {
  const narrowed =
    filters.q.trim() !== '' ||
    filters.status ||
    filters.priority ||
    filters.category ||
    filters.sla ||
    filters.tag;
  if (!narrowed) return <EmptyState testId="queue-empty">{t('queue.empty')}</EmptyState>;
  return (
    <EmptyState
      testId="queue-no-results"
      action={
        <button type="button" className="link-button" data-testid="queue-reset" onClick={onReset}>
          {t('queue.reset')}
        </button>
      }
    >
      {filters.q.trim() ? t('queue.noResultsFor', { q: filters.q.trim() }) : t('queue.noResults')}
    </EmptyState>
  );
}

/** Online (auto-assignment may hand you new tickets) or away; the same as /online and /away in the bot. */
function AvailabilityToggle() {
  const { me } = useSession();
  const [status, setStatus] = useState<'online' | 'away'>(me.availability ?? 'online');
  const [busy, setBusy] = useState(false);
  const online = status === 'online';
  const toggle = async () => {
    setBusy(true);
    try {
      const user = await api.setAvailability(online ? 'away' : 'online');
      setStatus(user.availability);
      haptic.selection();
    } catch {
      haptic.notify('error');
    } finally {
      setBusy(false);
    }
  };
  return (
    <button
      type="button"
      className={online ? 'availability is-online' : 'availability'}
      aria-pressed={online}
      aria-label={t('queue.availabilityHint', { state: online ? t('queue.online') : t('queue.away') })}
      data-testid="availability-toggle"
      disabled={busy}
      onClick={toggle}
    >
      {online ? t('queue.online') : t('queue.away')}
    </button>
  );
}
