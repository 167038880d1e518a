import { spawn } from 'node:child_process';
import path from 'node:path';
import pg from 'pg';
import { createTestDatabase } from './database';
import { EMBEDDED_PG_CONTROL_ENV } from './embedded-postgres-control';
import { globalSetup, testBackends } from './global-setup';
import { globalTeardown } from './global-teardown';
import { freePort } from './services';
import { waitFor } from './wait';

const KEYS = [
  'TEST_DATABASE_URL',
  'TEST_REDIS_URL',
  'TEST_POSTGRES_BACKEND',
  'TEST_REDIS_BACKEND',
  EMBEDDED_PG_CONTROL_ENV,
];

/**
 * PGlite cannot load inside jest's VM, so the embedded path runs where jest runs globalSetup: plain Node,
 * through the package's jest-global-setup.cjs (the built testkit). The child prints its env, then waits.
 */
async function startSetupProcess(env: Record<string, string>) {
  const root = path.join(__dirname, '..');
  const script = `
    const setup = require(${JSON.stringify(path.join(root, 'jest-global-setup.cjs'))});
    const teardown = require(${JSON.stringify(path.join(root, 'jest-global-teardown.cjs'))});
    setup().then(() => {
      const keys = ${JSON.stringify(KEYS)};
      process.stdout.write('ENV ' + JSON.stringify(Object.fromEntries(keys.map((k) => [k, process.env[k]]))) + '\\n');
      process.stdin.on('end', () => teardown().then(() => process.exit(0)));
      process.stdin.resume();
    });`;
  const child = spawn(process.execPath, ['-e', script], {
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('ENV ')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`setup process exited with ${code}: ${out}`)));
  });
  await waitFor(() => out.split('\n').some((l) => l.startsWith('ENV ') && l.endsWith('}')));
  const lines = out.split('\n');
  const envLine = lines.find((l) => l.startsWith('ENV ')) ?? 'ENV {}';
  return {
    line: lines.find((l) => l.startsWith('[testkit]')) ?? '',
    env: JSON.parse(envLine.slice(4)) as Record<string, string>,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.stdin.end();
      }),
  };
}

describe('globalSetup', () => {
  const saved = new Map(KEYS.map((key) => [key, process.env[key]]));
  let log: jest.SpyInstance;

  beforeEach(() => {
    log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  });
  afterEach(async () => {
    await globalTeardown();
    delete process.env[EMBEDDED_PG_CONTROL_ENV];
    log.mockRestore();
    for (const [key, value] of saved) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });

  it('falls back to embedded Postgres and reports Redis unavailable, with one isolated PGlite per test database', async () => {
    const closed = await freePort();
    const child = await startSetupProcess({
      TEST_DATABASE_URL: `postgres://postgres@127.0.0.1:${closed}/postgres`,
      TEST_REDIS_URL: `redis://127.0.0.1:${closed}`,
    });
    try {
      expect(child.line).toMatch(
        /^\[testkit\] backend: postgres=embedded \(127\.0\.0\.1:\d+, .+ did not answer\) redis=unavailable \(.+ did not answer\)$/,
      );
      const env = child.env;
      expect(env).toMatchObject({
        TEST_REDIS_URL: '',
        TEST_POSTGRES_BACKEND: 'embedded',
        TEST_REDIS_BACKEND: 'unavailable',
      });
      for (const key of KEYS) process.env[key] = env[key];
      expect(testBackends()).toMatchObject({ postgres: 'embedded', redis: 'unavailable', redisUrl: '' });

      const admin = new pg.Client({ connectionString: env.TEST_DATABASE_URL });
      await admin.connect();
      expect((await admin.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
      await admin.end();

      const [a, b] = await Promise.all([createTestDatabase('a'), createTestDatabase('b')]);
      expect(a.url).not.toBe(b.url);
      const ca = new pg.Client({ connectionString: a.url });
      const cb = new pg.Client({ connectionString: b.url });
      await Promise.all([ca.connect(), cb.connect()]);
      await ca.query('CREATE TABLE only_in_a (id int)');
      const seen = await cb.query("SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'only_in_a'");
      expect(seen.rows).toEqual([{ n: 0 }]);
      await Promise.all([ca.end(), cb.end()]);
      await Promise.all([a.drop(), b.drop()]);
    } finally {
      await child.stop();
    }
  }, 180_000); // two fresh PGlite databases, each migrated: tens of seconds on a busy 2-core machine

  it('uses the real services when they answer', async () => {
    process.env.TEST_DATABASE_URL =
      saved.get('TEST_DATABASE_URL') ?? 'postgres://postgres@127.0.0.1:5432/postgres';
    process.env.TEST_REDIS_URL = saved.get('TEST_REDIS_URL') || 'redis://127.0.0.1:6379';
    const backends = await globalSetup();
    if (backends.postgres !== 'real' || backends.redis !== 'real') {
      throw new Error(`real services expected on this machine: ${String(log.mock.calls[0]?.[0])}`);
    }
    expect(log.mock.calls[0]?.[0]).toMatch(
      /^\[testkit\] backend: postgres=real \(.+:\d+\) redis=real \(.+:\d+\)$/,
    );
    expect(process.env[EMBEDDED_PG_CONTROL_ENV]).toBeUndefined();
  });
});
