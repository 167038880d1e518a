import { createContext, type ReactNode, useCallback, useContext, useMemo, useRef, useState } from 'react';

export type Route =
  | { name: 'home' }
  | { name: 'new' }
  | { name: 'ticket'; id: number }
  | { name: 'dashboard' }
  | { name: 'agents' }
  | { name: 'categories' }
  | { name: 'canned' }
  | { name: 'service-levels' };

export interface StackEntry {
  key: number;
  route: Route;
  scrollY: number;
}

interface RouterApi {
  stack: StackEntry[];
  push(route: Route): void;
  replace(route: Route): void;
  pop(): void;
}

const RouterContext = createContext<RouterApi | null>(null);
const ActiveContext = createContext(true);

/**
 * A tiny stack router: every screen on the stack stays mounted (hidden) so lists keep their data and,
 * with the saved scroll offset, their position when BackButton returns to them.
 */
export function RouterProvider({ initial, children }: { initial: Route[]; children: ReactNode }) {
  const nextKey = useRef(initial.length);
  const [stack, setStack] = useState<StackEntry[]>(() =>
    initial.map((route, key) => ({ key, route, scrollY: 0 })),
  );

  const push = useCallback((route: Route) => {
    const scrollY = window.scrollY;
    setStack((s) => {
      const top = s.map((e, i) => (i === s.length - 1 ? { ...e, scrollY } : e));
      return [...top, { key: nextKey.current++, route, scrollY: 0 }];
    });
    window.scrollTo(0, 0);
  }, []);

  const replace = useCallback((route: Route) => {
    setStack((s) => [...s.slice(0, -1), { key: nextKey.current++, route, scrollY: 0 }]);
    window.scrollTo(0, 0);
  }, []);

  const pop = useCallback(() => {
    setStack((s) => {
      if (s.length <= 1) return s;
      const next = s.slice(0, -1);
      const restore = next[next.length - 1]?.scrollY ?? 0;
      requestAnimationFrame(() => window.scrollTo(0, restore));
      return next;
    });
  }, []);

  const value = useMemo(() => ({ stack, push, replace, pop }), [stack, push, replace, pop]);
  return <RouterContext.Provider value={value}>{children}</RouterContext.Provider>;
}

export function useRouter(): RouterApi {
  const router = useContext(RouterContext);
  if (!router) throw new Error('useRouter outside RouterProvider');
  return router;
}

export function ActiveProvider({ active, children }: { active: boolean; children: ReactNode }) {
  return <ActiveContext.Provider value={active}>{children}</ActiveContext.Provider>;
}

/** Whether the calling screen is the visible (top) one. */
export function useIsActive(): boolean {
  return useContext(ActiveContext);
}
