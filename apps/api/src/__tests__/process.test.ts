import { spawn } from 'node:child_process';
import path from 'node:path';
import { runMigrations } from '@tikethet/db';
import { createTestDatabase, freePort, TEST_BOT_TOKEN, testRedisUrl, waitFor } from '@tikethet/testkit';

/** The built API process (`node dist/index.js`): env, listen, relay, SIGTERM drain and exit 0. */
const entry = path.resolve(__dirname, '../../dist/index.js');

it('starts from the environment, serves, and on SIGTERM turns unready and exits 0', async () => {
  const database = await createTestDatabase('api_process');
  await runMigrations(database.url);
  const port = await freePort();
  let output = '';
  const child = spawn(process.execPath, [entry], {
    env: {
      PATH: process.env.PATH ?? '',
      DATABASE_URL: database.url,
      REDIS_URL: testRedisUrl(),
      TELEGRAM_BOT_TOKEN: TEST_BOT_TOKEN,
      API_PORT: String(port),
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (c: Buffer) => {
    output += c.toString();
  });
  child.stderr.on('data', (c: Buffer) => {
    output += c.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    const base = `http://127.0.0.1:${port}`;
    await waitFor(async () => (await fetch(`${base}/readyz`)).status === 200, {
      timeoutMs: 15_000,
      description: `api ready (${output})`,
    });
    expect((await fetch(`${base}/api/v1/me`)).status).toBe(401);
    expect((await fetch(`${base}/api/v1/dev/login-options`)).status).toBe(404);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  } finally {
    child.kill('SIGKILL');
    await database.drop();
  }
});

it('refuses to start with a bad variable and names it', async () => {
  const child = spawn(process.execPath, [entry], {
    env: { PATH: process.env.PATH ?? '', DATABASE_URL: 'mysql://x', TELEGRAM_BOT_TOKEN: 'nope' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (c: Buffer) => {
    err += c.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  expect(code).toBe(1);
  expect(err).toContain('DATABASE_URL');
  expect(err).toContain('TELEGRAM_BOT_TOKEN');
});
