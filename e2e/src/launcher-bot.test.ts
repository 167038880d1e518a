import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  type FakeBotApi,
  freePort,
  makeTextUpdate,
  startFakeBotApi,
  TEST_BOT_TOKEN,
  waitFor,
} from '@tikethet/testkit';

/**
 * The seed's flow on the embedded default: put a bot token in the environment, `pnpm start`, and the bot
 * (in the same process, long polling, on the embedded Postgres) registers itself and answers /start and
 * /tickets. Telegram is the fake Bot API over real HTTP.
 */
const root = path.resolve(__dirname, '../..');
let fake: FakeBotApi;
let child: ChildProcess;
let dataDir: string;
let output = '';
const ANNA = { id: 7_700_001, first_name: 'Анна', language_code: 'ru' };

beforeAll(async () => {
  fake = await startFakeBotApi({ token: TEST_BOT_TOKEN });
  dataDir = mkdtempSync(path.join(tmpdir(), 'tikethet-launch-bot-'));
  const port = await freePort();
  child = spawn(process.execPath, [path.join(root, 'scripts/launch.cjs')], {
    cwd: dataDir,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TIKETHET_DATA_DIR: dataDir,
      LAUNCH_PORT: String(port),
      LAUNCH_HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      TELEGRAM_BOT_TOKEN: TEST_BOT_TOKEN,
      TELEGRAM_API_ROOT: fake.apiRoot,
      PUBLIC_URL: 'https://support.example.test',
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

it('stops cleanly on SIGTERM', async () => {
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  expect(await exited).toBe(0);
});
