import {
  createTestDatabase,
  type FakeBotApi,
  freePort,
  makeTextUpdate,
  startFakeBotApi,
  TEST_BOT_TOKEN,
  type TestDatabase,
  testRedisUrl,
  waitFor,
} from '@tikethet/testkit';
import { type AppProcess, startProcess, terminate, waitForStatus } from './helpers/app-process';
import { metricSum, summarize } from './helpers/load';
import { type PrunedApp, prepareApp } from './helpers/pruned-app';
import { runOk } from './helpers/run';
import { sigtermUnderLoad } from './helpers/shutdown-load';

/**
 * @tikethet/bot deploys alone: pruned, installed, built and started (long polling) against real Postgres and
 * Redis, with the Bot API played by testkit's fake server (Telegram is unreachable from here).
 */
describe('@tikethet/bot deployed on its own', () => {
  let pruned: PrunedApp;
  let database: TestDatabase;
  let telegram: FakeBotApi;
  const running: AppProcess[] = [];

  const env = (port: number): Record<string, string> => ({
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    DATABASE_URL: database.url,
    REDIS_URL: testRedisUrl(),
    TELEGRAM_BOT_TOKEN: TEST_BOT_TOKEN,
    TELEGRAM_API_ROOT: telegram.apiRoot,
    BOT_MODE: 'polling',
    PUBLIC_URL: 'https://tikethet.example.com',
    PORT: String(port),
  });

  beforeAll(async () => {
    pruned = await prepareApp('bot');
    database = await createTestDatabase('deploy_bot');
    telegram = await startFakeBotApi();
    await runOk('pnpm', ['db:migrate'], pruned.repoDir, { DATABASE_URL: database.url });
  }, 300_000);

  afterAll(async () => {
    for (const app of running) app.signal('SIGKILL');
    await telegram?.close();
    await database?.drop();
    pruned?.cleanup();
  });

  it('starts with `pnpm --filter @tikethet/bot start`, registers itself with Telegram and is ready', async () => {
    const port = await freePort();
    const app = startProcess('pnpm', ['--filter', '@tikethet/bot', 'start'], {
      cwd: pruned.repoDir,
      env: env(port),
      port,
      group: true,
    });
    running.push(app);
    await waitForStatus(app, '/readyz', 200);
    await telegram.waitForCall('setMyCommands');
    await terminate(app);
  });

  describe('the deployed folder (the image contents), run as `node dist/index.js`', () => {
    let app: AppProcess;

    beforeAll(async () => {
      telegram.reset();
      const port = await freePort();
      app = startProcess('node', ['dist/index.js'], { cwd: pruned.deployDir, env: env(port), port });
      running.push(app);
      await waitForStatus(app, '/readyz', 200);
    });

    it('counts handled Telegram updates in /metrics', async () => {
      telegram.pushUpdate(
        makeTextUpdate({ from: { id: 7201, first_name: 'Deploy' }, text: 'My printer is on fire' }),
      );
      const metrics = await waitFor(
        async () => {
          const text = await (await fetch(`${app.origin}/metrics`)).text();
          return metricSum(text, 'bot_updates_total') > 0 ? text : undefined;
        },
        { timeoutMs: 15_000, description: 'bot_updates_total > 0' },
      );
      expect(metricSum(metrics, 'bot_updates_total')).toBeGreaterThan(0);
    });

    it('on SIGTERM during load: in-flight requests finish without 5xx and it exits 0 within 3 s', async () => {
      const { outcomes, exit } = await sigtermUnderLoad(app, '/healthz', 200);
      const summary = summarize(outcomes);
      expect(summary.brokenAfterConnect).toEqual([]);
      expect(summary.serverErrors).toBe(0);
      expect(summary.statuses).toEqual({ 200: 200 });
      expect([exit.code, exit.signal]).toEqual([0, null]);
      expect(exit.ms).toBeLessThan(3000);
    });
  });
});
