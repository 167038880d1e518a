import { spawnGateway } from './helpers/child-gateway';
import { makeUser, startWorld, type World } from './helpers/fixture';
import { TestClient } from './helpers/test-client';

let world: World;

beforeAll(async () => {
  world = await startWorld('gateway_stop');
});

afterAll(async () => {
  await world.close();
});

it('on SIGTERM closes sockets with 1012 and exits 0', async () => {
  const gateway = await spawnGateway({ DATABASE_URL: world.database.url, REDIS_URL: world.redisUrl });
  const user = await makeUser(world.uc, 'customer', 'Ann');
  const clients = await Promise.all([1, 2, 3].map(() => TestClient.ready(gateway.url, user.initData)));
  gateway.child.kill('SIGTERM');
  expect(await Promise.all(clients.map((c) => c.closed()))).toEqual([1012, 1012, 1012]);
  expect(await gateway.exited).toBe(0);
});

it('refuses to start without DATABASE_URL and names the variable', async () => {
  await expect(spawnGateway({})).rejects.toThrow(/DATABASE_URL/);
});
