import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '@tikethet/domain';
import { type DbFixture, makeUser, setupDb } from './helpers';

let f: DbFixture;
beforeAll(async () => {
  f = await setupDb('usecases');
});
afterAll(async () => {
  await f.close();
});

async function fieldOf(promise: Promise<unknown>): Promise<string[]> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ValidationError) return error.issues.map((i) => i.path);
    throw error;
  }
  throw new Error('expected a ValidationError');
}

describe('validation names the field', () => {
  it('for every use-case', async () => {
    const customer = await makeUser(f.uc);
    const admin = await makeUser(f.uc, 'admin');
    const agent = await makeUser(f.uc, 'agent');
    const { ticket } = await f.uc.createTicket(customer, { subject: 'Valid', body: 'x' });
    expect(await fieldOf(f.uc.createTicket(customer, { subject: '', body: 'x' }))).toEqual(['subject']);
    expect(await fieldOf(f.uc.createTicket(customer, { subject: 's', body: 'x', categoryId: 999 }))).toEqual([
      'categoryId',
    ]);
    expect(await fieldOf(f.uc.postMessage(customer, ticket.id, { body: ' ' }))).toEqual(['body']);
    expect(
      await fieldOf(f.uc.postMessage(customer, ticket.id, { body: 'x', clientMessageId: 'bad id!' })),
    ).toEqual(['clientMessageId']);
    expect(await fieldOf(f.uc.updateTicket(agent, ticket.id, { status: 'open' } as never))).toEqual([
      'version',
    ]);
    expect(
      await fieldOf(f.uc.updateTicket(agent, ticket.id, { version: 1, priority: 'asap' } as never)),
    ).toEqual(['priority']);
    expect(
      await fieldOf(f.uc.updateTicket(agent, ticket.id, { version: 1, assigneeId: customer.id })),
    ).toEqual(['assigneeId']);
    expect(await fieldOf(f.uc.rateTicket(customer, ticket.id, { score: 6 }))).toEqual(['score']);
    expect(await fieldOf(f.uc.setRole(admin, customer.id, 'owner' as never))).toEqual(['role']);
    expect(await fieldOf(f.uc.upsertUser({ id: -1, first_name: 'x' }))).toEqual(['user.id']);
    expect(await fieldOf(f.uc.createCategory(admin, { name: '' }))).toEqual(['name']);
    expect(
      await fieldOf(f.uc.createCannedReply(agent, { shortcut: 'Bad Shortcut', title: 't', body: 'b' })),
    ).toEqual(['shortcut']);
    expect(await fieldOf(f.uc.listTickets(agent, { limit: '1000' }))).toEqual(['limit']);
    expect(await fieldOf(f.uc.listTickets(agent, { cursor: 'garbage' }))).toEqual(['cursor']);
    expect(await fieldOf(f.uc.listTickets(agent, { role: 'admin' }))).toEqual(['role']);
    expect(await fieldOf(f.uc.listMessages(agent, ticket.id, { after: '-1' }))).toEqual(['after']);
    expect(await fieldOf(f.uc.editMessage(customer, 1, ''))).toEqual(['body']);
  });
});

