import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from '../../api';
import { useIsActive, useRouter } from '../../app/router';
import { useSession } from '../../app/session';
import { useMainButton } from '../../app/telegram';
import { t } from '../../i18n';
import { haptic } from '../../init';
import { byDue } from '../../sla';
import type { Category, TagCount, TicketRow } from '../../types';
import { ErrorState, LoadMoreButton, Spinner, Toast } from '../../ui/common';
import { TicketList } from '../../ui/TicketRow';
import { interpretFrame } from '../ticket/ticket-state';
import { BulkBar } from './BulkBar';
import { AvailabilityToggle, QueueEmpty } from './QueueExtras';
import { QueueFiltersPanel } from './QueueFiltersPanel';
import { byActivity, type Filters, matches, NO_FILTERS, type Tab, toParams } from './queue-model';

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
        <QueueFiltersPanel filters={filters} categories={categories} tags={tags} onChange={setFilter} />
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
        <BulkBar
          picked={picked}
          meId={me.id}
          onDone={(text, done) => {
            setToast(text);
            if (!done) return;
            setPicked(new Set());
            load();
          }}
        />
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
