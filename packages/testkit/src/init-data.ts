import { createHmac, randomBytes } from 'node:crypto';

/** A bot token in Telegram's format (`<bot id>:<35 characters>`), for tests only. */
export const TEST_BOT_TOKEN = '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0';

/** The `user` object of Mini App initData (WebAppUser). Field order is kept in the JSON. */
export interface InitDataUser {
  id: number;
  first_name: string;
  last_name?: string;
  username?: string;
  language_code?: string;
  is_premium?: boolean;
  allows_write_to_pm?: boolean;
  photo_url?: string;
}

export interface SignInitDataOptions {
  botToken: string;
  user: InitDataUser;
  /** Unix seconds; default: now. */
  authDate?: number;
  startParam?: string;
  /** Default: a random `AAH…` id like Telegram's. */
  queryId?: string;
  /** More signed fields, e.g. `{ chat_type: 'sender', chat_instance: '-123' }`. */
  extra?: Record<string, string>;
}

/** Telegram's data-check-string: every field but `hash`, as `key=value`, sorted by key, joined by '\n'. */
export function dataCheckString(fields: Iterable<[string, string]>): string {
  return [...fields]
    .filter(([key]) => key !== 'hash')
    .map(([key, value]) => `${key}=${value}`)
    .sort()
    .join('\n');
}

/** hex HMAC_SHA256(HMAC_SHA256("WebAppData", botToken), dataCheckString). */
export function initDataHash(botToken: string, checkString: string): string {
  const secret = createHmac('sha256', 'WebAppData').update(botToken).digest();
  return createHmac('sha256', secret).update(checkString).digest('hex');
}

function encode(fields: Array<[string, string]>): string {
  return fields.map(([key, value]) => `${key}=${encodeURIComponent(value)}`).join('&');
}

/** Raw initData exactly as Telegram hands it to a Mini App (`Telegram.WebApp.initData`). */
export function signInitData(options: SignInitDataOptions): string {
  const queryId = options.queryId ?? `AAH${randomBytes(12).toString('base64url')}`;
  const authDate = options.authDate ?? Math.floor(Date.now() / 1000);
  const fields: Array<[string, string]> = [
    ['query_id', queryId],
    ['user', JSON.stringify(options.user)],
  ];
  for (const [key, value] of Object.entries(options.extra ?? {})) fields.push([key, value]);
  if (options.startParam !== undefined) fields.push(['start_param', options.startParam]);
  fields.push(['auth_date', String(authDate)]);
  fields.push(['hash', initDataHash(options.botToken, dataCheckString(fields))]);
  return encode(fields);
}

/** The same initData with another user id and the old hash: a forgery a server must reject. */
export function tamperInitData(raw: string, newUserId?: number): string {
  const fields = [...new URLSearchParams(raw)];
  const tampered = fields.map(([key, value]): [string, string] => {
    if (key !== 'user') return [key, value];
    const user = JSON.parse(value) as InitDataUser;
    return [key, JSON.stringify({ ...user, id: newUserId ?? user.id + 1 })];
  });
  return encode(tampered);
}

/** Theme params as Telegram Desktop sends them (light theme). */
export const DEFAULT_THEME_PARAMS: Readonly<Record<string, string>> = {
  bg_color: '#ffffff',
  text_color: '#000000',
  hint_color: '#999999',
  link_color: '#2481cc',
  button_color: '#2481cc',
  button_text_color: '#ffffff',
  secondary_bg_color: '#efeff3',
  header_bg_color: '#ffffff',
  accent_text_color: '#2481cc',
  section_bg_color: '#ffffff',
  section_header_text_color: '#6d6d72',
  subtitle_text_color: '#999999',
  destructive_text_color: '#ff3b30',
};

/**
 * The URL hash Telegram opens a Mini App with, e.g. `page.goto(appUrl + launchHash(initData))`.
 */
export function launchHash(
  initData: string,
  themeParams: Record<string, string> = DEFAULT_THEME_PARAMS,
  startParam?: string,
): string {
  const parts = [
    `tgWebAppData=${encodeURIComponent(initData)}`,
    'tgWebAppVersion=8.0',
    'tgWebAppPlatform=tdesktop',
    `tgWebAppThemeParams=${encodeURIComponent(JSON.stringify(themeParams))}`,
  ];
  if (startParam !== undefined) parts.push(`tgWebAppStartParam=${encodeURIComponent(startParam)}`);
  return `#${parts.join('&')}`;
}
