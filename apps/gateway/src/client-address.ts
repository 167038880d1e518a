import type { IncomingMessage } from 'node:http';

/** Longest address kept as a key: X-Forwarded-For entries are whatever the hop before wrote. */
const MAX_ADDRESS_LENGTH = 64;

/**
 * The client's address as `hops` trusted proxies deliver it, the way Express's `trust proxy` (the API's
 * TRUST_PROXY_HOPS) does: the socket's own address with 0, else the entry `hops` places from the right of
 * X-Forwarded-For (the leftmost when the header has fewer). Entries a client wrote itself sit further left
 * than any proxy's, so they are never the key.
 */
export function clientAddress(req: Pick<IncomingMessage, 'headers' | 'socket'>, hops: number): string {
  const chain = [req.socket.remoteAddress ?? 'unknown'];
  if (hops > 0) {
    const header = req.headers['x-forwarded-for'];
    const forwarded = (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',');
    for (let i = forwarded.length - 1; i >= 0 && chain.length <= hops; i--) {
      const entry = forwarded[i]?.trim();
      if (entry) chain.push(entry);
    }
  }
  const address = chain[Math.min(hops, chain.length - 1)] ?? 'unknown';
  return address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '').slice(0, MAX_ADDRESS_LENGTH);
}
