import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createOutboxQueue, OUTBOX_CLAIM_LOCK, OUTBOX_LEASE_MS } from '@tikethet/db';
import { makeTextUpdate, testRedisUrl, waitFor } from '@tikethet/testkit';
import { Redis } from 'ioredis';
import { type Bot, createBot } from '../create-bot';
import { type Harness, newUserId, startHarness } from './helpers/harness';

const texts = (h: Harness, chatId: number) =>
  h.api.sentMessages(chatId).map((m) => (m as { text?: string }).text ?? '');

async function enqueue(h: Harness, items: Array<{ chatId: number; text: string }>) {
  await h.uc.transaction(async (tx) => {
    for (const { chatId, text } of items) {
      await tx.enqueueTelegram({
        chatId,
        method: 'sendMessage',
        payload: { chat_id: chatId, text },
        dedupeKey: `t:${text}`,
      });
    }
  });
}

// Four times Telegram's rates (same limiter, proportionally faster) so 1,000 sends take seconds, not half a minute.
const rates = { global: 120, private: 4, groupPerMin: 80 };
const rateEnv = {
  BOT_RATE_GLOBAL_PER_S: String(rates.global),
  BOT_RATE_PRIVATE_PER_S: String(rates.private),
  BOT_RATE_GROUP_PER_MIN: String(rates.groupPerMin),
};

/** 1,000 messages to 100 chats (90 private, 10 groups), ten each, queued at once; resolves when all were sent. */
async function sendThousand(h: Harness, tag: string, firstChat: number) {
  const chats = Array.from({ length: 100 }, (_, i) =>
    i < 90 ? firstChat + i : -1_000_000_000_000 - firstChat - i,
  );
  await enqueue(
    h,
    Array.from({ length: 1000 }, (_, i) => {
      const chatId = chats[i % 100] ?? 0;
      return { chatId, text: `${tag} ${chatId} ${Math.floor(i / 100)}` };
    }),
  );
  await waitFor(() => h.api.sentMessages().length >= 1000, { timeoutMs: 60_000, intervalMs: 250 });
  return chats;
}

/** No window on the fake's clock held more than the limits; every chat got its ten, in order. */
function expectWithinLimits(h: Harness, chats: number[], tag: string) {
  expect(h.api.maxSendsInWindow(1000)).toBeLessThanOrEqual(rates.global);
  for (const chatId of chats) {
    if (chatId > 0) expect(h.api.maxSendsInWindow(1000, chatId)).toBeLessThanOrEqual(rates.private);
    else expect(h.api.maxSendsInWindow(60_000, chatId)).toBeLessThanOrEqual(rates.groupPerMin);
    expect(texts(h, chatId)).toEqual(Array.from({ length: 10 }, (_, n) => `${tag} ${chatId} ${n}`));
  }
}

