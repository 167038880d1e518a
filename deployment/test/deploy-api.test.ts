import { signInitData, TEST_BOT_TOKEN } from '@tikethet/testkit';
import { type AppProcess, terminate } from './helpers/app-process';
import { deployAlone } from './helpers/deployed-app';
import { metricSum, request, summarize } from './helpers/load';
import { runOk } from './helpers/run';
import { expectDrained, sigtermUnderLoad } from './helpers/shutdown-load';

/** @tikethet/api deploys alone: pruned, installed, built, migrated and started against real Postgres and Redis. */
describe('@tikethet/api deployed on its own', () => {
  const deployed = deployAlone('api', {
    readyPath: '/readyz',
    entry: 'dist/index.js',
    backend: { migrate: false },
    env: () => ({ RATE_LIMIT_PER_MIN: '0' }),
  });
  const auth = (id: number) => ({
    authorization: `tma ${signInitData({ botToken: TEST_BOT_TOKEN, user: { id, first_name: 'Deploy', language_code: 'en' } })}`,
  });

  it("migrates a fresh database with the pruned db package (pnpm db:migrate), and again with the image's CLI", async () => {
    const { pruned, database } = deployed;
    const first = await runOk('pnpm', ['db:migrate'], pruned.repoDir, { DATABASE_URL: database.url });
    expect(first.output).toContain('migrations applied');
    const again = await runOk('node', ['node_modules/@tikethet/db/dist/migrate-cli.js'], pruned.deployDir, {
      DATABASE_URL: database.url,
    });
    expect(again.output).toContain('migrations applied');
  });

  it('starts with `pnpm --filter @tikethet/api start` and is ready', async () => {
    await terminate(await deployed.startFromRepo());
  });

  describe('the deployed folder (the image contents), run as `node dist/index.js`', () => {
    let app: AppProcess;

    beforeAll(async () => {
      app = await deployed.startDeployed();
    });

    it('counts requests and published events in /metrics after a short load and a new ticket', async () => {
      const outcomes = await Promise.all(
        Array.from({ length: 30 }, () => request(`${app.origin}/api/v1/me`, { headers: auth(7001) })),
      );
      expect(summarize(outcomes).statuses).toEqual({ 200: 30 });
      const created = await fetch(`${app.origin}/api/v1/tickets`, {
        method: 'POST',
        headers: { ...auth(7001), 'content-type': 'application/json' },
        body: JSON.stringify({ subject: 'Deploy check', body: 'Posted by the deployment test' }),
      });
      expect(created.status).toBe(201);
      const metrics = await (await fetch(`${app.origin}/metrics`)).text();
      expect(metricSum(metrics, 'http_request_duration_seconds_count')).toBeGreaterThanOrEqual(31);
      expect(metricSum(metrics, 'events_published_total')).toBeGreaterThan(0);
    });

    it('finishes 200 in-flight /api/v1/me requests on SIGTERM, with no 5xx, and exits 0 within 3 s', async () => {
      expectDrained(await sigtermUnderLoad(app, '/api/v1/me', 200, auth(7002)), 200);
    });
  });
});
