/**
 * Launch parameters. Telegram passes them in the URL hash (`#tgWebAppData=...&tgWebAppThemeParams=...`);
 * browser tests open the app the same way. Pure functions: no SDK, no DOM beyond what is passed in.
 */
export interface LaunchUser {
  id: number;
  firstName: string;
  lastName?: string;
  username?: string;
  languageCode?: string;
}

export interface LaunchParams {
  initData: string;
  themeParams: Record<string, string>;
  startParam: string | null;
  platform: string | null;
  version: string | null;
  user: LaunchUser | null;
}

function parseJson(raw: string | null): unknown {
  if (!raw) return null;
  try {
    return JSON.parse(raw);
  } catch {
    return null;
  }
}

/** `user` and `start_param` from a raw initData query string. */
export function parseInitData(initData: string): { user: LaunchUser | null; startParam: string | null } {
  if (!initData) return { user: null, startParam: null };
  const params = new URLSearchParams(initData);
  const raw = parseJson(params.get('user'));
  let user: LaunchUser | null = null;
  if (raw && typeof raw === 'object' && typeof (raw as { id?: unknown }).id === 'number') {
    const u = raw as Record<string, unknown>;
    user = {
      id: u.id as number,
      firstName: typeof u.first_name === 'string' ? u.first_name : '',
      ...(typeof u.last_name === 'string' ? { lastName: u.last_name } : {}),
      ...(typeof u.username === 'string' ? { username: u.username } : {}),
      ...(typeof u.language_code === 'string' ? { languageCode: u.language_code } : {}),
    };
  }
  return { user, startParam: params.get('start_param') };
}

/** Parses a location hash (with or without `#`) into launch parameters. */
export function parseLaunchHash(hash: string): LaunchParams {
  const text = hash.replace(/^#/, '');
  // Telegram may append its params after a route: `#/path?tgWebAppData=...`.
  const query = text.includes('?') && !text.startsWith('tgWebApp') ? text.slice(text.indexOf('?') + 1) : text;
  const params = new URLSearchParams(query);
  const initData = params.get('tgWebAppData') ?? '';
  const theme = parseJson(params.get('tgWebAppThemeParams'));
  const themeParams: Record<string, string> = {};
  if (theme && typeof theme === 'object') {
    for (const [key, value] of Object.entries(theme as Record<string, unknown>)) {
      if (typeof value === 'string') themeParams[key] = value;
    }
  }
  const fromData = parseInitData(initData);
  return {
    initData,
    themeParams,
    startParam: params.get('tgWebAppStartParam') ?? fromData.startParam,
    platform: params.get('tgWebAppPlatform'),
    version: params.get('tgWebAppVersion'),
    user: fromData.user,
  };
}

/** `ticket_<id>` (from `startapp` / `start_param`) -> the ticket id, else null. */
export function ticketIdFromStartParam(startParam: string | null | undefined): number | null {
  const match = /^ticket_([1-9][0-9]{0,9})$/.exec(startParam ?? '');
  return match?.[1] ? Number(match[1]) : null;
}

/** Also honour `?startapp=ticket_12` / `?tgWebAppStartParam=` in the query string (links opened in a browser). */
export function startParamFromSearch(search: string): string | null {
  const params = new URLSearchParams(search.replace(/^\?/, ''));
  return params.get('tgWebAppStartParam') ?? params.get('startapp') ?? params.get('start_param');
}

/** Russian first: the rule the server uses too (@tikethet/protocol). */
export { languageFrom } from '@tikethet/protocol';
