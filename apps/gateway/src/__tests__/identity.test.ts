import { signInitData, TEST_BOT_TOKEN } from '@tikethet/testkit';
import { gatewaySuite } from './helpers/suite';
import type { TestClient } from './helpers/test-client';

const ADMIN_ID = 990_001;
const suite = gatewaySuite('gateway_identity', { ADMIN_TELEGRAM_IDS: String(ADMIN_ID) });

function initDataOf(id: number, firstName: string, extra: Record<string, unknown> = {}): string {
  return signInitData({ botToken: TEST_BOT_TOKEN, user: { id, first_name: firstName, ...extra } });
}

function readyUser(client: TestClient) {
  const ready = client.frames.find((f) => f.type === 'ready');
  return ready?.user as { id: number; role: string } | undefined;
}

describe('first contact through the gateway (one identity with the API)', () => {
  it('records an id of ADMIN_TELEGRAM_IDS as admin, and anyone else as a customer', async () => {
    const admin = await suite.connect({ initData: initDataOf(ADMIN_ID, 'Ada') });
    expect(readyUser(admin)).toMatchObject({ id: ADMIN_ID, role: 'admin' });
    expect((await suite.world.uc.getUser(ADMIN_ID))?.role).toBe('admin');

    const stranger = await suite.connect({ initData: initDataOf(ADMIN_ID + 1, 'Eve') });
    expect(readyUser(stranger)).toMatchObject({ id: ADMIN_ID + 1, role: 'customer' });
    expect((await suite.world.uc.getUser(ADMIN_ID + 1))?.role).toBe('customer');
  });

  it('takes no role from the client: a signed profile claiming admin is still a customer', async () => {
    const id = ADMIN_ID + 2;
    const claimer = await suite.connect({ initData: initDataOf(id, 'Mallory', { role: 'admin' }) });
    expect(readyUser(claimer)?.role).toBe('customer');
    expect((await suite.world.uc.getUser(id))?.role).toBe('customer');
  });
});
