import { waitFor } from '@tikethet/testkit';
import { sql } from 'drizzle-orm';
import { type DbFixture, makeUser, setupDb } from './helpers';

let f: DbFixture;
beforeAll(async () => {
  f = await setupDb('outbox_record');
});
afterAll(async () => {
  await f.close();
});

interface OutboxState {
  status: string;
  attempts: number;
  telegram_message_id: number | null;
  last_error: string | null;
  sent: boolean;
}

/** An agent's reply from the Mini App (delivery `pending`) queued for the customer and claimed by a worker. */
async function claimedReply(tag: string) {
  const customer = await makeUser(f.uc);
  const agent = await makeUser(f.uc, 'agent');
  const { ticket } = await f.uc.createTicket(customer, { subject: tag, body: 'help' });
  return claimedReplyOn({ customer, agent, ticketId: ticket.id }, tag);
}

type TestUser = Awaited<ReturnType<typeof makeUser>>;

/** Another such reply on the same ticket. */
async function claimedReplyOn(on: { customer: TestUser; agent: TestUser; ticketId: number }, tag: string) {
  const { customer, agent, ticketId } = on;
  const { message } = await f.uc.postMessage(agent, ticketId, { body: `reply ${tag}` });
  expect(message.delivery).toBe('pending');
  await f.uc.enqueueTelegram({
    chatId: customer.id,
    method: 'sendMessage',
    payload: { text: `reply ${tag}` },
    ticketId,
    messageId: message.id,
    dedupeKey: `reply:${message.id}`,
  });
  const [row] = await query<{ id: number }>(
    sql`update telegram_outbox set status = 'sending' where dedupe_key = ${`reply:${message.id}`} returning id`,
  );
  await f.uc.flush();
  return {
    customer,
    agent,
    chatId: customer.id,
    ticketId,
    messageId: message.id,
    outboxId: row?.id ?? 0,
  };
}

async function query<T>(statement: ReturnType<typeof sql>): Promise<T[]> {
  return (await f.client.db.execute(statement)).rows as T[];
}

async function outboxState(id: number): Promise<OutboxState | undefined> {
  const [row] = await query<OutboxState>(
    sql`select status, attempts, telegram_message_id::float8 as telegram_message_id, last_error,
        sent_at is not null as sent from telegram_outbox where id = ${id}`,
  );
  return row;
}

async function deliveryOf(messageId: number) {
  const [row] = await query<{ delivery: string }>(sql`select delivery from messages where id = ${messageId}`);
  return row?.delivery;
}

/** The message.updated events of a message that reached the bus, as the delivery they carry. */
function publishedDeliveries(messageId: number) {
  return f.bus.published.flatMap((m) =>
    m.kind === 'event' && m.event.type === 'message.updated' && m.event.data.message.id === messageId
      ? [m.event.data.message.delivery]
      : [],
  );
}

/** Runs `fn` while every row written to `table` raises (a test-only trigger in this file's own database). */
async function withFailingInsert<T>(table: 'events' | 'telegram_messages', fn: () => Promise<T>) {
  await f.client.db.execute(sql`
    create or replace function tt_injected_failure() returns trigger language plpgsql as $$
    begin raise exception 'injected failure'; end $$`);
  await f.client.db.execute(
    sql.raw(
      `create trigger tt_fail before insert on ${table} for each row execute function tt_injected_failure()`,
    ),
  );
  try {
    return await fn();
  } finally {
    await f.client.db.execute(sql.raw(`drop trigger tt_fail on ${table}`));
  }
}

