import { type RunningGateway, startGateway, startWorld, type TestUser, type World } from './fixture';
import { TestClient } from './test-client';

export interface GatewaySuite {
  world: World;
  gw: RunningGateway;
  /** Opens a socket, says hello as the user and waits for `ready`; terminated after the test. */
  connect(user: Pick<TestUser, 'initData'>): Promise<TestClient>;
  /** Terminates the socket after the test. */
  track(client: TestClient): TestClient;
}

/**
 * One world and one gateway (with `overrides` for its env) for a test file, started in `beforeAll` and
 * stopped in `afterAll`; every socket opened through it is terminated after each test.
 */
export function gatewaySuite(label: string, overrides: Record<string, string>): GatewaySuite {
  const clients: TestClient[] = [];
  const suite = {
    track(client: TestClient) {
      clients.push(client);
      return client;
    },
    async connect(user: Pick<TestUser, 'initData'>) {
      return suite.track(await TestClient.ready(suite.gw.url, user.initData));
    },
  } as GatewaySuite;
  beforeAll(async () => {
    suite.world = await startWorld(label);
    suite.gw = await startGateway(suite.world, overrides);
  });
  afterEach(() => {
    for (const c of clients.splice(0)) c.terminate();
  });
  afterAll(async () => {
    await suite.gw.close();
    await suite.world.close();
  });
  return suite;
}
