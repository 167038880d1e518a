import { useCallback, useEffect, useState } from 'react';
import { api } from '../../api';
import { useIsActive, useRouter } from '../../app/router';
import { useSession } from '../../app/session';
import { useMainButton } from '../../app/telegram';
import { t } from '../../i18n';
import type { TicketRow } from '../../types';
import { EmptyState, ErrorState, LoadMoreButton, Spinner } from '../../ui/common';
import { TicketList } from '../../ui/TicketRow';

/** Customer home: the person's own tickets, newest activity first. */
export function MyTicketsPage() {
  const { push } = useRouter();
  const { signOut } = useSession();
  const active = useIsActive();
  const [items, setItems] = useState<TicketRow[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);

  const load = useCallback(async () => {
    try {
      const page = await api.listTickets({ limit: 50 });
      setItems(page.items);
      setCursor(page.nextCursor);
      setError(null);
    } catch (e) {
      setError(e);
    }
  }, []);

  // Re-read whenever the list becomes visible again (back from a ticket or the new-ticket form).
  useEffect(() => {
    if (active) load();
  }, [active, load]);

  const more = async () => {
    if (!cursor) return;
    try {
      const page = await api.listTickets({ limit: 50, cursor });
      setItems((prev) => [...(prev ?? []), ...page.items.filter((i) => !prev?.some((p) => p.id === i.id))]);
      setCursor(page.nextCursor);
    } catch (e) {
      setError(e);
    }
  };

  useMainButton({ text: t('customer.new'), onClick: () => push({ name: 'new' }) });

  return (
    <main className="page" data-testid="my-tickets">
      <header className="page__head">
        <h1 className="page__title">{t('customer.title')}</h1>
        {signOut ? (
          <button type="button" className="link-button" onClick={signOut}>
            {t('app.signOut')}
          </button>
        ) : null}
      </header>
      {error && !items ? <ErrorState error={error} onRetry={load} /> : null}
      {!items && !error ? <Spinner /> : null}
      {items && items.length === 0 ? <EmptyState>{t('customer.empty')}</EmptyState> : null}
      {items && items.length > 0 ? (
        <TicketList
          tickets={items}
          label={t('customer.title')}
          onOpen={(id) => push({ name: 'ticket', id })}
        />
      ) : null}
      {cursor ? <LoadMoreButton onClick={more} /> : null}
    </main>
  );
}
