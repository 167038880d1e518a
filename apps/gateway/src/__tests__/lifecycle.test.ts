import { eventually } from '@tikethet/testkit';
import {
  makeUser,
  type RunningGateway,
  startGateway,
  startWorld,
  type TestUser,
  type World,
} from './helpers/fixture';
import { TestClient } from './helpers/test-client';

let world: World;
let gw: RunningGateway;
let customer: TestUser;

beforeAll(async () => {
  world = await startWorld('gateway_life');
  gw = await startGateway(world, { PING_INTERVAL_MS: '150' });
  customer = await makeUser(world.uc, 'customer', 'Ann');
});

afterAll(async () => {
  await gw.close();
  await world.close();
});

it('pings: a socket that answers stays, one that does not is dropped', async () => {
  const healthy = await TestClient.ready(gw.url, customer.initData);
  const dead = await TestClient.ready(gw.url, customer.initData, { autoPong: false });
  expect(await dead.closed()).toBe(1006);
  expect(healthy.closeCode).toBeNull();
  healthy.send({ type: 'ping' });
  await healthy.next((f) => f.type === 'pong');
  healthy.terminate();
});

it('refuses paths other than /ws', async () => {
  const other = new TestClient(gw.url.replace('/ws', '/other'));
  expect(await other.closed()).toBe(1006);
  expect(other.error).toContain('404');
});

it('draining: readyz 503 and new sockets refused; close() closes the open ones with 1012', async () => {
  const client = await TestClient.ready(gw.url, customer.initData);
  gw.gateway.startDraining();
  const ready = await fetch(`${gw.httpUrl}/readyz`);
  expect(ready.status).toBe(503);
  expect(await ready.json()).toEqual({ status: 'draining', checks: {} });
  const late = new TestClient(gw.url);
  expect(await late.closed()).toBe(1006);
  expect(late.error).toContain('503');
  await gw.gateway.close();
  expect(await client.closed()).toBe(1012);
  await eventually(() => expect(gw.gateway.connectionCount).toBe(0));
});
