import { type FakeBotApi, makeTextUpdate, startFakeBotApi, waitFor } from '@tikethet/testkit';
import { type AppProcess, terminate } from './helpers/app-process';
import { deployAlone } from './helpers/deployed-app';
import { metricSum } from './helpers/load';
import { expectDrained, sigtermUnderLoad } from './helpers/shutdown-load';

/**
 * @tikethet/bot deploys alone: pruned, installed, built and started (long polling) against real Postgres and
 * Redis, with the Bot API played by testkit's fake server (Telegram is unreachable from here).
 */
describe('@tikethet/bot deployed on its own', () => {
  let telegram: FakeBotApi;
  const deployed = deployAlone('bot', {
    readyPath: '/readyz',
    entry: 'dist/index.js',
    backend: { migrate: true },
    env: () => ({
      TELEGRAM_API_ROOT: telegram.apiRoot,
      BOT_MODE: 'polling',
      PUBLIC_URL: 'https://tikethet.example.com',
    }),
  });

  beforeAll(async () => {
    telegram = await startFakeBotApi();
  });

  afterAll(async () => {
    await telegram?.close();
  });

  it('starts with `pnpm --filter @tikethet/bot start`, registers itself with Telegram and is ready', async () => {
    const app = await deployed.startFromRepo();
    await telegram.waitForCall('setMyCommands');
    await terminate(app);
  });

  describe('the deployed folder (the image contents), run as `node dist/index.js`', () => {
    let app: AppProcess;

    beforeAll(async () => {
      telegram.reset();
      app = await deployed.startDeployed();
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
      expectDrained(await sigtermUnderLoad(app, '/healthz', 200), 200);
    });
  });
});
