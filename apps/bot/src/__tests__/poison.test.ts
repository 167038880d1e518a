import { createLogger } from '@tikethet/config';
import type { UseCases } from '@tikethet/db';
import {
  makeDocumentUpdate,
  makeTextUpdate,
  type TgMessage,
  type TgUpdate,
  waitFor,
} from '@tikethet/testkit';
import type { Telegraf } from 'telegraf';
import type { Update } from 'telegraf/types';
import type { BotContext } from '../inbound/context';
import { createUpdateProcessor, type UpdateOutcome } from '../inbound/process-update';
import { createMetrics } from '../metrics';
import { type Harness, lastSent, newUserId, startHarness, textOf } from './helpers/harness';

/**
 * Issue 13 item 8: one user's update never stops the bot for everyone. What Postgres or Telegram cannot take
 * (NUL, lone surrogates, text too long in UTF-16 units) is cleaned where an update comes in; an update that
 * still fails for a reason other than an unreachable database is kept as a dead letter and acknowledged.
 */

/** An update from `from` whose private chat id no bigint can hold: it fails in Postgres whatever is cleaned. */
function unstorable(from: { id: number; first_name: string }, text: string): TgUpdate {
  const update = makeTextUpdate({ from, text });
  const message = update.message as TgMessage;
  return { ...update, message: { ...message, chat: { ...message.chat, id: 2 ** 70 } } };
}

describe.each(['webhook', 'polling'] as const)('%s: poison updates', (mode) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(mode, {}, 'poison');
  });
  afterAll(async () => {
    await h.close();
  });

  const ticketsOf = (customer: number) =>
    h.query<{ id: number; subject: string }>('select id, subject from tickets where customer_id = $1', [
      customer,
    ]);

  it('a user named "a\\u0000b" (and a lone surrogate) gets a ticket under the cleaned name; the next user is served', async () => {
    const poisoned = newUserId();
    await h.send(
      makeTextUpdate({
        from: { id: poisoned, first_name: 'a\u0000b', last_name: 'x\ud800', username: 'u\u0000' },
        text: 'My order is late',
      }),
    );
    expect(
      await h.query('select first_name, last_name, username from users where id = $1', [poisoned]),
    ).toEqual([{ first_name: 'ab', last_name: 'x\ufffd', username: 'u' }]);
    expect(await ticketsOf(poisoned)).toEqual([{ id: expect.any(Number), subject: 'My order is late' }]);
    const next = newUserId();
    await h.send(makeTextUpdate({ from: { id: next }, text: 'Another problem' }));
    expect(await ticketsOf(next)).toHaveLength(1);
  });

  it('/start greets a name with a lone surrogate (the outbox payload is jsonb) under the cleaned name', async () => {
    const user = newUserId();
    await h.send(
      makeTextUpdate({ from: { id: user, first_name: 'Ann\udc00', language_code: 'en' }, text: '/start' }),
    );
    const greeting = await lastSent(h, user);
    expect(textOf(greeting)).toContain('Ann\ufffd');
  });

  it('/start greets a user whose whole name is a NUL', async () => {
    const user = newUserId();
    await h.send(
      makeTextUpdate({ from: { id: user, first_name: '\u0000', language_code: 'en' }, text: '/start' }),
    );
    await lastSent(h, user);
    expect(await h.query('select count(*)::int as n from dead_letters')).toEqual([{ n: 0 }]);
  });

  it('texts, captions and file names lose their NUL and lone surrogates and keep the rest', async () => {
    const customer = newUserId();
    await h.send(makeTextUpdate({ from: { id: customer }, text: 'he\u0000llo \ud83dworld' }));
    const [ticket] = await ticketsOf(customer);
    expect(ticket?.subject).toBe('hello \ufffdworld');
    await h.send(
      makeDocumentUpdate({ from: { id: customer }, fileName: 'bill\u0000.pdf', caption: 'the\u0000 bill' }),
    );
    expect(
      await h.query(
        `select m.body, a.file_name from messages m join attachments a on a.message_id = m.id
          where m.ticket_id = $1`,
        [ticket?.id],
      ),
    ).toEqual([{ body: 'the bill', file_name: 'bill.pdf' }]);
  });

  it('a text whose characters each take two UTF-16 units still opens a ticket (subject and body within limits)', async () => {
    const customer = newUserId();
    await h.send(makeTextUpdate({ from: { id: customer }, text: `Help ${'😀'.repeat(3000)}` }));
    const [ticket] = await ticketsOf(customer);
    expect(ticket?.subject.length).toBeLessThanOrEqual(200);
    const [message] = await h.query<{ body: string }>('select body from messages where ticket_id = $1', [
      ticket?.id,
    ]);
    expect(message?.body.length).toBeLessThanOrEqual(4000);
    expect(message?.body.startsWith('Help 😀😀')).toBe(true);
    expect(ticket?.subject.startsWith('Help 😀😀')).toBe(true);
  });

  it('every pairing of awkward names and texts is served, none kept as a dead letter', async () => {
    const awkward = [
      '\u0000',
      ' \u0000 x',
      '\ud800',
      'x\udc00',
      '😀\ud83d',
      `Ok ${'😀'.repeat(2500)}`,
      'x'.repeat(5000),
    ];
    const senders: number[] = [];
    for (const name of awkward) {
      for (const text of awkward) {
        const id = newUserId();
        senders.push(id);
        await h.send(
          makeTextUpdate({ from: { id, first_name: name, last_name: name, username: name }, text }),
        );
      }
    }
    expect(
      await h.query('select count(*)::int as n from users where id = any($1::bigint[])', [senders]),
    ).toEqual([{ n: senders.length }]);
    expect(await h.query('select count(*)::int as n from dead_letters')).toEqual([{ n: 0 }]);
  });

  it('an update that fails in Postgres anyway is kept as a dead letter and acknowledged; the next update is served', async () => {
    const poisoned = newUserId();
    const update = {
      update_id: 7_000_000 + (poisoned % 1_000_000),
      ...unstorable({ id: poisoned, first_name: 'a\u0000b' }, 'hello'),
    };
    await h.send(update);
    const letters = await h.query<{ update_id: string; error: string; update: Update.MessageUpdate }>(
      'select update_id::text, error, update from dead_letters where update_id = $1',
      [update.update_id],
    );
    expect(letters).toEqual([
      { update_id: String(update.update_id), error: expect.any(String), update: expect.anything() },
    ]);
    expect(letters[0]?.error).toMatch(/22P02|bigint/);
    // The raw update, cleaned so jsonb takes it.
    expect(letters[0]?.update.message.from.first_name).toBe('ab');
    expect(letters[0]?.update.message.chat.id).toBe(2 ** 70);
    const next = newUserId();
    await h.send(makeTextUpdate({ from: { id: next }, text: 'Still there?' }));
    expect(await ticketsOf(next)).toHaveLength(1);
    if (mode === 'polling') await waitFor(() => h.api.pendingUpdates().length === 0);
    // Delivered again (a webhook retry, a restart): a duplicate, not a second dead letter.
    if (mode === 'webhook') expect(await h.api.deliverWebhook(update)).toBe(200);
    expect(
      await h.query('select count(*)::int as n from dead_letters where update_id = $1', [update.update_id]),
    ).toEqual([{ n: 1 }]);
  });
});

