import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '@tikethet/testkit';
import { callApi, devSignIn } from './support/launcher';

/**
 * `pnpm start` on a fresh machine: nothing configured (no DATABASE_URL, REDIS_URL or TELEGRAM_BOT_TOKEN).
 * The launcher must bring up embedded Postgres, the in-process bus and every app on one origin, print the
 * URL, serve the Mini App and a working API with development sign-in, and stop cleanly on SIGTERM.
 */
const root = path.resolve(__dirname, '../..');
let child: ChildProcess;
let dataDir: string;
let output = '';
let base = '';
let port = 0;

function cleanEnv(port: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME };
  return {
    ...env,
    LAUNCH_PORT: String(port),
    TIKETHET_DATA_DIR: dataDir,
    TIKETHET_ENV_FILE: path.join(dataDir, '.env'),
    LOG_LEVEL: 'warn',
  };
}

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'tikethet-launch-'));
  port = await freePort();
  child = spawn(process.execPath, [path.join(root, 'scripts/launch.cjs')], {
    cwd: dataDir,
    env: cleanEnv(port),
  });
  child.stdout?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  base = await new Promise<string>((resolve, reject) => {
    const timer = setInterval(() => {
      const m = /TiketHet is running: (http:\/\/localhost:\d+)/.exec(output);
      if (m?.[1]) {
        clearInterval(timer);
        resolve(m[1].replace('localhost', '127.0.0.1'));
      }
      if (child.exitCode !== null) {
        clearInterval(timer);
        reject(new Error(`launcher exited ${child.exitCode}:\n${output}`));
      }
    }, 100);
  });
}, 90_000);

afterAll(() => {
  if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

const call = <T>(method: string, url: string, initData?: string, body?: unknown) =>
  callApi<T>(base, method, url, initData, body);
const signIn = (as: 'customer' | 'agent' | 'admin') => devSignIn(base, as);

it('says what it started, with the embedded database and the in-process bus', () => {
  expect(output).toMatch(/embedded Postgres/);
  expect(output).toMatch(/bus: in-process/);
  expect(output).toMatch(/development sign-in on/);
});

it('serves the Mini App and answers on the one origin', async () => {
  const page = await fetch(`${base}/`);
  expect(page.status).toBe(200);
  expect(await page.text()).toMatch(/<div id="root">/);
  const options = await call<{ enabled: boolean }>('GET', '/dev/login-options');
  expect(options.json.enabled).toBe(true);
});

it('runs a whole conversation through the API with development sign-in', async () => {
  const customer = await signIn('customer');
  const agent = await signIn('agent');
  const created = await call<{ id: number; status: string }>('POST', '/tickets', customer, {
    subject: 'Не проходит оплата',
    body: 'Карта отклонена',
  });
  expect(created.status).toBe(201);
  const queue = await call<{ items: Array<{ id: number }> }>('GET', '/tickets?assignee=none', agent);
  expect(queue.json.items.map((t) => t.id)).toContain(created.json.id);
  expect((await call('POST', `/tickets/${created.json.id}/claim`, agent)).status).toBe(200);
  expect(
    (await call('POST', `/tickets/${created.json.id}/messages`, agent, { body: 'Проверяем' })).status,
  ).toBe(201);
  expect(
    (await call('POST', `/tickets/${created.json.id}/messages`, agent, { body: 'note', internal: true }))
      .status,
  ).toBe(201);
  const seen = await call<{ items: Array<{ body: string }> }>(
    'GET',
    `/tickets/${created.json.id}/messages`,
    customer,
  );
  expect(seen.json.items.map((m) => m.body)).toEqual(['Карта отклонена', 'Проверяем']);
  expect((await call('GET', `/tickets/${created.json.id}`, undefined)).status).toBe(401);
});

it('listens on 127.0.0.1 only (HOST unset): another address of this machine is refused', async () => {
  const connects = (host: string) =>
    new Promise<boolean>((resolve) => {
      const socket = net.connect({ host, port }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
  expect(await connects('127.0.0.1')).toBe(true);
  // 127.0.0.2 is this machine too, but not the address the launcher bound (0.0.0.0 would accept it).
  expect(await connects('127.0.0.2')).toBe(false);
});

it('gives development sign-in to loopback clients only: a request a tunnel forwards gets 404', async () => {
  for (const headers of [
    { 'x-forwarded-for': '203.0.113.7' },
    { 'cf-connecting-ip': '203.0.113.7' },
  ] as Array<Record<string, string>>) {
    const res = await fetch(`${base}/api/v1/dev/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ as: 'admin' }),
    });
    expect([Object.keys(headers)[0], res.status]).toEqual([Object.keys(headers)[0], 404]);
  }
});

it('stops cleanly on SIGTERM', async () => {
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  expect(await exited).toBe(0);
});
