import { type DbFixture, setupDb } from './helpers';

/** The bot's hot path runs on statements prepared once per pooled connection (prepared.ts). */
describe('prepared statements on reused connections', () => {
  let f: DbFixture;
  beforeAll(async () => {
    // One connection: every transaction below reuses the same handle and its prepared statements.
    f = await setupDb('prepared', 1);
  });
  afterAll(async () => {
    await f.close();
  });

  const profile = (id: number, first_name: string) => ({ id, first_name, language_code: 'en' });

  it('gives each transaction its own values, and the event data back as the object it was', async () => {
    for (const [updateId, name] of [
      [1, 'Ann'],
      [2, 'Bob'],
    ] as const) {
      const posted = await f.uc.transaction(async (t) => {
        expect(await t.claimTelegramUpdate(updateId)).toBe(true);
        const user = await t.upsertUser(profile(7000 + updateId, name), { botChatId: 7000 + updateId });
        const actor = { id: user.id, role: user.role };
        const created = await t.createTicket(actor, { subject: `Help ${name}`, body: 'first' });
        const again = await t.latestOpenTicket(user.id);
        expect(again?.id).toBe(created.ticket.id);
        return t.postMessage(actor, created.ticket.id, { body: `second from ${name}` }, { via: 'bot' });
      });
      expect(posted.message.author?.name).toBe(name);
      const events = await f.uc.readEvents(posted.ticket.id, 0, 10);
      const last = events.find((e) => e.type === 'message.created' && e.seq === posted.message.seq);
      expect(last?.data).toEqual({ message: posted.message });
    }
    await expect(f.uc.transaction((t) => t.claimTelegramUpdate(2))).resolves.toBe(false);
    const stored = await f.client.db.$client.query('select count(*)::int as n from pg_prepared_statements');
    expect(stored.rows[0].n).toBeGreaterThan(0);
  });

  it('uses the profile written in the same transaction as the author, renamed or not', async () => {
    const message = await f.uc.transaction(async (t) => {
      const first = await t.upsertUser(profile(7100, 'Before'));
      const actor = { id: first.id, role: first.role };
      const created = await t.createTicket(actor, { subject: 'Rename', body: 'x' });
      await t.upsertUser(profile(7100, 'After'));
      return (await t.postMessage(actor, created.ticket.id, { body: 'y' })).message;
    });
    expect(message.author?.name).toBe('After');
  });

  it('reads the author from the database when the transaction did not write them', async () => {
    const user = await f.uc.upsertUser(profile(7200, 'Outside'));
    const actor = { id: user.id, role: user.role };
    const created = await f.uc.createTicket(actor, { subject: 'Outside', body: 'x' });
    const posted = await f.uc.postMessage(actor, created.ticket.id, { body: 'y' });
    expect(posted.message.author).toMatchObject({ id: 7200, name: 'Outside', role: 'customer' });
  });

  it('keeps state reads and Telegram links per value', async () => {
    await f.uc.setState('a', { n: 1 });
    await f.uc.setState('b', { n: 2 });
    await expect(f.uc.transaction((t) => t.getState('a'))).resolves.toEqual({ n: 1 });
    await expect(f.uc.transaction((t) => t.getState('b'))).resolves.toEqual({ n: 2 });
    const user = await f.uc.upsertUser(profile(7300, 'Link'));
    const { ticket, message } = await f.uc.createTicket(
      { id: user.id, role: user.role },
      { subject: 'L', body: 'l' },
    );
    await f.uc.transaction((t) =>
      t.linkTelegramMessage({
        chatId: 7300,
        telegramMessageId: 1,
        ticketId: ticket.id,
        messageId: message.id,
      }),
    );
    await f.uc.transaction((t) =>
      t.linkTelegramMessage({ chatId: 7300, telegramMessageId: 2, ticketId: ticket.id }),
    );
    await expect(f.uc.findTelegramLink(7300, 1)).resolves.toMatchObject({ messageId: message.id });
    await expect(f.uc.findTelegramLink(7300, 2)).resolves.toMatchObject({
      messageId: null,
      ticketId: ticket.id,
    });
  });

  it('upserts on the prepared statement: profile replaced, chat kept when not given, roles kept unless admin by configuration', async () => {
    const first = await f.uc.upsertUser(
      { id: 7400, first_name: 'Old', last_name: 'Name', username: 'old', language_code: 'ru' },
      { botChatId: 7400 },
    );
    expect(first.role).toBe('customer');
    const renamed = await f.uc.upsertUser({ id: 7400, first_name: 'New' });
    expect(renamed).toMatchObject({ firstName: 'New', lastName: null, username: null, languageCode: null });
    await expect(f.uc.getBotChatId(7400)).resolves.toBe(7400);
    await f.uc.upsertUser({ id: 7400, first_name: 'New' }, { botChatId: 9999 });
    await expect(f.uc.getBotChatId(7400)).resolves.toBe(9999);
    await f.client.db.$client.query(`update users set role = 'agent' where id = 7400`);
    await expect(f.uc.upsertUser({ id: 7400, first_name: 'New' })).resolves.toMatchObject({ role: 'agent' });
    await expect(
      f.uc.upsertUser({ id: 7400, first_name: 'New' }, { adminIds: [7400] }),
    ).resolves.toMatchObject({
      role: 'admin',
    });
    await expect(f.uc.upsertUser({ id: 7400, first_name: 'New' })).resolves.toMatchObject({ role: 'admin' });
    await expect(
      f.uc.upsertUser({ id: 7401, first_name: 'Fresh' }, { adminIds: [7401] }),
    ).resolves.toMatchObject({
      role: 'admin',
    });
  });
});
