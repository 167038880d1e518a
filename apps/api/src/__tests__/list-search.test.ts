import request from 'supertest';
import { team } from './helpers/people';
import { startTestApi, type TestApi } from './helpers/test-api';

let t: TestApi;
let people: Awaited<ReturnType<typeof team>>;
let ticketId: number;
let noteId: number;
beforeAll(async () => {
  t = await startTestApi('api_search');
  people = await team(t.uc);
  const { ticket } = await t.uc.createTicket(people.customer, {
    subject: 'Оплата',
    body: 'Не проходит оплата картой',
  });
  ticketId = ticket.id;
  noteId = (await t.uc.postMessage(people.agent, ticketId, { body: 'проверить эквайринг', internal: true }))
    .message.id;
  await t.uc.createTicket(people.other, { subject: 'Другое', body: 'оплатить не получается' });
});
afterAll(async () => {
  await t.close();
});

const find = (auth: string, q: string) =>
  request(t.app).get('/api/v1/tickets').query({ q }).set('Authorization', auth);

describe('GET /tickets?q', () => {
  it('answers ranked items with the matching message, notes for staff only', async () => {
    const staff = await find(people.agent.auth, 'эквайринг');
    expect(staff.status).toBe(200);
    expect(staff.body).toEqual({
      items: [
        expect.objectContaining({
          id: ticketId,
          match: { messageId: noteId, snippet: 'проверить эквайринг' },
        }),
      ],
      nextCursor: null,
    });
    const customer = await find(people.customer.auth, 'эквайринг');
    expect(customer.status).toBe(200);
    expect(customer.body.items).toEqual([]);
  });

  it("a customer finds their own ticket in any word form and never another's", async () => {
    const own = await find(people.customer.auth, 'оплаты');
    expect(own.body.items.map((i: { id: number }) => i.id)).toEqual([ticketId]);
    expect(own.body.items[0].match.snippet).toContain('оплата');
    const staff = await find(people.agent.auth, 'оплаты');
    expect(staff.body.items).toHaveLength(2);
  });

  it('text past 200 characters is a 400 naming q', async () => {
    const res = await find(people.agent.auth, 'а'.repeat(201));
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([{ path: 'q', message: expect.any(String) }]);
  });
});
