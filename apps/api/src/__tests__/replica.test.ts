import { createMemoryBus } from '@tikethet/bus';
import {
  createDb,
  createUseCases,
  type DbClient,
  monitorReplica,
  type ReplicaMonitor,
  runMigrations,
} from '@tikethet/db';
import {
  type PostgresReplicaPair,
  startPostgresReplicaPair,
  TEST_BOT_TOKEN,
  waitFor,
} from '@tikethet/testkit';
import request from 'supertest';
import { createApi } from '../create-api';
import { loadApiEnv } from '../env';
import { type Person, person } from './helpers/people';
import { ADMIN_ID } from './helpers/test-api';

// A private PostgreSQL primary and streaming replica (initdb, pg_basebackup -R, pg_ctl, as the postgres user,
// in a temporary directory). Replay on the replica is paused to make it provably behind: what a read returns
// then shows which server answered it.
let pair: PostgresReplicaPair;
let primary: DbClient;
let replica: DbClient;
const monitors: ReplicaMonitor[] = [];
const bus = createMemoryBus();
let agent: Person;
let customer: Person;
/** A generous lag budget (60 s) and a tight one (300 ms), on the same replica. */
let generous: ReturnType<typeof createApi>;
let tight: ReturnType<typeof createApi>;

function api(maxLagMs: number) {
  const monitor = monitorReplica({
    primary,
    replica,
    maxLagMs,
    probeIntervalMs: 50,
  });
  monitors.push(monitor);
  const env = loadApiEnv({
    DATABASE_URL: pair.primaryUrl('tikethet'),
    DATABASE_REPLICA_URL: pair.replicaUrl('tikethet'),
    DATABASE_REPLICA_MAX_LAG_MS: String(maxLagMs),
    TELEGRAM_BOT_TOKEN: TEST_BOT_TOKEN,
    ADMIN_TELEGRAM_IDS: String(ADMIN_ID),
    RATE_LIMIT_PER_MIN: '0',
    LOG_LEVEL: 'silent',
    NODE_ENV: 'test',
  });
  return createApi({ env, db: primary, replica: { db: replica, monitor }, bus });
}

const subjects = async (app: ReturnType<typeof createApi>, who: Person, query = '') => {
  const res = await request(app.app).get(`/api/v1/tickets${query}`).set('Authorization', who.auth);
  expect(res.status).toBe(200);
  return (res.body.items as Array<{ subject: string }>).map((t) => t.subject).sort();
};
const stats = async (app: ReturnType<typeof createApi>) => {
  const res = await request(app.app).get('/api/v1/stats').set('Authorization', agent.auth);
  expect(res.status).toBe(200);
  return res.body;
};

beforeAll(async () => {
  pair = await startPostgresReplicaPair();
  await pair.primarySql('create database tikethet');
  await runMigrations(pair.primaryUrl('tikethet'));
  primary = createDb(pair.primaryUrl('tikethet'), { max: 4 });
  replica = createDb(pair.replicaUrl('tikethet'), { max: 4 });
  const uc = createUseCases({ db: primary.db, bus });
  await person(uc, ADMIN_ID, 'admin', 'Admin');
  agent = await person(uc, 980_002, 'agent', 'Agent');
  customer = await person(uc, 980_003, 'customer', 'Customer');
  await uc.createTicket(
    { id: customer.id, role: 'customer' },
    { subject: 'Old printer', body: 'jammed printer' },
  );
  await pair.waitForReplay();
  generous = api(60_000);
  tight = api(300);
  await Promise.all(monitors.map((m) => m.probe()));
  await waitFor(() => monitors.every((m) => m.fresh), { description: 'replica fresh' });
}, 60_000);

afterAll(async () => {
  for (const m of monitors) m.close();
  await Promise.allSettled([generous?.close(), tight?.close()]);
  await Promise.allSettled([primary?.close(), replica?.close()]);
  await pair?.stop();
});

it('serves lists, search and stats from the replica, a just-created ticket and its checks from the primary', async () => {
  await pair.pauseReplay();
  const statsBefore = await stats(generous);
  const created = await request(generous.app)
    .post('/api/v1/tickets')
    .set('Authorization', customer.auth)
    .send({ subject: 'New printer', body: 'smoking printer' });
  expect(created.status).toBe(201);
  // The replica does not have it (replay is paused): these answers can only come from the primary.
  const own = await request(generous.app)
    .get(`/api/v1/tickets/${created.body.id}`)
    .set('Authorization', customer.auth);
  expect(own.status).toBe(200);
  const staffView = await request(generous.app)
    .get(`/api/v1/tickets/${created.body.id}`)
    .set('Authorization', agent.auth);
  expect(staffView.status).toBe(200);
  expect(staffView.body.subject).toBe('New printer');
  // The writer's own list reads the primary (their write is newer than anything the replica is known to hold).
  expect(await subjects(generous, customer)).toEqual(['New printer', 'Old printer']);
  // Everyone else's list, search and stats come from the replica, within the 60 s budget: without it.
  expect(await subjects(generous, agent)).toEqual(['Old printer']);
  expect(await subjects(generous, agent, '?q=printer')).toEqual(['Old printer']);
  expect(await stats(generous)).toEqual(statsBefore);
}, 30_000);

it('sends reads to the primary once the replica is further behind than the lag budget', async () => {
  const tightMonitor = monitors[1];
  await waitFor(() => (tightMonitor?.stalenessMs ?? 0) > 300, { description: 'replica past 300 ms' });
  expect(tightMonitor?.fresh).toBe(false);
  expect(monitors[0]?.fresh).toBe(true);
  expect(await subjects(tight, agent)).toEqual(['New printer', 'Old printer']);
  expect(await subjects(tight, agent, '?q=smoking')).toEqual(['New printer']);
  expect(await stats(tight)).not.toEqual(await stats(generous));

  await pair.resumeReplay();
  await pair.waitForReplay();
  await waitFor(() => tightMonitor?.fresh === true, { description: 'replica caught up' });
  expect(await subjects(generous, agent)).toEqual(['New printer', 'Old printer']);
}, 30_000);

it('falls back to the primary when the replica is gone', async () => {
  await pair.stopReplica();
  const uc = createUseCases({ db: primary.db, bus });
  await uc.createTicket({ id: customer.id, role: 'customer' }, { subject: 'After replica', body: 'gone' });
  // The first read may still try the replica (the monitor has not noticed yet): it fails over, never a 5xx.
  for (const app of [generous, tight]) {
    expect(await subjects(app, agent)).toEqual(['After replica', 'New printer', 'Old printer']);
  }
  expect((await request(generous.app).get('/api/v1/stats').set('Authorization', agent.auth)).status).toBe(
    200,
  );
  await waitFor(() => monitors.every((m) => !m.fresh), { description: 'monitors notice' });
}, 30_000);
