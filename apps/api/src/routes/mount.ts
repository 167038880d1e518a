import type { Actor, User } from '@tikethet/domain';
import express, { type Request, type RequestHandler, type Router } from 'express';
import type { Authenticator } from '../auth/authenticate';
import { HttpError } from '../http/errors';
import { emptyQuerySchema, parseBody, parseWith } from '../http/validate';
import { Reply, type RouteDef, type RouteServices, STREAMED } from './route';

export const JSON_LIMIT = '64kb';

interface Signed {
  actor: Actor;
  user: User;
}

export interface MountOptions {
  services: RouteServices;
  authenticator: Authenticator;
  /**
   * Rate limit, run right after authentication: per user once signed in, else per client address (absent:
   * off). Throws 429; a request that fails authentication is counted for its client address.
   */
  limit?: (req: Request, userId?: number) => Promise<void>;
}

/**
 * Mounts the route table: authenticate (401) -> per-user or per-client rate limit (429, before a 401 too) -> the route's permission guard
 * (403) -> JSON body (400/413) -> strict query (400) -> handler.
 */
export function mountRoutes(router: Router, table: readonly RouteDef[], options: MountOptions): void {
  const signed = new WeakMap<Request, Signed>();
  const json = express.json({ limit: JSON_LIMIT });

  const authenticate: RequestHandler = async (req, _res, next) => {
    let user: User;
    try {
      user = await options.authenticator.authenticate(req.get('authorization'));
    } catch (error) {
      await options.limit?.(req);
      throw error;
    }
    signed.set(req, { user, actor: { id: user.id, role: user.role } });
    await options.limit?.(req, user.id);
    next();
  };

  for (const route of table) {
    const guard: RequestHandler = (req, _res, next) => {
      const who = signed.get(req);
      if (!who) throw new HttpError(401, 'auth_missing', 'not signed in');
      if (route.guard && !route.guard(who.actor)) {
        throw new HttpError(403, 'forbidden', 'your role does not allow this');
      }
      next();
    };
    const handler: RequestHandler = async (req, res) => {
      const who = signed.get(req);
      if (!who) throw new HttpError(401, 'auth_missing', 'not signed in');
      const query: Record<string, unknown> = { ...req.query };
      parseWith(route.query ?? emptyQuerySchema, query);
      // A write: this user's list, search and stats reads stay on the primary until the replica has it.
      if (route.method !== 'get') options.services.reads.wrote(who.actor.id);
      const result = await route.handle({
        ...who,
        params: { ...req.params },
        query,
        body: req.body as unknown,
        readBody(schema) {
          if (schema !== route.body && schema !== route.customerBody) {
            throw new Error(`${route.method} ${route.path} reads its body with a schema it does not declare`);
          }
          return parseBody(schema, req.body);
        },
        services: options.services,
        req,
        res,
      });
      if (result === STREAMED) return;
      if (result instanceof Reply) {
        res.status(result.status).json(result.body);
        return;
      }
      const status = route.status ?? 200;
      if (status === 204) res.status(204).end();
      else res.status(status).json(result);
    };
    // A GET carries no body: no parser layer to walk through on every read.
    if (route.method === 'get') router[route.method](route.path, authenticate, guard, handler);
    else router[route.method](route.path, authenticate, guard, json, handler);
  }
}