describe('outbound queue: 429, outage, failures', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('webhook', {}, 'outq');
  });
  afterAll(async () => {
    await h.close();
  });

  it('waits out retry_after on 429 and the message still arrives', async () => {
    const chat = newUserId();
    h.api.failNext('sendMessage', 2, { errorCode: 429, retryAfter: 1 });
    await enqueue(h, [{ chatId: chat, text: 'after 429' }]);
    await waitFor(() => texts(h, chat).includes('after 429'), { timeoutMs: 15_000 });
    const calls = h.api.callsOf('sendMessage').filter((c) => c.params.chat_id === chat);
    expect(calls.map((c) => c.errorCode ?? 200)).toEqual([429, 429, 200]);
    expect((calls[1]?.at ?? 0) - (calls[0]?.at ?? 0)).toBeGreaterThanOrEqual(1000);
    expect(texts(h, chat)).toEqual(['after 429']);
  });

  it('loses nothing while the Bot API is down for 10 s', async () => {
    const chats = [newUserId(), newUserId(), newUserId(), -100_000 - newUserId()];
    h.api.setDown(true, { forMs: 10_000 });
    const items = chats.flatMap((chatId) =>
      [1, 2, 3, 4, 5].map((n) => ({ chatId, text: `down ${chatId} ${n}` })),
    );
    await enqueue(h, items);
    await waitFor(() => chats.every((c) => texts(h, c).length === 5), { timeoutMs: 45_000, intervalMs: 200 });
    for (const chatId of chats)
      expect(texts(h, chatId)).toEqual([1, 2, 3, 4, 5].map((n) => `down ${chatId} ${n}`));
    const states = await h.query(
      "select status, count(*)::int as n from telegram_outbox where payload->>'text' like 'down %' group by status",
    );
    expect(states).toEqual([{ status: 'sent', n: 20 }]);
  }, 60_000);

  it('a send whose recording fails once is recorded on the retry, not sent again when its lease runs out', async () => {
    const chat = newUserId();
    // The first attempt to mark this chat's row sent fails (a sequence: its count survives the rollback).
    await h.query('create sequence record_fails_once');
    await h.query(`create function fail_record_once() returns trigger language plpgsql as $$
      begin
        if new.chat_id = ${chat} and new.status = 'sent' and nextval('record_fails_once') = 1 then
          raise exception 'injected: recording failed';
        end if;
        return new;
      end $$`);
    await h.query(
      'create trigger fail_record_once before update on telegram_outbox for each row execute function fail_record_once()',
    );
    try {
      await enqueue(h, [{ chatId: chat, text: 'recorded on the retry' }]);
      await waitFor(
        async () =>
          (
            await h.query<{ status: string }>('select status from telegram_outbox where chat_id = $1', [chat])
          )[0]?.status === 'sent',
        { description: 'row recorded as sent' },
      );
      expect(await h.query("select nextval('record_fails_once')::int as n")).toEqual([{ n: 3 }]);
      expect(texts(h, chat)).toEqual(['recorded on the retry']);
    } finally {
      await h.query('drop trigger fail_record_once on telegram_outbox');
      await h.query('drop function fail_record_once()');
      await h.query('drop sequence record_fails_once');
    }
  });

  it('a sent reply is recorded whole: outbox row sent, delivery sent, and the link routes a reply to its ticket', async () => {
    const customer = newUserId();
    await h.uc.upsertUser({ id: customer, first_name: 'C', language_code: 'en' }, { botChatId: customer });
    const asCustomer = { id: customer, role: 'customer' } as const;
    const older = await h.uc.createTicket(asCustomer, { subject: 'older', body: 'first problem' });
    // The customer's latest open ticket is another one: only the link can route the reply to `older`.
    await h.uc.createTicket(asCustomer, { subject: 'newer', body: 'second problem' });
    const adminId = newUserId();
    await h.uc.upsertUser({ id: adminId, first_name: 'Admin' }, { adminIds: [adminId] });
    const reply = await h.uc.postMessage({ id: adminId, role: 'admin' }, older.ticket.id, {
      body: 'which browser?',
    });
    const delivered = await waitFor(() =>
      h.api.sentMessages(customer).find((m) => (m as { text?: string }).text?.includes('which browser?')),
    );
    await waitFor(
      async () =>
        (await h.query('select delivery from messages where id = $1', [reply.message.id]))[0]?.delivery ===
        'sent',
    );
    // Committed with the delivery, so already there: the row and the link.
    expect(
      await h.query(
        'select status, attempts, telegram_message_id::float8 as tg, last_error from telegram_outbox where message_id = $1',
        [reply.message.id],
      ),
    ).toEqual([{ status: 'sent', attempts: 1, tg: delivered.message_id, last_error: null }]);
    expect(
      await h.query(
        'select ticket_id, message_id::float8 as message_id from telegram_messages where chat_id = $1 and telegram_message_id = $2',
        [customer, delivered.message_id],
      ),
    ).toEqual([{ ticket_id: older.ticket.id, message_id: reply.message.id }]);
    await h.send(makeTextUpdate({ from: { id: customer }, text: 'Firefox', replyTo: delivered }));
    expect(await h.query('select ticket_id from messages where body = $1', ['Firefox'])).toEqual([
      { ticket_id: older.ticket.id },
    ]);
  });

  it('a failed delivery (blocked bot) is marked on the message so the agent sees it', async () => {
    const customer = newUserId();
    await h.uc.upsertUser({ id: customer, first_name: 'C', language_code: 'en' }, { botChatId: customer });
    const created = await h.uc.createTicket({ id: customer, role: 'customer' }, { subject: 'x', body: 'y' });
    const adminId = newUserId();
    await h.uc.upsertUser({ id: adminId, first_name: 'Admin' }, { adminIds: [adminId] });
    // Both the reply and the status notice (the first reply opens the ticket) meet the blocked chat.
    h.api.failNext('sendMessage', 2, {
      errorCode: 403,
      description: 'Forbidden: bot was blocked by the user',
    });
    const reply = await h.uc.postMessage({ id: adminId, role: 'admin' }, created.ticket.id, {
      body: 'hello?',
    });
    await waitFor(
      async () =>
        (await h.query('select delivery from messages where id = $1', [reply.message.id]))[0]?.delivery ===
        'failed',
      { timeoutMs: 10_000 },
    );
    expect(
      await h.query('select status, last_error from telegram_outbox where message_id = $1', [
        reply.message.id,
      ]),
    ).toEqual([{ status: 'failed', last_error: '403: Forbidden: bot was blocked by the user' }]);
  });
});

