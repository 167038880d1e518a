import { testRedisUrl } from '@tikethet/testkit';
import { uniqueChannel } from './__tests__/helpers/fixtures';
import { collect, recordStatus, waitFor } from './__tests__/helpers/wait';
import { createBus } from './create-bus';
import { reconnectDelay } from './redis-connection';

describe('createBus', () => {
  it.each([
    ['memory', undefined],
    ['redis', testRedisUrl()],
  ])('gives a working %s bus', async (_name, redisUrl) => {
    const bus = createBus({ redisUrl, channel: uniqueChannel('create') });
    const status = recordStatus(bus);
    const { received } = collect(bus);
    await waitFor(() => status.includes('up'));
    await bus.publish({ kind: 'role_changed', userId: 1, role: 'admin' });
    await waitFor(() => received.length === 1);
    await bus.close();
  });
});

describe('reconnectDelay', () => {
  it('grows and is capped', () => {
    expect(reconnectDelay(1, 2000)).toBeLessThanOrEqual(50);
    for (let attempt = 1; attempt < 200; attempt++) {
      const delay = reconnectDelay(attempt, 2000);
      expect(delay).toBeGreaterThan(0);
      expect(delay).toBeLessThanOrEqual(2000);
    }
    expect(reconnectDelay(30, 2000)).toBeGreaterThanOrEqual(1000);
  });
});
