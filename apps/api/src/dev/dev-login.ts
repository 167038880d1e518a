import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { UserCache } from '@tikethet/auth';
import { signInitDataFields } from '@tikethet/auth';
import type { Logger } from '@tikethet/config';
import type { UseCases } from '@tikethet/db';
import { type Actor, languageSchema, type Role, roleSchema, type TelegramProfile } from '@tikethet/domain';
import express, { type Router } from 'express';
import { z } from 'zod';
import { type ApiEnv, devLoginEnabled } from '../env';
import { parseBody } from '../http/validate';

/** The fixed development people, one per role. */
export const DEV_USERS: Record<Role, { id: number; first_name: string; username: string }> = {
  customer: { id: 100001, first_name: 'Анна', username: 'dev_anna' },
  agent: { id: 100002, first_name: 'Олег', username: 'dev_oleg' },
  admin: { id: 100003, first_name: 'Мария', username: 'dev_maria' },
};

const DEV_ADMIN: Actor = { id: DEV_USERS.admin.id, role: 'admin' };
/** Acts for the configuration when the development staff are demoted (no user has id 0). */
const CONFIGURATION: Actor = { id: 0, role: 'admin' };

export const loginSchema = z.strictObject({ as: roleSchema, language: languageSchema.optional() });

export interface DevLoginOptions {
  uc: Pick<UseCases, 'upsertUser' | 'setRole'>;
  cache: UserCache;
  botToken: string;
}

/** Puts the development user in the database with the role asked for. */
async function ensureDevUser(options: DevLoginOptions, as: Role, profile: TelegramProfile): Promise<void> {
  const { uc } = options;
  if (as !== 'admin') {
    await uc.upsertUser(
      { ...DEV_USERS.admin, language_code: profile.language_code },
      {
        adminIds: [DEV_ADMIN.id],
      },
    );
  }
  const user = await uc.upsertUser(profile, as === 'admin' ? { adminIds: [DEV_ADMIN.id] } : {});
  if (user.role !== as) await uc.setRole(DEV_ADMIN, user.id, as);
  options.cache.invalidate(user.id);
}

const LOOPBACK = /^(127(\.\d{1,3}){3}|::1|::ffff:127(\.\d{1,3}){3})$/;
const FORWARDED_FOR = ['x-forwarded-for', 'x-real-ip', 'cf-connecting-ip', 'true-client-ip'];

/**
 * Whether the request comes from this machine: the socket peer and every client address a proxy or tunnel
 * names (X-Forwarded-For, X-Real-IP, CF-Connecting-IP, True-Client-IP, Forwarded for=) are loopback. A
 * tunnel (cloudflared, ngrok) connects from loopback but names the visitor, so its requests are not local.
 */
export function fromLoopback(req: IncomingMessage): boolean {
  const addresses = [req.socket.remoteAddress ?? ''];
  for (const name of FORWARDED_FOR) {
    const value = req.headers[name];
    if (value !== undefined) addresses.push(...String(value).split(','));
  }
  const forwarded = req.headers.forwarded;
  if (forwarded !== undefined) {
    const fors = [...forwarded.matchAll(/for=\s*"?\[?([^\]";,\s]*)/gi)].map((m) => m[1] ?? '');
    addresses.push(...(fors.length > 0 ? fors : ['unknown']));
  }
  return addresses.every((a) => LOOPBACK.test(a.trim()));
}

/**
 * Development sign-in for the Mini App outside Telegram (ARCHITECTURE §8): initData signed with the development
 * token for a fixed person per role, for loopback clients only (anyone else gets 404). Mounted by
 * `mountDevLogin` only in development mode (the development token, DEV_LOGIN=1, not production).
 */
export function devLoginRouter(options: DevLoginOptions): Router {
  const router = express.Router();
  router.use('/dev', (req, _res, next) => next(fromLoopback(req) ? undefined : 'router'));
  router.get('/dev/login-options', (_req, res) => {
    res.json({ enabled: true, roles: ['customer', 'agent', 'admin'] });
  });
  router.post('/dev/login', express.json({ limit: '1kb' }), async (req, res) => {
    const { as, language } = parseBody(loginSchema, req.body);
    const profile: TelegramProfile = { ...DEV_USERS[as], language_code: language ?? 'ru' };
    await ensureDevUser(options, as, profile);
    const initData = signInitDataFields(
      {
        query_id: `DEV${randomBytes(9).toString('base64url')}`,
        user: JSON.stringify(profile),
        auth_date: String(Math.floor(Date.now() / 1000)),
      },
      options.botToken,
    );
    res.json({ initData, user: { id: profile.id, role: as } });
  });
  return router;
}

/**
 * The fixed development admin and agent keep no staff role once development sign-in is off: a real user
 * with one of those ids must not inherit it. An id in ADMIN_TELEGRAM_IDS stays an admin. Returns who changed.
 */
export async function demoteDevUsers(
  uc: Pick<UseCases, 'getUser' | 'setRole'>,
  adminIds: readonly number[],
): Promise<number[]> {
  const changed: number[] = [];
  for (const { id } of [DEV_USERS.admin, DEV_USERS.agent]) {
    if (adminIds.includes(id)) continue;
    const user = await uc.getUser(id);
    if (user && user.role !== 'customer') {
      await uc.setRole(CONFIGURATION, id, 'customer');
      changed.push(id);
    }
  }
  return changed;
}

/** Development mode: the sign-in routes. Otherwise: the development staff are demoted in the background. */
export function mountDevLogin(
  router: Router,
  deps: {
    uc: DevLoginOptions['uc'] & Pick<UseCases, 'getUser'>;
    cache: UserCache;
    env: ApiEnv;
    logger: Logger;
  },
): void {
  const { uc, cache, env, logger } = deps;
  if (devLoginEnabled(env)) {
    router.use(devLoginRouter({ uc, cache, botToken: env.TELEGRAM_BOT_TOKEN }));
    return;
  }
  demoteDevUsers(uc, env.ADMIN_TELEGRAM_IDS).then(
    (ids) => {
      for (const id of ids) cache.invalidate(id);
      if (ids.length > 0)
        logger.warn({ ids }, 'development sign-in is off: the development staff are customers now');
    },
    (err: unknown) => logger.warn({ err }, 'could not demote the development staff'),
  );
}
