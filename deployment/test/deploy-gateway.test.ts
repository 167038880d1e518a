import { createMemoryBus } from '@tikethet/bus';
import { createDb, createUseCases, type DbClient } from '@tikethet/db';
import { signInitData, TEST_BOT_TOKEN } from '@tikethet/testkit';
import { type AppProcess, terminate } from './helpers/app-process';
import { deployAlone } from './helpers/deployed-app';
import { metricSum } from './helpers/load';
import { expectDrained, sigtermUnderLoad } from './helpers/shutdown-load';
import { type Client, connect } from './helpers/ws-client';

/** @tikethet/gateway deploys alone: pruned, installed, built and started against real Postgres and Redis. */
describe('@tikethet/gateway deployed on its own', () => {
  const deployed = deployAlone('gateway', {
    readyPath: '/readyz',
    entry: 'dist/index.js',
    backend: { migrate: true },
  });
  let db: DbClient | undefined;
  const customer = { id: 7101, first_name: 'Deploy', language_code: 'en' };

  afterAll(async () => {
    await db?.close();
  });

  it('starts with `pnpm --filter @tikethet/gateway start` and is ready', async () => {
    await terminate(await deployed.startFromRepo());
  });

  describe('the deployed folder (the image contents), run as `node dist/index.js`', () => {
    let app: AppProcess;
    const clients: Client[] = [];

    beforeAll(async () => {
      app = await deployed.startDeployed();
    });

    afterAll(() => {
      for (const client of clients) client.socket.terminate();
    });

    it('counts connections, client frames and delivered events in /metrics', async () => {
      db = createDb(deployed.database.url, { max: 2 });
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
      expectDrained(await sigtermUnderLoad(app, '/healthz', 200), 200);
      expect(await Promise.all(clients.map((c) => c.closed))).toEqual(clients.map(() => 1012));
    });
  });
});