describe('tickets', () => {
  it('follows the state machine and optimistic versions', async () => {
    const customer = await makeUser(f.uc);
    const agent = await makeUser(f.uc, 'agent');
    const { ticket } = await f.uc.createTicket(customer, { subject: 'Flow', body: 'help' });
    expect(ticket.status).toBe('new');
    const replied = await f.uc.postMessage(agent, ticket.id, { body: 'on it' });
    expect(replied.ticket.status).toBe('open');
    expect(replied.ticket.firstResponseAt).not.toBeNull();
    const pending = await f.uc.updateTicket(agent, ticket.id, {
      status: 'pending',
      version: replied.ticket.version,
    });
    await expect(
      f.uc.updateTicket(agent, ticket.id, { status: 'resolved', version: replied.ticket.version }),
    ).rejects.toMatchObject({
      code: 'version_conflict',
    });
    const reopened = await f.uc.postMessage(customer, ticket.id, { body: 'still broken' });
    expect(reopened.ticket.status).toBe('open');
    const resolved = await f.uc.updateTicket(agent, ticket.id, {
      status: 'resolved',
      version: reopened.ticket.version,
    });
    expect(resolved.resolvedAt).not.toBeNull();
    expect(pending.version).toBeLessThan(resolved.version);
    const rating = await f.uc.rateTicket(customer, ticket.id, { score: 5, comment: 'спасибо' });
    expect(rating.score).toBe(5);
    const closed = await f.uc.updateTicket(customer, ticket.id, {
      status: 'closed',
      version: resolved.version + 1,
    });
    expect(closed.status).toBe('closed');
    await expect(f.uc.postMessage(customer, ticket.id, { body: 'hello?' })).rejects.toMatchObject({
      code: 'invalid_transition',
    });
    await expect(
      f.uc.updateTicket(agent, ticket.id, { status: 'pending', version: closed.version }),
    ).rejects.toMatchObject({
      code: 'invalid_transition',
    });
  });

  it('guards every decision from the wrong side', async () => {
    const owner = await makeUser(f.uc);
    const other = await makeUser(f.uc);
    const agent = await makeUser(f.uc, 'agent');
    const { ticket } = await f.uc.createTicket(owner, { subject: 'Mine', body: 'x' });
    await expect(f.uc.getTicket(other, ticket.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(f.uc.listMessages(other, ticket.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(f.uc.postMessage(other, ticket.id, { body: 'hi' })).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      f.uc.updateTicket(other, ticket.id, { status: 'closed', version: 1 }),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(f.uc.postMessage(owner, ticket.id, { body: 'psst', internal: true })).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    await expect(
      f.uc.updateTicket(owner, ticket.id, { priority: 'urgent', version: 1 }),
    ).rejects.toBeInstanceOf(ForbiddenError);
    await expect(
      f.uc.updateTicket(owner, ticket.id, { status: 'pending', version: 1 }),
    ).rejects.toBeInstanceOf(ForbiddenError);
    await expect(f.uc.claimTicket(owner, ticket.id)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(f.uc.rateTicket(agent, ticket.id, { score: 1 })).rejects.toBeInstanceOf(ForbiddenError);
    await expect(f.uc.rateTicket(owner, ticket.id, { score: 1 })).rejects.toBeInstanceOf(ConflictError);
    await expect(f.uc.setRole(agent, owner.id, 'admin')).rejects.toBeInstanceOf(ForbiddenError);
    await expect(f.uc.getStats(owner)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(f.uc.listCannedReplies(owner)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(f.uc.claimTicket(agent, 999_999)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('hides internal notes from the customer everywhere', async () => {
    const owner = await makeUser(f.uc);
    const agent = await makeUser(f.uc, 'agent');
    const { ticket } = await f.uc.createTicket(owner, { subject: 'Notes', body: 'x' });
    await f.uc.postMessage(agent, ticket.id, { body: 'secret note', internal: true });
    await f.uc.postMessage(agent, ticket.id, { body: 'public reply' });
    const seen = await f.uc.listMessages(owner, ticket.id);
    expect(seen.map((m) => m.body)).toEqual(['x', 'public reply']);
    const staff = await f.uc.listMessages(agent, ticket.id);
    expect(staff.map((m) => m.kind)).toEqual(['customer', 'note', 'agent']);
    const listed = await f.uc.listTickets(owner, {});
    expect(listed.items.find((t) => t.id === ticket.id)?.lastMessagePreview).toBe('public reply');
    expect(listed.items.find((t) => t.id === ticket.id)?.customer).toMatchObject({
      id: owner.id,
      firstName: 'Test',
    });
    expect((await f.uc.listTickets(owner, { q: 'secret' })).items).toEqual([]);
    const events = await f.uc.readEvents(ticket.id, 0);
    expect(events.filter((e) => e.internal).map((e) => e.type)).toEqual(['message.created']);
  });

  it('counts unread messages from the other side', async () => {
    const owner = await makeUser(f.uc);
    const agent = await makeUser(f.uc, 'agent');
    const { ticket } = await f.uc.createTicket(owner, { subject: 'Unread', body: 'x' });
    await f.uc.postMessage(agent, ticket.id, { body: 'one' });
    const two = await f.uc.postMessage(agent, ticket.id, { body: 'two' });
    const unread = async () =>
      (await f.uc.listTickets(owner, {})).items.find((t) => t.id === ticket.id)?.unread;
    expect(await unread()).toBe(2);
    await f.uc.markRead(owner, ticket.id, two.message.seq);
    expect(await unread()).toBe(0);
  });
});

describe('listTickets', () => {
  it('filters, searches in Russian and English, and pages with a cursor', async () => {
    const owner = await makeUser(f.uc);
    const agent = await makeUser(f.uc, 'agent');
    const ru = await f.uc.createTicket(owner, {
      subject: 'Не проходит оплата картой',
      body: 'Платёж отклонён',
    });
    const en = await f.uc.createTicket(owner, {
      subject: 'Cannot log in',
      body: 'The passwords are rejected',
    });
    await f.uc.claimTicket(agent, en.ticket.id);
    const ids = (page: { items: Array<{ id: number }> }) => page.items.map((t) => t.id);
    expect(ids(await f.uc.listTickets(agent, { q: 'оплаты', customer: String(owner.id) }))).toEqual([
      ru.ticket.id,
    ]);
    expect(ids(await f.uc.listTickets(agent, { q: 'платежи', customer: String(owner.id) }))).toEqual([
      ru.ticket.id,
    ]);
    expect(ids(await f.uc.listTickets(agent, { q: 'password', customer: String(owner.id) }))).toEqual([
      en.ticket.id,
    ]);
    expect(ids(await f.uc.listTickets(agent, { q: `#${en.ticket.id}` }))).toEqual([en.ticket.id]);
    // Words of later replies are found; words only in an internal note by staff only, never by the
    // customer; an edit's new words are found and its old ones no longer.
    await f.uc.postMessage(agent, en.ticket.id, { body: 'Try the kaleidoscope reset link' });
    await f.uc.postMessage(agent, en.ticket.id, { body: 'Customer sounds like a platypus', internal: true });
    const reply = await f.uc.postMessage(owner, en.ticket.id, { body: 'The marmalade button is grey' });
    expect(ids(await f.uc.listTickets(owner, { q: 'kaleidoscope' }))).toEqual([en.ticket.id]);
    expect(ids(await f.uc.listTickets(agent, { q: 'marmalade' }))).toEqual([en.ticket.id]);
    expect(ids(await f.uc.listTickets(agent, { q: 'platypus' }))).toEqual([en.ticket.id]);
    expect(ids(await f.uc.listTickets(owner, { q: 'platypus' }))).toEqual([]);
    await f.uc.editMessage(owner, reply.message.id, 'The tangerine button is grey');
    expect(ids(await f.uc.listTickets(agent, { q: 'tangerine' }))).toEqual([en.ticket.id]);
    expect(ids(await f.uc.listTickets(agent, { q: 'marmalade' }))).toEqual([]);
    expect(ids(await f.uc.listTickets(agent, { assignee: 'me' }))).toEqual([en.ticket.id]);
    expect(ids(await f.uc.listTickets(agent, { assignee: 'none', customer: String(owner.id) }))).toEqual([
      ru.ticket.id,
    ]);
    expect(ids(await f.uc.listTickets(agent, { status: 'open', customer: String(owner.id) }))).toEqual([
      en.ticket.id,
    ]);
    // Cursor pagination walks every ticket exactly once.
    for (let i = 0; i < 7; i += 1) await f.uc.createTicket(owner, { subject: `Bulk ${i}`, body: 'x' });
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: Array<{ id: number }>; nextCursor: string | null } = await f.uc.listTickets(
        owner,
        {
          limit: '3',
          ...(cursor ? { cursor } : {}),
        },
      );
      seen.push(...ids(page));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(9);
    expect(new Set(seen).size).toBe(9);
    const other = await makeUser(f.uc);
    expect((await f.uc.listTickets(other, {})).items).toEqual([]);
  });
});

describe('roles, catalog, stats, telegram', () => {
  it('sets roles (admins only, never their own) and announces it', async () => {
    const admin = await makeUser(f.uc, 'admin');
    const user = await makeUser(f.uc);
    const updated = await f.uc.setRole(admin, user.id, 'agent');
    expect(updated.role).toBe('agent');
    await f.uc.flush();
    expect(f.bus.published).toContainEqual({ kind: 'role_changed', userId: user.id, role: 'agent' });
    await expect(f.uc.setRole(admin, admin.id, 'customer')).rejects.toBeInstanceOf(ConflictError);
    await expect(f.uc.setRole(admin, 42, 'agent')).rejects.toBeInstanceOf(NotFoundError);
    // A profile update never changes the role.
    const again = await f.uc.upsertUser({ id: user.id, first_name: 'Renamed' });
    expect(again.role).toBe('agent');
    const staff = await f.uc.listUsers(admin, { roles: ['agent', 'admin'] });
    expect(staff.map((u) => u.id)).toContain(user.id);
  });

  it('manages categories and canned replies with the right owners', async () => {
    const admin = await makeUser(f.uc, 'admin');
    const agent = await makeUser(f.uc, 'agent');
    const agent2 = await makeUser(f.uc, 'agent');
    const customer = await makeUser(f.uc);
    const cat = await f.uc.createCategory(admin, { name: 'Оплата' });
    await expect(f.uc.createCategory(admin, { name: 'Оплата' })).rejects.toMatchObject({ code: 'conflict' });
    await expect(f.uc.createCategory(agent, { name: 'X' })).rejects.toBeInstanceOf(ForbiddenError);
    expect((await f.uc.listCategories(customer)).map((c) => c.id)).toContain(cat.id);
    await f.uc.archiveCategory(admin, cat.id);
    expect((await f.uc.listCategories(customer)).map((c) => c.id)).not.toContain(cat.id);
    const shared = await f.uc.createCannedReply(admin, {
      shortcut: 'hello',
      title: 'Hi',
      body: 'Здравствуйте!',
      shared: true,
    });
    const own = await f.uc.createCannedReply(agent, { shortcut: 'mine', title: 'Mine', body: 'x' });
    await expect(
      f.uc.createCannedReply(agent, { shortcut: 's', title: 't', body: 'b', shared: true }),
    ).rejects.toBeInstanceOf(ForbiddenError);
    expect((await f.uc.listCannedReplies(agent)).map((r) => r.id)).toEqual(
      expect.arrayContaining([shared.id, own.id]),
    );
    expect((await f.uc.listCannedReplies(agent2)).map((r) => r.id)).not.toContain(own.id);
    await expect(f.uc.updateCannedReply(agent2, own.id, { body: 'hijack' })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(f.uc.updateCannedReply(agent, shared.id, { body: 'edit' })).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    await f.uc.deleteCannedReply(agent, own.id);
    expect((await f.uc.listCannedReplies(agent)).map((r) => r.id)).not.toContain(own.id);
  });

  it('computes stats', async () => {
    const agent = await makeUser(f.uc, 'agent');
    const stats = await f.uc.getStats(agent);
    expect(stats.perDay).toHaveLength(30);
    expect(stats.open + stats.new + stats.pending + stats.resolved + stats.closed).toBeGreaterThan(0);
    expect(stats.firstResponseMedianMs).not.toBeNull();
    expect(stats.csat.count).toBeGreaterThan(0);
  });

  it('claims each Telegram update once, even concurrently', async () => {
    const customer = await makeUser(f.uc);
    const outcomes = await Promise.all(
      Array.from({ length: 50 }, () =>
        f.uc.transaction(async (t) => {
          if (!(await t.claimTelegramUpdate(777_001))) return false;
          await t.createTicket(customer, { subject: 'From Telegram', body: 'once' }, { source: 'bot' });
          return true;
        }),
      ),
    );
    expect(outcomes.filter(Boolean)).toHaveLength(1);
    const mine = await f.uc.listTickets(customer, {});
    expect(mine.items).toHaveLength(1);
  });

  it('names the newest event (where a new reader of the log starts) and pings the database', async () => {
    const customer = await makeUser(f.uc);
    await f.uc.createTicket(customer, { subject: 'Newest', body: 'last one' });
    const newest = await f.uc.lastEventId();
    expect(await f.uc.readEventsSince(newest)).toEqual([]);
    const before = await f.uc.readEventsSince(newest - 1);
    expect(before.map((e) => [e.id, e.type])).toEqual([[newest, 'message.created']]);
    expect(await f.client.ping()).toBe(true);
  });

  it('records edits keeping the original', async () => {
    const customer = await makeUser(f.uc);
    const { message } = await f.uc.createTicket(customer, { subject: 'Edit', body: 'tpyo' });
    const edited = await f.uc.editMessage(customer, message.id, 'typo');
    expect(edited).toMatchObject({ body: 'typo', originalBody: 'tpyo' });
    const twice = await f.uc.editMessage(customer, message.id, 'typo!');
    expect(twice.originalBody).toBe('tpyo');
    expect(twice.editedAt).not.toBeNull();
    // The edit is announced like any change: a message.updated event carrying the new text.
    const events = await f.uc.readEvents(message.ticketId, 0);
    expect(events.filter((e) => e.type === 'message.updated')).toHaveLength(2);
  });
});
