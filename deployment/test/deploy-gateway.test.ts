import { createMemoryBus } from '@tikethet/bus';
import { createDb, createUseCases, type DbClient } from '@tikethet/db';
import {
  createTestDatabase,
  freePort,
  signInitData,
  TEST_BOT_TOKEN,
  type TestDatabase,
  testRedisUrl,
} from '@tikethet/testkit';
import { type AppProcess, startProcess, terminate, waitForStatus } from './helpers/app-process';
import { metricSum, summarize } from './helpers/load';
import { type PrunedApp, prepareApp } from './helpers/pruned-app';
import { runOk } from './helpers/run';
import { sigtermUnderLoad } from './helpers/shutdown-load';
import { type Client, connect } from './helpers/ws-client';

/** @tikethet/gateway deploys alone: pruned, installed, built and started against real Postgres and Redis. */
describe('@tikethet/gateway deployed on its own', () => {
  let pruned: PrunedApp;
  let database: TestDatabase;
  let db: DbClient | undefined;
  const running: AppProcess[] = [];
  const customer = { id: 7101, first_name: 'Deploy', language_code: 'en' };

  const env = (port: number): Record<string, string> => ({
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    DATABASE_URL: database.url,
    REDIS_URL: testRedisUrl(),
    TELEGRAM_BOT_TOKEN: TEST_BOT_TOKEN,
    PORT: String(port),
  });

  beforeAll(async () => {
    pruned = await prepareApp('gateway');
    database = await createTestDatabase('deploy_gateway');
    await runOk('pnpm', ['db:migrate'], pruned.repoDir, { DATABASE_URL: database.url });
  }, 300_000);

  afterAll(async () => {
    for (const app of running) app.signal('SIGKILL');
    await db?.close();
    await database?.drop();
    pruned?.cleanup();
  });

  it('starts with `pnpm --filter @tikethet/gateway start` and is ready', async () => {
    const port = await freePort();
    const app = startProcess('pnpm', ['--filter', '@tikethet/gateway', 'start'], {
      cwd: pruned.repoDir,
      env: env(port),
      port,
      group: true,
    });
    running.push(app);
    await waitForStatus(app, '/readyz', 200);
    await terminate(app);
  });

  describe('the deployed folder (the image contents), run as `node dist/index.js`', () => {
    let app: AppProcess;
    const clients: Client[] = [];

    beforeAll(async () => {
      const port = await freePort();
      app = startProcess('node', ['dist/index.js'], { cwd: pruned.deployDir, env: env(port), port });
      running.push(app);
      await waitForStatus(app, '/readyz', 200);
    });

    afterAll(() => {
      for (const client of clients) client.socket.terminate();
    });

    it('counts connections, client frames and delivered events in /metrics', async () => {
      db = createDb(database.url, { max: 2 });
      const uc = createUseCases({ db: db.db, bus: createMemoryBus() });
      const user = await uc.upsertUser(customer);
      const { ticket } = await uc.createTicket(
        { id: user.id, role: user.role },
        { subject: 'Deploy check', body: 'Replayed by the gateway' },
      );
      const initData = signInitData({ botToken: TEST_BOT_TOKEN, user: customer });
      const wsUrl = `${app.origin.replace('http', 'ws')}/ws`;
      for (let i = 0; i < 5; i += 1) {
        const client = await connect(wsUrl);
        clients.push(client);
        client.send({ type: 'hello', initData });
        await client.next((f) => f.type === 'ready');
        client.send({ type: 'subscribe', topic: `ticket:${ticket.id}`, after: 0 });
        await client.next((f) => f.type === 'event');
      }
      const metrics = await (await fetch(`${app.origin}/metrics`)).text();
      expect(metricSum(metrics, 'gateway_connections')).toBe(5);
      expect(metricSum(metrics, 'gateway_frames_received_total')).toBeGreaterThanOrEqual(10);
      expect(metricSum(metrics, 'gateway_events_delivered_total')).toBeGreaterThanOrEqual(5);
    });

    it('on SIGTERM during load: in-flight requests finish without 5xx, sockets close with 1012, exit 0 within 3 s', async () => {
      const { outcomes, exit } = await sigtermUnderLoad(app, '/healthz', 200);
      const summary = summarize(outcomes);
      expect(summary.brokenAfterConnect).toEqual([]);
      expect(summary.serverErrors).toBe(0);
      expect(summary.statuses).toEqual({ 200: 200 });
      expect(await Promise.all(clients.map((c) => c.closed))).toEqual(clients.map(() => 1012));
      expect([exit.code, exit.signal]).toEqual([0, null]);
      expect(exit.ms).toBeLessThan(3000);
    });
  });
});
