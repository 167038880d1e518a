import { waitFor } from '@tikethet/testkit';
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
  // Four times Telegram's rates (same limiter, proportionally faster) so 1,000 sends take seconds, not half a minute.
  const rates = { global: 120, private: 4, groupPerMin: 80 };
  beforeAll(async () => {
    h = await startHarness(
      'webhook',
      {
        BOT_RATE_GLOBAL_PER_S: String(rates.global),
        BOT_RATE_PRIVATE_PER_S: String(rates.private),
        BOT_RATE_GROUP_PER_MIN: String(rates.groupPerMin),
      },
      'limits',
    );
  });
  afterAll(async () => {
    await h.close();
  });

  it('1,000 messages to 100 chats never exceed the global, private and group limits', async () => {
    const chats = Array.from({ length: 100 }, (_, i) => (i < 90 ? 800_000_000 + i : -1_000_000_000_000 - i));
    const items = Array.from({ length: 1000 }, (_, i) => {
      const chatId = chats[i % 100] ?? 0;
      return { chatId, text: `m ${chatId} ${Math.floor(i / 100)}` };
    });
    await enqueue(h, items);
    await waitFor(() => h.api.sentMessages().length >= 1000, { timeoutMs: 60_000, intervalMs: 250 });
    expect(h.api.maxSendsInWindow(1000)).toBeLessThanOrEqual(rates.global);
    for (const chatId of chats) {
      if (chatId > 0) expect(h.api.maxSendsInWindow(1000, chatId)).toBeLessThanOrEqual(rates.private);
      else expect(h.api.maxSendsInWindow(60_000, chatId)).toBeLessThanOrEqual(rates.groupPerMin);
      expect(texts(h, chatId)).toEqual(Array.from({ length: 10 }, (_, n) => `m ${chatId} ${n}`));
    }
  }, 90_000);
});
