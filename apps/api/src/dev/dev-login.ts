import { randomBytes } from 'node:crypto';
import { signInitDataFields } from '@tikethet/auth';
import type { UseCases } from '@tikethet/db';
import { type Actor, languageSchema, type Role, roleSchema, type TelegramProfile } from '@tikethet/domain';
import express, { type Router } from 'express';
import { z } from 'zod';
import type { UserCache } from '../auth/user-cache';
import { parseBody } from '../http/validate';

/** The fixed development people, one per role. */
export const DEV_USERS: Record<Role, { id: number; first_name: string; username: string }> = {
  customer: { id: 100001, first_name: 'Анна', username: 'dev_anna' },
  agent: { id: 100002, first_name: 'Олег', username: 'dev_oleg' },
  admin: { id: 100003, first_name: 'Мария', username: 'dev_maria' },
};

const DEV_ADMIN: Actor = { id: DEV_USERS.admin.id, role: 'admin' };

const loginSchema = z.strictObject({ as: roleSchema, language: languageSchema.optional() });

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

/**
 * Development sign-in for the Mini App outside Telegram (DESIGN §3): initData signed with the configured
 * token for a fixed person per role. The caller mounts this only when DEV_LOGIN=1 outside production.
 */
export function devLoginRouter(options: DevLoginOptions): Router {
  const router = express.Router();
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
