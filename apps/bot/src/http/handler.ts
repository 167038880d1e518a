import type { IncomingMessage, ServerResponse } from 'node:http';
import { LIVENESS, type Logger, type Readiness } from '@tikethet/config';
import type { Update } from 'telegraf/types';
import { z } from 'zod';
import { WEBHOOK_PATH } from '../env';
import type { BotMetrics } from '../metrics';
import { BodyTooLarge, readBody } from './body';
import { isLoopback, secretMatches } from './secret';

export const ADMIN_PUBLIC_URL_PATH = '/telegram/admin/public-url';
export const SECRET_HEADER = 'x-telegram-bot-api-secret-token';

const updateSchema = z.looseObject({ update_id: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER) });
const publicUrlSchema = z.strictObject({
  url: z.url({ protocol: /^https$/ }).max(2048),
});

function json(res: ServerResponse, status: number, body: unknown) {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const error = (res: ServerResponse, status: number, code: string, message: string, details?: unknown) =>
  json(res, status, { error: { code, message, ...(details === undefined ? {} : { details }) } });

export interface HttpDeps {
  mode: 'webhook' | 'polling';
  secret: string | undefined;
  processUpdate(update: Update): Promise<unknown>;
  /** The `/readyz` answer (packages/config `readinessOf`). */
  ready(): Promise<{ httpStatus: number; body: Readiness }>;
  metrics: BotMetrics;
  logger: Logger;
}

export interface AdminDeps {
  /** BOT_ADMIN_SECRET: required as `Authorization: Bearer <secret>` on every admin request. */
  secret: string;
  reconfigure(publicUrl: string): Promise<void>;
  logger: Logger;
}

async function parseJson(req: IncomingMessage, res: ServerResponse): Promise<unknown> {
  try {
    return JSON.parse(await readBody(req));
  } catch (e) {
    if (e instanceof BodyTooLarge) error(res, 413, 'payload_too_large', 'body over 1 MB');
    else error(res, 400, 'validation_failed', 'body: must be JSON');
    return undefined;
  }
}

/** The public listener: /healthz, /readyz, /metrics and POST /telegram/webhook. No admin route. */
export function createHttpHandler(deps: HttpDeps) {
  return async function httpHandler(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    try {
      if (req.method === 'GET' && path === '/healthz') return json(res, 200, LIVENESS);
      if (req.method === 'GET' && path === '/readyz') {
        const { httpStatus, body } = await deps.ready();
        return json(res, httpStatus, body);
      }
      if (req.method === 'GET' && path === '/metrics') {
        const text = await deps.metrics.registry.metrics();
        res.writeHead(200, { 'content-type': deps.metrics.registry.contentType });
        res.end(text);
        return;
      }
      if (path === WEBHOOK_PATH && deps.mode === 'webhook') {
        if (req.method !== 'POST') return error(res, 405, 'method_not_allowed', 'POST only');
        if (!deps.secret || !secretMatches(req.headers[SECRET_HEADER], deps.secret)) {
          req.resume();
          return error(res, 401, 'unauthorized', 'bad or missing secret token');
        }
        const body = await parseJson(req, res);
        if (body === undefined) return;
        const parsed = updateSchema.safeParse(body);
        if (!parsed.success)
          return error(res, 400, 'validation_failed', 'update_id: must be a non-negative integer');
        await deps.processUpdate(parsed.data as unknown as Update);
        return json(res, 200, {});
      }
      return error(res, 404, 'not_found', 'no such route');
    } catch (e) {
      deps.logger.error({ err: e, path }, 'request failed');
      // A database failure on the webhook: 5xx so Telegram delivers the update again.
      return error(res, 500, 'internal', 'try again');
    }
  };
}

/**
 * The admin listener (loopback only, never the public port): POST /telegram/admin/public-url
 * `{url}` re-registers the menu button (and webhook) with a new public URL. It wants BOT_ADMIN_SECRET as a
 * bearer token, compared in constant time; anything else is 401, and no Bot API call is made.
 */
export function createAdminHandler(deps: AdminDeps) {
  return async function adminHandler(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    try {
      if (path !== ADMIN_PUBLIC_URL_PATH || !isLoopback(req.socket.remoteAddress)) {
        req.resume();
        return error(res, 404, 'not_found', 'no such route');
      }
      if (req.method !== 'POST') return error(res, 405, 'method_not_allowed', 'POST only');
      const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      if (!secretMatches(bearer, deps.secret)) {
        req.resume();
        return error(res, 401, 'unauthorized', 'Authorization: Bearer <BOT_ADMIN_SECRET> required');
      }
      const body = await parseJson(req, res);
      if (body === undefined) return;
      const parsed = publicUrlSchema.safeParse(body);
      if (!parsed.success) return error(res, 400, 'validation_failed', 'url: must be an https URL');
      await deps.reconfigure(parsed.data.url);
      return json(res, 200, { ok: true, publicUrl: parsed.data.url });
    } catch (e) {
      deps.logger.error({ err: e, path }, 'admin request failed');
      return error(res, 500, 'internal', 'try again');
    }
  };
}
