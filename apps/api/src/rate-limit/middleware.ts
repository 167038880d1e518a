import type { NextFunction, Request, Response } from 'express';
import { rateLimited } from '../http/errors';
import type { RateLimiter } from './limiter';

/** Counts the request under `keysOf(req)` and refuses it with 429 + Retry-After past the limit. */
export function rateLimit(limiter: RateLimiter, keysOf: (req: Request) => string[]) {
  return async (req: Request, _res: Response, next: NextFunction): Promise<void> => {
    const decision = await limiter.hit(...keysOf(req));
    if (decision.allowed) return next();
    next(rateLimited(decision.retryAfterS));
  };
}
