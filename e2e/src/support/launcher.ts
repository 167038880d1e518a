import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, waitFor } from '@tikethet/testkit';
import { type Child, startNode } from './processes';
import { ROOT } from './stack';

/**
 * `node scripts/launch.cjs` (what `pnpm start` runs) with no database, Redis or bot token configured, unless
 * `env` sets them.
 */
export interface Launcher {
  url: string;
  child: Child;
  stop(): Promise<void>;
}

export async function startLauncher(env: Record<string, string> = {}): Promise<Launcher> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tikethet-launch-'));
  const port = await freePort();
  // A clean environment (and no .env): no DATABASE_URL, REDIS_URL or TELEGRAM_BOT_TOKEN, so every embedded
  // default applies.
  const child = startNode(
    'launcher',
    [path.join(ROOT, 'scripts/launch.cjs')],
    {
      TIKETHET_DATA_DIR: dataDir,
      TIKETHET_ENV_FILE: path.join(dataDir, '.env'),
      LAUNCH_PORT: String(port),
      LOG_LEVEL: 'warn',
      ...env,
    },
    ROOT,
  );
  const stop = async () => {
    await child.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const url = await waitFor(
      () => {
        if (child.proc.exitCode !== null) throw new Error(`launcher exited with ${child.proc.exitCode}`);
        return /TiketHet is running: (http:\/\/\S+)/.exec(child.output())?.[1];
      },
      { timeoutMs: 60_000, intervalMs: 100, description: 'the launcher printing its URL' },
    );
    return { url, child, stop };
  } catch (error) {
    const output = child.output();
    await stop();
    throw new Error(`${(error as Error).message}\n--- launcher output ---\n${output}`);
  }
}

/** The launcher's API as a client calls it: JSON in and out, `tma` initData when given. */
export async function callApi<T>(
  base: string,
  method: string,
  url: string,
  initData?: string,
  body?: unknown,
): Promise<{ status: number; json: T }> {
  const res = await fetch(`${base}/api/v1${url}`, {
    method,
    headers: {
      ...(initData ? { authorization: `tma ${initData}` } : {}),
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, json: (await res.json().catch(() => null)) as T };
}

/** Development sign-in (`POST /dev/login`) as a role: the initData it hands out. */
export async function devSignIn(base: string, as: 'customer' | 'agent' | 'admin'): Promise<string> {
  const { status, json } = await callApi<{ initData: string }>(base, 'POST', '/dev/login', undefined, { as });
  if (status !== 200) throw new Error(`development sign-in as ${as} answered ${status}`);
  return json.initData;
}
