import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDb } from '@tikethet/db';
import {
  makeCallbackUpdate,
  makePhotoUpdate,
  makeTextUpdate,
  type TgMessage,
  waitFor,
} from '@tikethet/testkit';
import { createBot } from '../create-bot';
import { type Harness, newUserId, SECRET, startHarness } from './helpers/harness';

describe('webhook: idempotency, secret, database failure', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('webhook', { AGENTS_CHAT_ID: '-1001' }, 'idem');
  });
  afterAll(async () => {
    await h.close();
  });

  const post = (body: unknown, secret?: string) =>
    fetch(`${h.baseUrl}/telegram/webhook`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(secret === undefined ? {} : { 'x-telegram-bot-api-secret-token': secret }),
      },
      body: JSON.stringify(body),
    });

  it('the same update 50 times at once has one effect', async () => {
    const customer = newUserId();
    const update = { update_id: 900_001, ...makeTextUpdate({ from: { id: customer }, text: 'Help once' }) };
    const statuses = await Promise.all(
      Array.from({ length: 50 }, () => post(update, SECRET).then((r) => r.status)),
    );
    expect(new Set(statuses)).toEqual(new Set([200]));
    expect(
      await h.query('select count(*)::int as n from tickets where customer_id = $1', [customer]),
    ).toEqual([{ n: 1 }]);
    expect(
      await h.query('select count(*)::int as n from telegram_outbox where chat_id = $1', [customer]),
    ).toEqual([{ n: 1 }]);
    await waitFor(() => h.api.sentMessages(customer).length === 1);
  });

  it('a new customer’s album (three photos arriving at once) opens one ticket, one message holding all three', async () => {
    const customer = newUserId();
    const album = [1, 2, 3].map((n) => {
      const update = makePhotoUpdate({
        from: { id: customer },
        caption: n === 1 ? 'Screenshots of the error' : undefined,
      });
      return {
        ...update,
        update_id: 900_100 + n,
        message: { ...update.message, media_group_id: `album-${customer}` },
      };
    });
    const statuses = await Promise.all(album.map((u) => post(u, SECRET).then((r) => r.status)));
    expect(statuses).toEqual([200, 200, 200]);
    const tickets = await h.query<{ id: number }>('select id from tickets where customer_id = $1', [
      customer,
    ]);
    expect(tickets).toHaveLength(1);
    expect(
      await h.query(
        'select count(*)::int as n from attachments a join messages m on m.id = a.message_id where m.ticket_id = $1',
        [tickets[0]?.id],
      ),
    ).toEqual([{ n: 3 }]);
    // One message holding the three, the caption its body (the album rule, docs/ARCHITECTURE.md §6a).
    expect(await h.query('select body from messages where ticket_id = $1', [tickets[0]?.id])).toEqual([
      { body: 'Screenshots of the error' },
    ]);
    // One «created» confirmation, not one per photo.
    expect(
      await h.query('select count(*)::int as n from telegram_outbox where chat_id = $1', [customer]),
    ).toEqual([{ n: 1 }]);
  });

  it('answers 401 and writes nothing without or with a wrong secret; 400 names a bad update', async () => {
    const customer = newUserId();
    const update = { update_id: 900_002, ...makeTextUpdate({ from: { id: customer }, text: 'sneaky' }) };
    expect((await post(update)).status).toBe(401);
    expect((await post(update, 'wrong-secret')).status).toBe(401);
    expect((await post(update, `${SECRET}x`)).status).toBe(401);
    expect(await h.query('select count(*)::int as n from telegram_updates where update_id = 900002')).toEqual(
      [{ n: 0 }],
    );
    expect(await h.query('select count(*)::int as n from users where id = $1', [customer])).toEqual([
      { n: 0 },
    ]);
    const bad = await post({ update_id: 'x' }, SECRET);
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toContain('update_id');
  });

  it('two agents pressing Take at once: one assignee, the other is told it is taken', async () => {
    const customer = newUserId();
    await h.send(makeTextUpdate({ from: { id: customer }, text: 'Race me' }));
    const [ticket] = await h.query<{ id: number }>('select id from tickets where customer_id = $1', [
      customer,
    ]);
    const ticketId = ticket?.id ?? 0;
    const postMsg = await waitFor(() =>
      h.api.sentMessages(-1001).find((m) => (m as { text?: string }).text?.includes(`#${ticketId}`)),
    );
    const adminId = newUserId();
    await h.uc.upsertUser({ id: adminId, first_name: 'Admin' }, { adminIds: [adminId] });
    const agents = [newUserId(), newUserId()];
    for (const id of agents) {
      await h.uc.upsertUser({ id, first_name: `A${id}`, language_code: 'ru' });
      await h.uc.setRole({ id: adminId, role: 'admin' }, id, 'agent');
    }
    const presses = agents.map((id) =>
      makeCallbackUpdate({
        from: { id, language_code: 'ru' },
        data: `take:${ticketId}`,
        message: postMsg as TgMessage,
      }),
    );
    await Promise.all(presses.map((u) => h.api.deliverWebhook(u)));
    const assignee = (await h.uc.findTicket(ticketId))?.assigneeId;
    expect(agents).toContain(assignee);
    const answers = await waitFor(() => {
      const a = h.api
        .callsOf('answerCallbackQuery')
        .filter((c) => presses.some((p) => p.callback_query?.id === c.params.callback_query_id));
      return a.length === 2 ? a : undefined;
    });
    expect(answers.map((a) => String(a.params.text)).sort()).toEqual(
      [`Тикет #${ticketId} теперь ваш`, 'Тикет уже взят'].sort(),
    );
  });

  it('a database failure answers 5xx so Telegram retries; the retry then lands', async () => {
    const broken = createDb('postgres://postgres@127.0.0.1:1/nowhere', { max: 1 });
    const bot = createBot({ env: h.env, db: broken, bus: h.bus });
    const customer = newUserId();
    const update = { update_id: 900_003, ...makeTextUpdate({ from: { id: customer }, text: 'retry me' }) };
    const server = http.createServer((req, out) => void bot.webhookHandler(req, out));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const res = await fetch(`http://127.0.0.1:${port}/telegram/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
      body: JSON.stringify(update),
    });
    server.close();
    await broken.close();
    expect(res.status).toBeGreaterThanOrEqual(500);
    expect((await post(update, SECRET)).status).toBe(200);
    expect(
      await h.query('select count(*)::int as n from tickets where customer_id = $1', [customer]),
    ).toEqual([{ n: 1 }]);
  });
});
