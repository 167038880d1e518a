import { lazy, Suspense, useCallback, useEffect, useMemo, useState } from 'react';
import { ApiError, api, getInitData, setInitData } from '../api';
import { type Language, setLanguage, t } from '../i18n';
import {
  inTelegram,
  setTelegramBackButton,
  telegramInitData,
  telegramLanguageCode,
  telegramStartParam,
} from '../init';
import { languageFrom, startParamFromSearch, ticketIdFromStartParam } from '../launch';
import { MyTicketsPage } from '../pages/customer/MyTicketsPage';
import { NewTicketPage } from '../pages/customer/NewTicketPage';
import { SignInPage } from '../pages/SignInPage';
import { TicketPage } from '../pages/ticket/TicketPage';
import { gatewayUrl, RealtimeClient } from '../realtime';
import type { Role, User } from '../types';
import { isStaffRole } from '../types';
import { ConnectionBar, ErrorState, Spinner } from '../ui/common';
import { ActiveProvider, type Route, RouterProvider, useRouter } from './router';
import { type Session, SessionContext, useSession } from './session';
import { confirmLeave, MainButtonFallback } from './telegram';

const QueuePage = lazy(() => import('../pages/agent/QueuePage').then((m) => ({ default: m.QueuePage })));
const DashboardPage = lazy(() =>
  import('../pages/admin/DashboardPage').then((m) => ({ default: m.DashboardPage })),
);
const AgentsPage = lazy(() => import('../pages/admin/AgentsPage').then((m) => ({ default: m.AgentsPage })));
const CategoriesPage = lazy(() =>
  import('../pages/admin/CategoriesPage').then((m) => ({ default: m.CategoriesPage })),
);
const CannedPage = lazy(() => import('../pages/admin/CannedPage').then((m) => ({ default: m.CannedPage })));
const ServiceLevelsPage = lazy(() =>
  import('../pages/admin/ServiceLevelsPage').then((m) => ({ default: m.ServiceLevelsPage })),
);

const STORAGE_KEY = 'tikethet.initData';

type Boot =
  | { phase: 'loading' }
  | { phase: 'signin' }
  | { phase: 'outside' }
  | { phase: 'error'; error: unknown }
  | { phase: 'ready'; me: User; fromDevLogin: boolean };

function storedInitData(): string {
  try {
    return sessionStorage.getItem(STORAGE_KEY) ?? '';
  } catch {
    return '';
  }
}

function storeInitData(value: string | null): void {
  try {
    if (value) sessionStorage.setItem(STORAGE_KEY, value);
    else sessionStorage.removeItem(STORAGE_KEY);
  } catch {
    // private mode: keep it in memory only
  }
}

export function App() {
  const [boot, setBoot] = useState<Boot>({ phase: 'loading' });

  const start = useCallback(async () => {
    setBoot({ phase: 'loading' });
    const fromTelegram = telegramInitData();
    const initData = fromTelegram || storedInitData();
    try {
      if (!initData) {
        const options = await api.devLoginOptions().catch(() => ({ enabled: false }));
        setBoot({ phase: options.enabled ? 'signin' : 'outside' });
        return;
      }
      setInitData(initData);
      const me = await api.me();
      setLanguage(me.language ?? languageFrom(me.languageCode));
      setBoot({ phase: 'ready', me, fromDevLogin: !fromTelegram });
    } catch (error) {
      if (error instanceof ApiError && error.status === 401 && !fromTelegram) {
        storeInitData(null);
        setInitData('');
        const options = await api.devLoginOptions().catch(() => ({ enabled: false }));
        setBoot({ phase: options.enabled ? 'signin' : 'outside' });
        return;
      }
      setBoot({ phase: 'error', error });
    }
  }, []);

  useEffect(() => {
    start();
  }, [start]);

  const signIn = useCallback(
    async (as: Role, language: Language) => {
      const { initData } = await api.devLogin(as, language);
      storeInitData(initData);
      await start();
    },
    [start],
  );

  const signOut = useCallback(() => {
    storeInitData(null);
    setInitData('');
    start();
  }, [start]);

  switch (boot.phase) {
    case 'loading':
      return <Spinner />;
    case 'signin':
      return <SignInPage onSignIn={signIn} />;
    case 'outside':
      return (
        <div className="state" data-testid="open-in-telegram">
          <p>{t('app.openInTelegram')}</p>
        </div>
      );
    case 'error':
      return <ErrorState error={boot.error} onRetry={start} />;
    case 'ready':
      return <Shell me={boot.me} signOut={boot.fromDevLogin ? signOut : null} />;
  }
}

