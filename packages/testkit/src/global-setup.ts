import pg from 'pg';
import { type EmbeddedPostgres, startEmbeddedPostgres } from './embedded-postgres';
import {
  EMBEDDED_PG_CONTROL_ENV,
  type EmbeddedPostgresControl,
  startEmbeddedPostgresControl,
} from './embedded-postgres-control';
import { isReachable, testDatabaseAdminUrl, testRedisUrl } from './services';

export interface TestBackends {
  postgres: 'real' | 'embedded';
  redis: 'real' | 'unavailable';
  databaseUrl: string;
  /** Empty when Redis is unavailable. */
  redisUrl: string;
}

interface Running {
  embedded?: EmbeddedPostgres;
  control?: EmbeddedPostgresControl;
}

const RUNNING = Symbol.for('tikethet.testkit.globalSetup');
type GlobalWithRunning = typeof globalThis & { [RUNNING]?: Running };

const hostPort = (url: string, defaultPort: number) => {
  const parsed = new URL(url);
  return `${parsed.hostname || '127.0.0.1'}:${parsed.port || defaultPort}`;
};

async function postgresAnswers(url: string): Promise<boolean> {
  if (!(await isReachable(url))) return false;
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * jest globalSetup: uses the real PostgreSQL and Redis when they answer; otherwise starts an embedded
 * PGlite for Postgres and marks Redis unavailable. Workers inherit the env it sets:
 * TEST_DATABASE_URL, TEST_REDIS_URL (empty = unavailable), TEST_POSTGRES_BACKEND, TEST_REDIS_BACKEND.
 */
export async function globalSetup(): Promise<TestBackends> {
  const running: Running = {};
  (globalThis as GlobalWithRunning)[RUNNING] = running;

  let databaseUrl = testDatabaseAdminUrl();
  let postgres: TestBackends['postgres'] = 'real';
  let postgresNote = hostPort(databaseUrl, 5432);
  if (!(await postgresAnswers(databaseUrl))) {
    running.embedded = await startEmbeddedPostgres();
    running.control = await startEmbeddedPostgresControl();
    postgres = 'embedded';
    postgresNote = `127.0.0.1:${running.embedded.port}, ${postgresNote} did not answer`;
    databaseUrl = running.embedded.url;
    process.env[EMBEDDED_PG_CONTROL_ENV] = running.control.url;
  }

  let redisUrl = testRedisUrl();
  let redis: TestBackends['redis'] = 'real';
  let redisNote = redisUrl ? hostPort(redisUrl, 6379) : 'TEST_REDIS_URL empty';
  if (!redisUrl || !(await isReachable(redisUrl))) {
    redis = 'unavailable';
    redisNote = redisUrl ? `${redisNote} did not answer` : redisNote;
    redisUrl = '';
  }

  process.env.TEST_DATABASE_URL = databaseUrl;
  process.env.TEST_REDIS_URL = redisUrl;
  process.env.TEST_POSTGRES_BACKEND = postgres;
  process.env.TEST_REDIS_BACKEND = redis;
  console.log(`[testkit] backend: postgres=${postgres} (${postgresNote}) redis=${redis} (${redisNote})`);
  return { postgres, redis, databaseUrl, redisUrl };
}

/** The backends chosen by globalSetup, as seen from a test worker. */
export function testBackends(): TestBackends {
  return {
    postgres: process.env.TEST_POSTGRES_BACKEND === 'embedded' ? 'embedded' : 'real',
    redis:
      process.env.TEST_REDIS_BACKEND === 'unavailable' || process.env.TEST_REDIS_URL === ''
        ? 'unavailable'
        : 'real',
    databaseUrl: testDatabaseAdminUrl(),
    redisUrl: testRedisUrl(),
  };
}

/** Stops what globalSetup started (in the same process). */
export async function stopGlobalBackends(): Promise<void> {
  const holder = globalThis as GlobalWithRunning;
  const running = holder[RUNNING];
  holder[RUNNING] = undefined;
  await running?.control?.close();
  await running?.embedded?.stop();
  if (running?.control) delete process.env[EMBEDDED_PG_CONTROL_ENV];
}
