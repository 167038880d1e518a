import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  type FakeBotApi,
  freePort,
  makeTextUpdate,
  startFakeBotApi,
  TEST_BOT_TOKEN,
  waitFor,
} from '@tikethet/testkit';

/**
 * The seed's flow on the embedded default: put a bot token in .env, `pnpm start`, and the bot (in the same
 * process, long polling, on the embedded Postgres) registers itself and answers /start and /tickets; a new
 * tunnel URL goes to it through `scripts/set-public-url` and its loopback admin listener, never through the
 * public port. Telegram is the fake Bot API over real HTTP.
 */
const root = path.resolve(__dirname, '../..');
const run = promisify(execFile);
let fake: FakeBotApi;
let child: ChildProcess;
let dataDir: string;
let envFile: string;
let base: string;
let adminPort: number;
let output = '';
const ANNA = { id: 7_700_001, first_name: 'Анна', language_code: 'ru' };

beforeAll(async () => {
  fake = await startFakeBotApi({ token: TEST_BOT_TOKEN });
  dataDir = mkdtempSync(path.join(tmpdir(), 'tikethet-launch-bot-'));
  const port = await freePort();
  adminPort = await freePort();
  base = `http://127.0.0.1:${port}`;
  // The bot's settings in .env, as the README has them (the launcher reads this file, the script rewrites it).
  envFile = path.join(dataDir, '.env');
  writeFileSync(
    envFile,
    [
      `TELEGRAM_BOT_TOKEN=${TEST_BOT_TOKEN}`,
      `TELEGRAM_API_ROOT=${fake.apiRoot}`,
      'PUBLIC_URL=https://support.example.test',
      `BOT_ADMIN_PORT=${adminPort}`,
      '',
    ].join('\n'),
  );
  child = spawn(process.execPath, [path.join(root, 'scripts/launch.cjs')], {
    cwd: dataDir,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TIKETHET_DATA_DIR: dataDir,
      TIKETHET_ENV_FILE: envFile,
      LAUNCH_PORT: String(port),
      LOG_LEVEL: 'warn',
    },
  });
  child.stdout?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  await waitFor(() => output.includes('TiketHet is running') || child.exitCode !== null, {
    timeoutMs: 60_000,
    description: 'the launcher to start',
  });
  if (child.exitCode !== null) throw new Error(`launcher exited ${child.exitCode}:\n${output}`);
}, 90_000);

afterAll(async () => {
  if (child.exitCode === null) child.kill('SIGKILL');
  await fake.close();
  rmSync(dataDir, { recursive: true, force: true });
});

it('starts the bot on the embedded default and registers commands and the menu button', async () => {
  expect(output).toMatch(/bot: polling/);
  expect(output).toMatch(/embedded Postgres/);
  await fake.waitForCall('setMyCommands');
  const menu = await fake.waitForCall('setChatMenuButton');
  expect(JSON.stringify(menu.params)).toContain('https://support.example.test');
  expect(JSON.stringify(menu.params)).toContain('Открыть тикеты');
});

it('answers /start in Russian with the Mini App button, and /tickets lists the new ticket', async () => {
  fake.pushUpdate(makeTextUpdate({ from: ANNA, text: '/start' }));
  const greeting = await fake.waitForCall('sendMessage', (c) => Number(c.params.chat_id) === ANNA.id, 15_000);
  expect(String(greeting.params.text)).toMatch(/Здравствуйте/);
  expect(JSON.stringify(greeting.params.reply_markup)).toContain('web_app');
  fake.pushUpdate(makeTextUpdate({ from: ANNA, text: 'Не приходит чек\nОплатил вчера' }));
  const confirmed = await fake.waitForCall(
    'sendMessage',
    (c) => Number(c.params.chat_id) === ANNA.id && /#\d+/.test(String(c.params.text)),
    15_000,
  );
  const number = /#(\d+)/.exec(String(confirmed.params.text))?.[1];
  fake.pushUpdate(makeTextUpdate({ from: ANNA, text: '/tickets' }));
  const list = await fake.waitForCall(
    'sendMessage',
    (c) => Number(c.params.chat_id) === ANNA.id && JSON.stringify(c.params).includes('Не приходит чек'),
    15_000,
  );
  expect(JSON.stringify(list.params)).toContain(`${number}`);
});

describe('the public-url admin endpoint', () => {
  const EVIL = 'https://evil.example';
  const post = (url: string, headers: Record<string, string>) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ url: EVIL }),
    });
  const evilCalls = () =>
    [...fake.callsOf('setChatMenuButton'), ...fake.callsOf('setWebhook')].filter((c) =>
      JSON.stringify(c.params).includes('evil.example'),
    );
  const secretOf = () => /^BOT_ADMIN_SECRET=(.+)$/m.exec(readFileSync(envFile, 'utf8'))?.[1];

  it('is not on the public port (what a tunnel forwards): 404/405 from loopback with no, a wrong or even the right secret, no Bot API call', async () => {
    for (const headers of [
      {},
      { authorization: 'Bearer wrong' },
      { 'x-telegram-bot-api-secret-token': 'wrong' },
      { authorization: `Bearer ${secretOf()}` },
    ] as Array<Record<string, string>>) {
      // Not the bot's: the Mini App server answers it as any other path (405: it serves pages to GET only).
      const res = await post(`${base}/telegram/admin/public-url`, headers);
      expect([Object.keys(headers).join(), [404, 405].includes(res.status)]).toEqual([
        Object.keys(headers).join(),
        true,
      ]);
    }
    await new Promise((r) => setTimeout(r, 300));
    expect(evilCalls()).toEqual([]);
  });

  it('listens on loopback with the secret the launcher generated into .env (mode 0600): a wrong one gets 401', async () => {
    expect(secretOf()).toMatch(/^[A-Za-z0-9_-]{32,}$/);
    expect(statSync(envFile).mode & 0o777).toBe(0o600);
    const admin = `http://127.0.0.1:${adminPort}/telegram/admin/public-url`;
    for (const headers of [{}, { authorization: 'Bearer wrong' }] as Array<Record<string, string>>) {
      expect((await post(admin, headers)).status).toBe(401);
    }
    expect(evilCalls()).toEqual([]);
  });

  it('scripts/set-public-url re-registers through the Bot API and the running bot, with that secret', async () => {
    const { stdout } = await run(path.join(root, 'scripts/set-public-url'), [
      'https://tunnel.example.test',
      '--env-file',
      envFile,
    ]);
    expect(stdout).toContain(`running bot updated (http://127.0.0.1:${adminPort}/`);
    const menus = fake
      .callsOf('setChatMenuButton')
      .filter((c) => JSON.stringify(c.params).includes('https://tunnel.example.test'));
    expect(menus).toHaveLength(2);
    expect(readFileSync(envFile, 'utf8')).toContain('PUBLIC_URL=https://tunnel.example.test\n');
    expect(statSync(envFile).mode & 0o777).toBe(0o600);
  });
});

it('stops cleanly on SIGTERM', async () => {
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  expect(await exited).toBe(0);
});
