import type { Request } from 'express';

/**
 * The rate-limit keys of a request. A signed-in request counts for its user only: behind a NAT, a tunnel, a
 * platform load balancer or the Mini App's own proxy many users share one address, and one bad client must not
 * get them all 429s. A request that is not signed in counts for its client address: `req.ip`, the address
 * TRUST_PROXY_HOPS hops from the right of X-Forwarded-For (the socket's own address with 0), so entries the
 * client wrote itself are never the key.
 */
export function limitKeys(req: Request, userId?: number): string[] {
  return userId === undefined ? [`ip:${req.ip ?? 'unknown'}`] : [`user:${userId}`];
}