function Shell({ me, signOut }: { me: User; signOut: (() => void) | null }) {
  const rt = useMemo(
    () =>
      new RealtimeClient({
        url: gatewayUrl(import.meta.env.VITE_GATEWAY_URL as string | undefined, window.location),
        initData: getInitData,
      }),
    [],
  );
  useEffect(() => {
    rt.connect();
    return () => rt.close();
  }, [rt]);
  const session: Session = useMemo(() => ({ me, rt, signOut }), [me, rt, signOut]);
  const initial = useMemo<Route[]>(() => {
    const id = ticketIdFromStartParam(telegramStartParam() ?? startParamFromSearch(window.location.search));
    return id ? [{ name: 'home' }, { name: 'ticket', id }] : [{ name: 'home' }];
  }, []);
  return (
    <SessionContext.Provider value={session}>
      <RouterProvider initial={initial}>
        <ConnectionBar rt={rt} />
        <Stack />
        <MainButtonFallback />
      </RouterProvider>
    </SessionContext.Provider>
  );
}

function Stack() {
  const { stack, pop } = useRouter();
  const depth = stack.length;
  // A screen under the top is mounted only once it has been on top: a deep link opens [home, ticket], and the
  // home list (its reads, its rows) need not compete with the ticket for a phone's first paint.
  const [shown, setShown] = useState<ReadonlySet<number>>(() => new Set());
  const top = stack[depth - 1]?.key;
  useEffect(() => {
    if (top !== undefined) setShown((prev) => (prev.has(top) ? prev : new Set(prev).add(top)));
  }, [top]);
  // Back asks first where the visible screen has a draft it would throw away (useUnsavedDraft).
  const back = useCallback(() => {
    confirmLeave(pop);
  }, [pop]);
  useEffect(() => {
    setTelegramBackButton(depth > 1 ? back : null);
  }, [depth, back]);
  return (
    <>
      {depth > 1 && !inTelegram() ? (
        <button
          type="button"
          className="back-link"
          aria-label={t('app.back')}
          data-testid="back"
          onClick={back}
        >
          ‹ {t('app.back')}
        </button>
      ) : null}
      {stack.map((entry, i) => {
        const active = i === depth - 1;
        if (!active && !shown.has(entry.key)) return null;
        return (
          <div key={entry.key} className="screen" hidden={!active} data-route={entry.route.name}>
            <ActiveProvider active={active}>
              <Suspense fallback={<Spinner />}>
                <Screen route={entry.route} />
              </Suspense>
            </ActiveProvider>
          </div>
        );
      })}
    </>
  );
}

function Screen({ route }: { route: Route }) {
  const role = useSessionRole();
  switch (route.name) {
    case 'home':
      return isStaffRole(role) ? <QueuePage /> : <MyTicketsPage />;
    case 'new':
      return <NewTicketPage />;
    case 'ticket':
      return <TicketPage id={route.id} />;
    case 'dashboard':
      return <DashboardPage />;
    case 'agents':
      return <AgentsPage />;
    case 'categories':
      return <CategoriesPage />;
    case 'canned':
      return <CannedPage />;
    case 'service-levels':
      return <ServiceLevelsPage />;
  }
}

function useSessionRole(): Role {
  return useSession().me.role;
}

export function initialLanguage(): Language {
  // Russian first: only Telegram's language_code decides before /me answers (a browser's locale does not).
  return languageFrom(telegramLanguageCode());
}
