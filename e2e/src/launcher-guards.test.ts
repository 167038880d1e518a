import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, startFakeBotApi, TEST_BOT_TOKEN } from '@tikethet/testkit';

/**
 * `pnpm start` refuses, at start and naming the variable, the configurations that would hand out admin
 * initData: development sign-in with a real bot token, development sign-in on a non-loopback address, and
 * a placeholder token (issue 13, items 2 and 3); with a real token it binds where HOST says.
 */
const root = path.resolve(__dirname, '../..');

/**
 * Runs the launcher until it exits or says it is running (then `whileRunning`, then SIGKILL); its exit code
 * (null: it started) and output.
 */
async function launch(
  env: Record<string, string>,
  whileRunning: (port: number) => Promise<void> = async () => undefined,
): Promise<{ code: number | null; output: string }> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'tikethet-launch-guard-'));
  const port = await freePort();
  const child = spawn(process.execPath, [path.join(root, 'scripts/launch.cjs')], {
    cwd: dataDir,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TIKETHET_DATA_DIR: dataDir,
      TIKETHET_ENV_FILE: path.join(dataDir, '.env'),
      LAUNCH_PORT: String(port),
      BOT_ADMIN_PORT: String(await freePort()),
      LOG_LEVEL: 'warn',
      ...env,
    },
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    output += d.toString();
  });
  const code = await new Promise<number | null>((resolve) => {
    child.once('exit', (c) => resolve(c));
    const timer = setInterval(() => {
      if (output.includes('TiketHet is running')) {
        clearInterval(timer);
        resolve(null);
      }
    }, 100);
    child.once('exit', () => clearInterval(timer));
  });
  try {
    if (code === null) await whileRunning(port);
  } finally {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
  return { code, output };
}

const connects = (host: string, port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect({ host, port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });

it('refuses DEV_LOGIN=1 with a configured bot token, naming DEV_LOGIN', async () => {
  const fake = await startFakeBotApi({ token: TEST_BOT_TOKEN });
  try {
    const { code, output } = await launch({
      TELEGRAM_BOT_TOKEN: TEST_BOT_TOKEN,
      TELEGRAM_API_ROOT: fake.apiRoot,
      DEV_LOGIN: '1',
    });
    expect(code).toBe(1);
    expect(output).toMatch(/DEV_LOGIN: development sign-in is refused with a configured TELEGRAM_BOT_TOKEN/);
    expect(fake.callsOf('getMe')).toEqual([]);
  } finally {
    await fake.close();
  }
});

it('refuses development sign-in on a non-loopback HOST, naming HOST', async () => {
  const { code, output } = await launch({ HOST: '0.0.0.0' });
  expect(code).toBe(1);
  expect(output).toMatch(/HOST=0\.0\.0\.0/);
  expect(output).toMatch(/development sign-in/);
});

it('refuses a placeholder token, naming TELEGRAM_BOT_TOKEN', async () => {
  const { code, output } = await launch({ TELEGRAM_BOT_TOKEN: '1000000000:local-compose-placeholder-token' });
  expect(code).toBe(1);
  expect(output).toMatch(/TELEGRAM_BOT_TOKEN: is a placeholder/);
});

it('binds the address HOST names when a bot token is configured (and not 127.0.0.1 then)', async () => {
  const fake = await startFakeBotApi({ token: TEST_BOT_TOKEN });
  try {
    let reached: boolean[] = [];
    const { code, output } = await launch(
      { TELEGRAM_BOT_TOKEN: TEST_BOT_TOKEN, TELEGRAM_API_ROOT: fake.apiRoot, HOST: '127.0.0.2' },
      async (port) => {
        reached = [await connects('127.0.0.2', port), await connects('127.0.0.1', port)];
      },
    );
    expect([code, output]).toEqual([null, expect.stringContaining('TiketHet is running: http://127.0.0.2:')]);
    expect(reached).toEqual([true, false]);
  } finally {
    await fake.close();
  }
});
