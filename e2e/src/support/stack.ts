import { readFileSync } from 'node:fs';
import path from 'node:path';
import { runMigrations } from '@tikethet/db';
import {
  createTestDatabase,
  freePort,
  TEST_BOT_TOKEN,
  type TestDatabase,
  testRedisUrl,
} from '@tikethet/testkit';
import { type Child, startNode, waitReady } from './processes';

export const ROOT = path.resolve(__dirname, '../../..');
/** A development token (bot id 0, which Telegram never issues): the only kind development sign-in accepts. */
const DEV_BOT_TOKEN = '0:e2e-development-token_0123456789';

export interface StackOptions {
  /** Telegram ids made admins by ADMIN_TELEGRAM_IDS. */
  adminIds: number[];
  /** Development sign-in: api and gateway run with the development token (bot id 0) and DEV_LOGIN=1. */
  devLogin?: boolean;
  /** Bot API base the API fetches attachments from (the fake Bot API). */
  telegramApiRoot?: string;
  /** The API's PUBLIC_URL: the one other origin its CORS allows (a Mini App served from a static host). */
  publicUrl?: string;
}

/** The real product as separate processes (built api, gateway and Mini App server) on a fresh database. */
export interface Stack {
  /** The Mini App's origin, e.g. http://127.0.0.1:41234 (it proxies /api and /ws). */
  miniappUrl: string;
  apiUrl: string;
  gatewayUrl: string;
  databaseUrl: string;
  children: Child[];
  stop(): Promise<void>;
}

/**
 * The entry file of a built app by its package name, as Node resolves it: the package's `exports` entry
 * (`@tikethet/miniapp/serve` → `./serve`) or its `main`. Read from package.json here because jest maps
 * workspace package names to their TypeScript sources.
 */
export function appEntry(specifier: string): string {
  const [scope, name, ...rest] = specifier.split('/');
  const manifestFile = require.resolve(`${scope}/${name}/package.json`);
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as {
    main?: string;
    exports?: Record<string, string>;
  };
  const subpath = rest.length > 0 ? `./${rest.join('/')}` : '.';
  const target = manifest.exports ? manifest.exports[subpath] : subpath === '.' ? manifest.main : undefined;
  if (!target) throw new Error(`${specifier}: the package exports no such entry`);
  return path.resolve(path.dirname(manifestFile), target);
}

export async function startStack(label: string, options: StackOptions): Promise<Stack> {
  const database: TestDatabase = await createTestDatabase(label);
  const children: Child[] = [];
  const stop = async () => {
    await Promise.all(children.map((c) => c.stop()));
    await database.drop();
  };
  try {
    await runMigrations(database.url);
    const [apiPort, gatewayPort, miniappPort] = [await freePort(), await freePort(), await freePort()];
    const shared = {
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      DATABASE_URL: database.url,
      REDIS_URL: testRedisUrl(),
      TELEGRAM_BOT_TOKEN: TEST_BOT_TOKEN,
      ...(options.devLogin ? { TELEGRAM_BOT_TOKEN: DEV_BOT_TOKEN, DEV_LOGIN: '1' } : {}),
    };
    const api = startNode(
      'api',
      [appEntry('@tikethet/api')],
      {
        ...shared,
        PORT: String(apiPort),
        RATE_LIMIT_PER_MIN: '0',
        ADMIN_TELEGRAM_IDS: options.adminIds.join(','),
        ...(options.telegramApiRoot ? { TELEGRAM_API_ROOT: options.telegramApiRoot } : {}),
        ...(options.publicUrl ? { PUBLIC_URL: options.publicUrl } : {}),
      },
      ROOT,
    );
    children.push(api);
    const gateway = startNode(
      'gateway',
      [appEntry('@tikethet/gateway')],
      { ...shared, PORT: String(gatewayPort) },
      ROOT,
    );
    children.push(gateway);
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
    const miniapp = startNode(
      'miniapp',
      [appEntry('@tikethet/miniapp/serve')],
      {
        NODE_ENV: 'test',
        LOG_LEVEL: 'warn',
        PORT: String(miniappPort),
        API_URL: apiUrl,
        GATEWAY_URL: gatewayUrl,
      },
      ROOT,
    );
    children.push(miniapp);
    const miniappUrl = `http://127.0.0.1:${miniappPort}`;
    await Promise.all([
      waitReady(api, `${apiUrl}/readyz`),
      waitReady(gateway, `${gatewayUrl}/readyz`),
      waitReady(miniapp, `${miniappUrl}/healthz`),
    ]);
    return { miniappUrl, apiUrl, gatewayUrl, databaseUrl: database.url, children, stop };
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
}

/**
 * The built bot as its own process on a stack's database, long polling `telegramApiRoot` (the fake Bot API);
 * `env` adds to or overrides its environment (e.g. AGENTS_CHAT_ID). Resolves once it answers /readyz.
 */
export async function startBotProcess(
  stack: Pick<Stack, 'databaseUrl'>,
  telegramApiRoot: string,
  env: Record<string, string> = {},
): Promise<Child> {
  const port = await freePort();
  const bot = startNode(
    'bot',
    [appEntry('@tikethet/bot')],
    {
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      DATABASE_URL: stack.databaseUrl,
      REDIS_URL: testRedisUrl(),
      TELEGRAM_BOT_TOKEN: TEST_BOT_TOKEN,
      TELEGRAM_API_ROOT: telegramApiRoot,
      BOT_MODE: 'polling',
      BOT_PORT: String(port),
      BOT_POLL_INTERVAL_MS: '100',
      BOT_GETUPDATES_TIMEOUT_S: '1',
      ...env,
    },
    ROOT,
  );
  try {
    await waitReady(bot, `http://127.0.0.1:${port}/readyz`);
  } catch (error) {
    await bot.stop();
    throw error;
  }
  return bot;
}