describe.each(['webhook', 'polling'] as const)('%s: an unreachable database is not a dead letter', (mode) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(mode, {}, 'poison_db', { dbProxy: true });
  });
  afterAll(async () => {
    await h.close();
  });

  it('the update is refused (webhook 5xx, polling keeps its offset) and processed once Postgres is back', async () => {
    const proxy = h.proxy;
    if (!proxy) throw new Error('no proxy');
    const customer = newUserId();
    const update = makeTextUpdate({ from: { id: customer }, text: 'during the outage' });
    await proxy.setDown(true);
    proxy.killConnections();
    if (mode === 'webhook') {
      expect(await h.api.deliverWebhook(update)).toBeGreaterThanOrEqual(500);
    } else {
      const queued = h.api.pushUpdate(update);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(h.api.pendingUpdates().map((u) => u.update_id)).toContain(queued.update_id);
    }
    expect(
      await h.query('select count(*)::int as n from tickets where customer_id = $1', [customer]),
    ).toEqual([{ n: 0 }]);
    await proxy.setDown(false);
    if (mode === 'webhook') expect(await h.api.deliverWebhook(update)).toBe(200);
    await waitFor(
      async () => (await h.query('select 1 from tickets where customer_id = $1', [customer])).length === 1,
      { timeoutMs: 15_000, description: 'the ticket after recovery' },
    );
    expect(await h.query('select count(*)::int as n from dead_letters')).toEqual([{ n: 0 }]);
  });
});

describe('which failures are dead letters', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('webhook', {}, 'poison_classify');
  });
  afterAll(async () => {
    await h.close();
  });

  const logger = createLogger('poison-test');
  logger.level = 'silent';
  /** A processor whose handling fails with `error` while the database itself answers (unless `uc` says otherwise). */
  const failingWith = (error: unknown, uc: UseCases = h.uc) =>
    createUpdateProcessor({
      bot: {
        handleUpdate: async () => {
          throw error;
        },
      } as unknown as Telegraf<BotContext>,
      uc,
      logger,
      metrics: createMetrics(),
      outcomes: new WeakMap<object, UpdateOutcome>(),
    });
  const pgError = (code: string, message: string) => Object.assign(new Error(message), { code });
  let updateId = 8_100_000;

  it.each([
    ['a serialization failure', pgError('40001', 'could not serialize access')],
    ['a deadlock', pgError('40P01', 'deadlock detected')],
    ['a terminated backend', pgError('57P01', 'terminating connection due to administrator command')],
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })],
    ['too many connections', pgError('53300', 'sorry, too many clients already')],
  ])('%s is thrown (retried), nothing recorded', async (_what, error) => {
    updateId += 1;
    await expect(failingWith(error)({ update_id: updateId } as Update)).rejects.toBe(error);
    expect(await h.query('select 1 from dead_letters where update_id = $1', [updateId])).toEqual([]);
    expect(await h.query('select 1 from telegram_updates where update_id = $1', [updateId])).toEqual([]);
  });

  it.each([
    ['bad data', pgError('22021', 'invalid byte sequence for encoding "UTF8": 0x00')],
    ['a constraint', pgError('23503', 'violates foreign key constraint')],
    ['a bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
  ])('%s is a dead letter and the update is acknowledged', async (_what, error) => {
    updateId += 1;
    await expect(failingWith(error)({ update_id: updateId } as Update)).resolves.toBe('dead_letter');
    expect(await h.query('select error from dead_letters where update_id = $1', [updateId])).toEqual([
      { error: expect.stringContaining((error as Error).message) },
    ]);
    expect(await h.query('select 1 from telegram_updates where update_id = $1', [updateId])).toHaveLength(1);
  });

  it('a failure whose dead letter cannot be written either (the database went away) is retried', async () => {
    updateId += 1;
    const error = new TypeError('a bug');
    const gone: UseCases = {
      ...h.uc,
      recordDeadLetter: async () => {
        throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
      },
    };
    await expect(failingWith(error, gone)({ update_id: updateId } as Update)).rejects.toBe(error);
    expect(await h.query('select 1 from telegram_updates where update_id = $1', [updateId])).toEqual([]);
  });
});
