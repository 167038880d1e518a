import { type PostgresReplicaPair, startPostgresReplicaPair } from '@tikethet/testkit';
import { callApi, devSignIn, type Launcher, startLauncher } from './support/launcher';

/**
 * `pnpm start` with DATABASE_REPLICA_URL: the launcher's API sends list reads to the streaming replica, as a
 * split deployment does. Replay on the replica is paused to make it provably behind: what the queue shows
 * then says which server answered.
 */
let pair: PostgresReplicaPair;
let launcher: Launcher;

beforeAll(async () => {
  pair = await startPostgresReplicaPair();
  await pair.primarySql('create database tikethet');
  launcher = await startLauncher({
    DATABASE_URL: pair.primaryUrl('tikethet'),
    DATABASE_REPLICA_URL: pair.replicaUrl('tikethet'),
    DATABASE_REPLICA_MAX_LAG_MS: '600000',
  });
}, 180_000);

afterAll(async () => {
  await launcher?.stop();
  await pair?.stop();
});

const call = <T>(method: string, url: string, initData?: string, body?: unknown) =>
  callApi<T>(launcher.url, method, url, initData, body);
const signIn = (as: 'customer' | 'agent' | 'admin') => devSignIn(launcher.url, as);

const queueIds = async (agent: string) => {
  const { status, json } = await call<{ items: Array<{ id: number }> }>('GET', '/tickets?limit=50', agent);
  expect(status).toBe(200);
  return json.items.map((t) => t.id);
};

it('names the replica it reads from', () => {
  expect(launcher.child.output()).toContain(`read replica: 127.0.0.1:${pair.replicaPort}`);
});

it('serves the queue from the replica and a ticket by id from the primary', async () => {
  const customer = await signIn('customer');
  const agent = await signIn('agent');
  const first = await call<{ id: number }>('POST', '/tickets', customer, { subject: 'First', body: 'one' });
  expect(first.status).toBe(201);
  await pair.waitForReplay();
  expect(await queueIds(agent)).toContain(first.json.id);

  await pair.pauseReplay();
  try {
    const second = await call<{ id: number }>('POST', '/tickets', customer, {
      subject: 'Second',
      body: 'two',
    });
    expect(second.status).toBe(201);
    // The ticket itself is read on the primary; the queue, on the paused replica, does not have it yet.
    expect((await call('GET', `/tickets/${second.json.id}`, agent)).status).toBe(200);
    const whilePaused = await queueIds(agent);
    expect(whilePaused).toContain(first.json.id);
    expect(whilePaused).not.toContain(second.json.id);
    await pair.resumeReplay();
    await pair.waitForReplay();
    expect(await queueIds(agent)).toContain(second.json.id);
  } finally {
    await pair.resumeReplay();
  }
});
