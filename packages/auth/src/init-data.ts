import { createHmac, timingSafeEqual } from 'node:crypto';
import { type TelegramProfile, telegramProfileSchema } from '@tikethet/domain';

export type InitDataFailure = 'missing' | 'malformed' | 'bad_hash' | 'expired' | 'future' | 'bad_user';

export type InitDataResult =
  | { ok: true; user: TelegramProfile; authDate: number; startParam: string | null }
  | { ok: false; reason: InitDataFailure };

export interface ValidateOptions {
  botToken: string;
  /** initData lifetime in seconds (INIT_DATA_MAX_AGE_S). */
  maxAgeS: number;
  /** Seconds of clock skew tolerated for an auth_date in the future. */
  futureSkewS?: number;
  nowS?: number;
}

const MAX_INIT_DATA_LENGTH = 8192;

/** The HMAC key Telegram derives from the bot token for Mini App data. */
function secretKey(botToken: string): Buffer {
  return createHmac('sha256', 'WebAppData').update(botToken).digest();
}

/** The data-check-string: every field but `hash`, as key=value, sorted by key, joined by newlines. */
function dataCheckString(params: URLSearchParams): string {
  return [...params.entries()]
    .filter(([key]) => key !== 'hash')
    .map(([key, value]) => `${key}=${value}`)
    .sort()
    .join('\n');
}

/** Signs fields into initData as Telegram does (for development sign-in and tests). */
export function signInitDataFields(fields: Record<string, string>, botToken: string): string {
  const params = new URLSearchParams(fields);
  params.delete('hash');
  const hash = createHmac('sha256', secretKey(botToken)).update(dataCheckString(params)).digest('hex');
  params.set('hash', hash);
  return params.toString();
}

/**
 * Validates Mini App initData as Telegram specifies: HMAC-SHA256 over the data-check-string with the key
 * HMAC("WebAppData", bot token), compared in constant time; auth_date not older than maxAgeS, not in the future.
 */
export function validateInitData(raw: string | undefined | null, options: ValidateOptions): InitDataResult {
  if (!raw) return { ok: false, reason: 'missing' };
  if (raw.length > MAX_INIT_DATA_LENGTH) return { ok: false, reason: 'malformed' };
  let params: URLSearchParams;
  try {
    params = new URLSearchParams(raw);
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  const hash = params.get('hash');
  if (!hash || !/^[0-9a-f]{64}$/.test(hash)) return { ok: false, reason: 'malformed' };
  const expected = createHmac('sha256', secretKey(options.botToken)).update(dataCheckString(params)).digest();
  if (!timingSafeEqual(expected, Buffer.from(hash, 'hex'))) return { ok: false, reason: 'bad_hash' };
  const authDate = Number(params.get('auth_date'));
  if (!Number.isInteger(authDate) || authDate <= 0) return { ok: false, reason: 'malformed' };
  const now = options.nowS ?? Math.floor(Date.now() / 1000);
  if (authDate > now + (options.futureSkewS ?? 60)) return { ok: false, reason: 'future' };
  if (now - authDate > options.maxAgeS) return { ok: false, reason: 'expired' };
  let userJson: unknown;
  try {
    userJson = JSON.parse(params.get('user') ?? 'null');
  } catch {
    return { ok: false, reason: 'bad_user' };
  }
  const user = telegramProfileSchema.safeParse(userJson);
  if (!user.success || user.data.is_bot) return { ok: false, reason: 'bad_user' };
  return { ok: true, user: user.data, authDate, startParam: params.get('start_param') };
}
