import { type DbFixture, makeUser, setupDb } from './helpers';

describe('bot support use-cases: outbox, worker state, staff chats', () => {
  let f: DbFixture;
  beforeAll(async () => {
    f = await setupDb('outbox');
  });
  afterAll(async () => {
    await f.close();
  });

  it('enqueues once per dedupe key, inside the caller transaction', async () => {
    const item = { chatId: 42, method: 'sendMessage', payload: { text: 'hi' }, dedupeKey: 'k:1' };
    await expect(f.uc.transaction((t) => t.enqueueTelegram(item))).resolves.toBe(true);
    await expect(f.uc.enqueueTelegram(item)).resolves.toBe(false);
    await expect(
      f.uc.transaction(async (t) => {
        await t.enqueueTelegram({ ...item, dedupeKey: 'k:2' });
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    const rows = await f.client.db.$client.query('select dedupe_key, status, payload from telegram_outbox');
    expect(rows.rows).toEqual([{ dedupe_key: 'k:1', status: 'queued', payload: { text: 'hi' } }]);
  });

  it('sets, reads and deletes worker state', async () => {
    await expect(f.uc.getState('cursor')).resolves.toBeNull();
    await f.uc.setState('cursor', { id: 5 });
    await f.uc.setState('cursor', { id: 7 });
    await expect(f.uc.getState('cursor')).resolves.toEqual({ id: 7 });
    await f.uc.setState('cursor', null);
    await expect(f.uc.getState('cursor')).resolves.toBeNull();
  });

  it('lists staff with a bot chat only', async () => {
    const agent = await makeUser(f.uc, 'agent');
    await f.uc.upsertUser({ id: agent.id, first_name: 'A' }, { botChatId: agent.id });
    const other = await makeUser(f.uc, 'agent');
    const customer = await makeUser(f.uc, 'customer');
    await f.uc.upsertUser({ id: customer.id, first_name: 'C' }, { botChatId: customer.id });
    const chats = await f.uc.listStaffChats();
    expect(chats.map((c) => c.id)).toEqual([agent.id]);
    expect(chats.map((c) => c.id)).not.toContain(other.id);
  });
});
