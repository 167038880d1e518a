import http from 'node:http';
import type { AppProcess, Exit } from './app-process';
import { terminate } from './app-process';
import { type Outcome, request, summarize } from './load';

export interface ShutdownUnderLoad {
  outcomes: Outcome[];
  exit: Exit & { ms: number };
}

/**
 * Opens `concurrency` keep-alive connections (each served once, so the server has accepted all of them), then
 * sends one request on each and SIGTERMs the server as soon as every request has been written: all of them
 * are in flight when the signal arrives.
 */
export async function sigtermUnderLoad(
  app: AppProcess,
  path: string,
  concurrency: number,
  headers: Record<string, string> = {},
): Promise<ShutdownUnderLoad> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  try {
    const warm = await Promise.all(
      Array.from({ length: concurrency }, () => request(`${app.origin}/healthz`, { agent })),
    );
    const notWarm = warm.filter((o) => o.status !== 200);
    if (notWarm.length > 0) throw new Error(`warm-up failed: ${JSON.stringify(notWarm.slice(0, 3))}`);
    let sent = 0;
    let exit: Promise<Exit & { ms: number }> | undefined;
    const onSent = () => {
      sent += 1;
      if (sent === concurrency) exit = terminate(app);
    };
    const outcomes = await Promise.all(
      Array.from({ length: concurrency }, () => request(`${app.origin}${path}`, { agent, headers, onSent })),
    );
    if (!exit) throw new Error(`only ${sent} of ${concurrency} requests were sent`);
    return { outcomes, exit: await exit };
  } finally {
    agent.destroy();
  }
}

/** The process exited by itself with code 0 within 3 s of SIGTERM. */
export function expectCleanExit(exit: ShutdownUnderLoad['exit']) {
  expect([exit.code, exit.signal]).toEqual([0, null]);
  expect(exit.ms).toBeLessThan(3000);
}

/** Every one of the `concurrency` requests in flight at SIGTERM finished with 200 (none cut, no 5xx), then a clean exit. */
export function expectDrained({ outcomes, exit }: ShutdownUnderLoad, concurrency: number) {
  const summary = summarize(outcomes);
  expect(summary.brokenAfterConnect).toEqual([]);
  expect(summary.serverErrors).toBe(0);
  expect(summary.statuses).toEqual({ 200: concurrency });
  expectCleanExit(exit);
}
