import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { hashSlot } from '@tikethet/bus';
import { runMigrations } from '@tikethet/db';
import {
  createTestDatabase,
  freePort,
  type RedisClusterHandle,
  spawnReady,
  startRedisCluster,
  TEST_BOT_TOKEN,
  type TestDatabase,
  waitFor,
} from '@tikethet/testkit';
import { windowKey } from '../rate-limit/limiter';
import { authFor } from './helpers/people';

/**
 * Two built API processes (`node dist/index.js`) with REDIS_CLUSTER_NODES on a private Redis Cluster of three
 * masters with a replica each: the rate limit is one budget across both, and a killed master (its replica
 * takes over) never makes the API answer anything but its usual 200/429.
 */
const entry = path.resolve(__dirname, '../../dist/index.js');
const LIMIT = 8;

let cluster: RedisClusterHandle;
let database: TestDatabase;
const children: ChildProcess[] = [];
const bases: string[] = [];

async function startApi(): Promise<string> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const { child } = await spawnReady({
    entry,
    label: 'api',
    readyUrl: `${base}/readyz`,
    env: {
      DATABASE_URL: database.url,
      // Both set: the cluster wins.
      REDIS_URL: 'redis://127.0.0.1:1',
      REDIS_CLUSTER_NODES: cluster.nodesEnv,
      TELEGRAM_BOT_TOKEN: TEST_BOT_TOKEN,
      RATE_LIMIT_PER_MIN: String(LIMIT),
      API_PORT: String(port),
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
    },
  });
  children.push(child);
  return base;
}

beforeAll(async () => {
  cluster = await startRedisCluster({ masters: 3, replicasPerMaster: 1 });
  database = await createTestDatabase('api_cluster');
  await runMigrations(database.url);
  bases.push(await startApi(), await startApi());
}, 60_000);

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await database?.drop();
  await cluster?.stop();
});

/** Fixed one-minute windows: start a burst early in a window so it cannot straddle two. */
async function freshWindow(): Promise<void> {
  const into = Date.now() % 60_000;
  if (into > 45_000) await new Promise((r) => setTimeout(r, 60_000 - into + 50));
}

const me = (base: string, auth: string) =>
  fetch(`${base}/api/v1/me`, { headers: { authorization: auth } }).then((r) => r.status);

it('shares one rate-limit budget across two API processes', async () => {
  await freshWindow();
  const auth = authFor({ id: 970_001, first_name: 'Shared' });
  const statuses: number[] = [];
  for (let i = 0; i <= LIMIT; i++) statuses.push(await me(bases[i % 2] ?? '', auth));
  expect(statuses).toEqual([...Array(LIMIT).fill(200), 429]);
  // Its counter sits on the master of its own slot: that of the hash tag `{user:970001}`.
  const window = Math.floor(Date.now() / 60_000);
  const owner = await cluster.masterOf(hashSlot('{user:970001}'));
  expect((await cluster.cli(owner, 'GET', windowKey('tikethet:rl', 'user:970001', window))).trim()).toBe(
    String(LIMIT + 1),
  );
}, 30_000);

it('keeps answering while the master holding a user’s counter dies, and shares the budget again after', async () => {
  await freshWindow();
  const auth = authFor({ id: 970_002, first_name: 'Failover' });
  const victim = await cluster.masterOf(hashSlot('{user:970002}'));
  await cluster.servers.find((s) => s.port === victim)?.kill();
  // During the failover each process counts on its own (never a 5xx, never a hang).
  const during: number[] = [];
  for (let i = 0; i < 6; i++) during.push(await me(bases[i % 2] ?? '', auth));
  expect(during.every((s) => s === 200 || s === 429)).toBe(true);

  await cluster.waitUntilOk(30_000);
  expect(await cluster.masterOf(hashSlot('{user:970002}'))).not.toBe(victim);
  // After it the counter is shared again: a fresh user's budget runs out after exactly LIMIT calls in total.
  await waitFor(
    async () => (await me(bases[0] ?? '', authFor({ id: 970_003, first_name: 'Probe' }))) === 200,
  );
  await freshWindow();
  const next = authFor({ id: 970_004, first_name: 'After' });
  await waitFor(
    async () => {
      const owner = await cluster.masterOf(hashSlot('{user:970004}'));
      return (await cluster.cli(owner, 'PING')).trim() === 'PONG';
    },
    { timeoutMs: 10_000 },
  );
  const statuses: number[] = [];
  for (let i = 0; i <= LIMIT; i++) statuses.push(await me(bases[i % 2] ?? '', next));
  expect(statuses).toEqual([...Array(LIMIT).fill(200), 429]);
}, 60_000);
