/**
 * The reads index.html's boot script starts before the bundle arrives (`/me` and the first screen's list),
 * handed to `request` (api.ts) when the app asks for the same URL.
 */

/** An answer as far as `request` needs it. */
export interface Answer {
  status: number;
  statusText: string;
  text: string;
}

/** What the boot script leaves on `window.__tikethetBoot`. */
export interface BootReads {
  initData: string;
  at: number;
  reads: Record<string, Promise<Answer> | undefined>;
}

/** Reads older than this are not handed over: the app asks again. */
export const BOOT_READ_MAX_AGE_MS = 15_000;

/**
 * The boot script's read of `pathAndQuery` (e.g. `/tickets?limit=50`), once: only a GET, only made with the
 * `initData` the app signs in with, only while fresh. Anything else, and a second ask, goes to the network.
 */
export function takeBootRead(
  method: string,
  pathAndQuery: string,
  initData: string,
  now = Date.now(),
): Promise<Answer> | null {
  const boot = (globalThis as { __tikethetBoot?: BootReads }).__tikethetBoot;
  if (method !== 'GET' || !boot || !initData || boot.initData !== initData) return null;
  if (!(now - boot.at <= BOOT_READ_MAX_AGE_MS)) return null;
  const read = boot.reads[pathAndQuery];
  if (!read) return null;
  delete boot.reads[pathAndQuery];
  return read;
}