describe('outbound queue: limits', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('webhook', rateEnv, 'limits');
  });
  afterAll(async () => {
    await h.close();
  });

  it('1,000 messages to 100 chats never exceed the global, private and group limits', async () => {
    const chats = await sendThousand(h, 'm', 800_000_000);
    expectWithinLimits(h, chats, 'm');
  }, 90_000);
});

describe('outbound queue: several instances', () => {
  let h: Harness;
  let second: Bot;
  let secondRedis: Redis;
  let secondServer: http.Server;
  beforeAll(async () => {
    h = await startHarness('webhook', rateEnv, 'shared', { redis: true });
    // A second bot process on the same database, Bot API and Redis (webhook instances behind a balancer).
    secondRedis = new Redis(testRedisUrl(), { maxRetriesPerRequest: 1 });
    second = createBot({ env: h.env, db: h.db, bus: h.bus, redis: secondRedis });
    await second.start();
    secondServer = http.createServer((req, res) => void second.httpHandler(req, res));
    await new Promise<void>((resolve) => secondServer.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    secondServer.close();
    await second.stop();
    secondRedis.disconnect();
    await h.close();
  });

  const sentBy = async (baseUrl: string) => {
    const body = await (await fetch(`${baseUrl}/metrics`)).text();
    const line = body.split('\n').find((l) => l.startsWith('bot_outbox_sends_total{outcome="sent"}'));
    return Number(line?.split(' ')[1] ?? 0);
  };

  it('1,000 messages sent by two instances together stay within the limits (shared through Redis)', async () => {
    const secondUrl = `http://127.0.0.1:${(secondServer.address() as AddressInfo).port}`;
    const before = [await sentBy(h.baseUrl), await sentBy(secondUrl)];
    const chats = await sendThousand(h, 's', 810_000_000);
    const after = [await sentBy(h.baseUrl), await sentBy(secondUrl)];
    // Both instances sent a share (each claims at most 500 rows at a time).
    expect((after[0] ?? 0) - (before[0] ?? 0)).toBeGreaterThan(0);
    expect((after[1] ?? 0) - (before[1] ?? 0)).toBeGreaterThan(0);
    expectWithinLimits(h, chats, 's');
  }, 90_000);

  it('an instance that starts takes nothing another instance is still sending', async () => {
    const chat = 820_000_001;
    const items = Array.from({ length: 12 }, (_, n) => ({ chatId: chat, text: `held ${n}` }));
    await enqueue(h, items);
    // The queue is claimed and held (4/s for this chat: three seconds of sending), then a third instance starts.
    await waitFor(async () => {
      const [row] = await h.query<{ n: number }>(
        "select count(*)::int as n from telegram_outbox where chat_id = $1 and status = 'sending'",
        [chat],
      );
      return (row?.n ?? 0) >= 8;
    });
    const third = createBot({ env: h.env, db: h.db, bus: h.bus });
    await third.start();
    try {
      await waitFor(() => texts(h, chat).length >= 12, { timeoutMs: 20_000 });
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(texts(h, chat)).toEqual(items.map((i) => i.text));
    } finally {
      await third.stop();
    }
  }, 30_000);
});

describe('outbound queue: leases', () => {
  let h: Harness;
  let store: ReturnType<typeof createOutboxQueue>;
  beforeAll(async () => {
    h = await startHarness('webhook', {}, 'lease');
    await h.bot.stop();
    store = createOutboxQueue(h.db.db);
  });
  afterAll(async () => {
    await h.close();
  });

  it('a held row is renewed, an expired one returns to the queue, a chat being sent is not claimed twice', async () => {
    const chat = 830_000_001;
    await enqueue(h, [
      { chatId: chat, text: 'lease 1' },
      { chatId: chat, text: 'lease 2' },
    ]);
    const claimed = await store.claim(10);
    expect(claimed.map((r) => r.chatId)).toEqual([chat, chat]);
    await enqueue(h, [{ chatId: chat, text: 'lease 3' }]);
    // Its chat is being sent: the later row waits, whoever asks.
    expect(await store.claim(10)).toEqual([]);
    const leaseLeft = async () =>
      h.query<{ s: number }>(
        "select extract(epoch from next_attempt_at - now())::float8 as s from telegram_outbox where chat_id = $1 and status = 'sending' order by id",
        [chat],
      );
    await h.query(
      "update telegram_outbox set next_attempt_at = now() + interval '1 second' where chat_id = $1 and status = 'sending'",
      [chat],
    );
    await store.renew([claimed[0]?.id ?? 0]);
    const [renewed, notRenewed] = await leaseLeft();
    expect(renewed?.s).toBeGreaterThan(OUTBOX_LEASE_MS / 1000 - 10);
    expect(notRenewed?.s).toBeLessThan(2);
    expect(await store.requeueExpired()).toBe(0);
    await h.query(
      "update telegram_outbox set next_attempt_at = now() - interval '1 second' where chat_id = $1 and status = 'sending'",
      [chat],
    );
    expect(await store.requeueExpired()).toBe(2);
    expect((await store.claim(10)).map((r) => r.id)).toEqual(
      (
        await h.query<{ id: number }>('select id from telegram_outbox where chat_id = $1 order by id', [chat])
      ).map((r) => r.id),
    );
  });

  it('a row another worker has sent is not put back in the queue by a late retry', async () => {
    const chat = 830_000_003;
    await enqueue(h, [{ chatId: chat, text: 'sent elsewhere' }]);
    const [row] = await store.claim(10);
    await h.uc.recordTelegramSent(row?.id ?? 0, 77);
    // This worker's lease had run out; its own attempt failed and it asks for a retry.
    await store.retryLater(row?.id ?? 0, [], 0, 'ETIMEDOUT');
    expect(
      await h.query('select status, attempts, last_error from telegram_outbox where chat_id = $1', [chat]),
    ).toEqual([{ status: 'sent', attempts: 1, last_error: null }]);
  });

  it('claims of several instances take turns, so one sees the chat another has just started sending', async () => {
    const chat = 830_000_002;
    await enqueue(h, [
      { chatId: chat, text: 'turn 1' },
      { chatId: chat, text: 'turn 2' },
    ]);
    // Another instance's claim, not yet committed: it holds the claim lock and has taken the chat's first row.
    const other = await h.db.db.$client.connect();
    try {
      await other.query('begin');
      await other.query('select pg_advisory_xact_lock($1)', [OUTBOX_CLAIM_LOCK]);
      await other.query(
        "update telegram_outbox set status = 'sending' where id = (select min(id) from telegram_outbox where chat_id = $1)",
        [chat],
      );
      const claiming = store.claim(10);
      await waitFor(
        async () =>
          (
            await h.query(
              "select 1 from pg_locks where locktype = 'advisory' and objid = $1 and not granted",
              [OUTBOX_CLAIM_LOCK],
            )
          ).length === 1,
        { description: 'the claim waits for its turn' },
      );
      await other.query('commit');
      // Once it has its turn it sees the first row as being sent: the chat's second row must wait for it.
      expect(await claiming).toEqual([]);
    } finally {
      other.release();
    }
  });
});