describe('recordTelegramSent: the outbox row, its Telegram link and the delivery in one transaction', () => {
  it('marks the row sent, links the Telegram message to the ticket and message, and publishes delivery sent', async () => {
    const r = await claimedReply('sent');
    const { lastSeq } = (await f.uc.findTicket(r.ticketId)) ?? { lastSeq: -1 };
    await f.uc.recordTelegramSent(r.outboxId, 9001);
    expect(await outboxState(r.outboxId)).toEqual({
      status: 'sent',
      attempts: 1,
      telegram_message_id: 9001,
      last_error: null,
      sent: true,
    });
    // A reply to the Telegram message maps back to this ticket and message.
    expect(await f.uc.findTelegramLink(r.chatId, 9001)).toMatchObject({
      ticketId: r.ticketId,
      messageId: r.messageId,
    });
    expect(await deliveryOf(r.messageId)).toBe('sent');
    expect((await f.uc.findTicket(r.ticketId))?.lastSeq).toBe(lastSeq + 1);
    await f.uc.flush();
    expect(publishedDeliveries(r.messageId)).toEqual(['sent']);
  });

  it('a row already sent is final: a repeated send, or a failure reported later, changes nothing', async () => {
    const r = await claimedReply('final');
    await f.uc.recordTelegramSent(r.outboxId, 9201);
    await f.uc.flush();
    const ticketAfter = await f.uc.findTicket(r.ticketId);
    const published = f.bus.published.length;
    // A worker whose lease ran out sent it again, then another one's attempt failed for good.
    await f.uc.recordTelegramSent(r.outboxId, 9202);
    await f.uc.recordTelegramFailed(r.outboxId, 'Forbidden: bot was blocked by the user');
    await f.uc.flush();
    expect(await outboxState(r.outboxId)).toEqual({
      status: 'sent',
      attempts: 1,
      telegram_message_id: 9201,
      last_error: null,
      sent: true,
    });
    expect(await deliveryOf(r.messageId)).toBe('sent');
    expect((await f.uc.findTicket(r.ticketId))?.lastSeq).toBe(ticketAfter?.lastSeq);
    expect(f.bus.published.length).toBe(published);
  });

  it.each([
    ['the delivery event', 'events'],
    ['the Telegram link (the last write)', 'telegram_messages'],
  ] as const)('a failure in %s leaves none of the writes applied and publishes nothing', async (_, table) => {
    const r = await claimedReply(`fault-${table}`);
    const ticketBefore = await f.uc.findTicket(r.ticketId);
    const published = f.bus.published.length;
    const failure = await withFailingInsert(table, () =>
      f.uc.recordTelegramSent(r.outboxId, 9100).then(
        () => null,
        (error: unknown) => error as { cause?: { message?: string } },
      ),
    );
    expect(failure?.cause?.message).toMatch(/injected failure/);
    await f.uc.flush();
    // Still the worker's row to send again (after its lease), not half-recorded.
    expect(await outboxState(r.outboxId)).toEqual({
      status: 'sending',
      attempts: 0,
      telegram_message_id: null,
      last_error: null,
      sent: false,
    });
    expect(await f.uc.findTelegramLink(r.chatId, 9100)).toBeNull();
    expect(await deliveryOf(r.messageId)).toBe('pending');
    expect((await f.uc.findTicket(r.ticketId))?.lastSeq).toBe(ticketBefore?.lastSeq);
    expect(f.bus.published.length).toBe(published);
    // Once the fault is gone the same call records everything.
    await f.uc.recordTelegramSent(r.outboxId, 9100);
    expect((await outboxState(r.outboxId))?.status).toBe('sent');
    expect(await f.uc.findTelegramLink(r.chatId, 9100)).not.toBeNull();
    expect(await deliveryOf(r.messageId)).toBe('sent');
  });

  it('two sends of one ticket recorded at once both commit (no lock upgrade between them)', async () => {
    const first = await claimedReply('pair');
    const second = await claimedReplyOn(first, 'pair-2');
    // A writer that holds the ticket without blocking foreign keys to it (the message writer's bump takes this
    // lock): both recordings queue behind it for the ticket lock, and must not deadlock once it commits.
    const holder = await f.client.db.$client.connect();
    let recorded: Promise<unknown[]> | undefined;
    try {
      await holder.query('begin');
      await holder.query('select 1 from tickets where id = $1 for no key update', [first.ticketId]);
      recorded = Promise.allSettled([
        f.uc.recordTelegramSent(first.outboxId, 9401),
        f.uc.recordTelegramSent(second.outboxId, 9402),
      ]);
      await waitFor(
        async () =>
          (
            await query<{ n: number }>(
              sql`select count(*)::int as n from pg_stat_activity
                  where datname = current_database() and wait_event_type = 'Lock'`,
            )
          )[0]?.n === 2,
        { description: 'both recordings wait for the ticket' },
      );
      await holder.query('commit');
    } finally {
      holder.release();
    }
    // A deadlock would show as a rejection with code 40P01.
    const outcomes = ((await recorded) as PromiseSettledResult<void>[]).map((r) =>
      r.status === 'fulfilled'
        ? 'recorded'
        : ((r.reason as { cause?: { code?: string } }).cause?.code ?? r.reason),
    );
    expect(outcomes).toEqual(['recorded', 'recorded']);
    for (const [r, telegramMessageId] of [
      [first, 9401],
      [second, 9402],
    ] as const) {
      expect((await outboxState(r.outboxId))?.status).toBe('sent');
      expect(await deliveryOf(r.messageId)).toBe('sent');
      expect(await f.uc.findTelegramLink(r.chatId, telegramMessageId)).toMatchObject({
        ticketId: r.ticketId,
        messageId: r.messageId,
      });
    }
  });

  it('a call without a message (a notice) or without a Telegram message id writes only what applies', async () => {
    const r = await claimedReply('notice');
    await f.uc.enqueueTelegram({
      chatId: r.chatId,
      method: 'sendMessage',
      payload: { text: 'status notice' },
      ticketId: r.ticketId,
      dedupeKey: `notice:${r.ticketId}`,
    });
    await f.uc.enqueueTelegram({
      chatId: r.chatId,
      method: 'answerCallbackQuery',
      payload: { callback_query_id: 'q' },
      dedupeKey: `answer:${r.ticketId}`,
    });
    const ids = await query<{ id: number }>(
      sql`update telegram_outbox set status = 'sending'
          where dedupe_key in (${`notice:${r.ticketId}`}, ${`answer:${r.ticketId}`}) returning id`,
    );
    const [notice, answer] = ids.map((row) => row.id).sort((a, b) => a - b);
    const { lastSeq } = (await f.uc.findTicket(r.ticketId)) ?? { lastSeq: -1 };
    await f.uc.recordTelegramSent(notice ?? 0, 9200);
    await f.uc.recordTelegramSent(answer ?? 0, null);
    expect(await f.uc.findTelegramLink(r.chatId, 9200)).toMatchObject({
      ticketId: r.ticketId,
      messageId: null,
    });
    expect((await outboxState(notice ?? 0))?.status).toBe('sent');
    expect(await outboxState(answer ?? 0)).toMatchObject({ status: 'sent', telegram_message_id: null });
    // The reply itself was not this row's: its delivery and the ticket's seq are untouched.
    expect(await deliveryOf(r.messageId)).toBe('pending');
    expect((await f.uc.findTicket(r.ticketId))?.lastSeq).toBe(lastSeq);
  });
});

describe('recordTelegramFailed: the outbox row and the failed delivery in one transaction', () => {
  it('marks the row failed with its error and the message failed, published after commit', async () => {
    const r = await claimedReply('failed');
    await f.uc.recordTelegramFailed(r.outboxId, `403: ${'x'.repeat(1200)}`);
    const state = await outboxState(r.outboxId);
    expect(state).toMatchObject({ status: 'failed', attempts: 1, sent: false });
    expect(state?.last_error).toHaveLength(1000);
    expect(await deliveryOf(r.messageId)).toBe('failed');
    await f.uc.flush();
    expect(publishedDeliveries(r.messageId)).toEqual(['failed']);
  });

  it('a failure in the delivery event leaves the row as it was', async () => {
    const r = await claimedReply('failed-fault');
    await expect(
      withFailingInsert('events', () => f.uc.recordTelegramFailed(r.outboxId, '403: blocked')),
    ).rejects.toThrow();
    expect(await outboxState(r.outboxId)).toMatchObject({ status: 'sending', attempts: 0, last_error: null });
    expect(await deliveryOf(r.messageId)).toBe('pending');
  });
});
