import { createContext, useContext, useEffect, useState } from 'react';
import type { ConnectionState, RealtimeClient } from '../realtime';
import type { User } from '../types';

export interface Session {
  me: User;
  rt: RealtimeClient;
  /** Sign out of a development session (no-op inside Telegram). */
  signOut: (() => void) | null;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside SessionContext');
  return session;
}

export function useConnectionState(rt: RealtimeClient): ConnectionState {
  const [state, setState] = useState(rt.state);
  useEffect(() => {
    setState(rt.state);
    return rt.onState(setState);
  }, [rt]);
  return state;
}
