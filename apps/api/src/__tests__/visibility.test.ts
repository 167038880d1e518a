import { type FakeBotApi, startFakeBotApi } from '@tikethet/testkit';
import request from 'supertest';
import { ticketWithFiles } from './helpers/fixtures';
import { team } from './helpers/people';
import { startTestApi, type TestApi } from './helpers/test-api';

/** A customer never receives an internal note or another customer's data, from any GET route. */
let t: TestApi;
let bot: FakeBotApi;
let people: Awaited<ReturnType<typeof team>>;
const NOTE = 'SECRET-NOTE-4f1c';
const OTHER_SUBJECT = 'OTHER-SUBJECT-9d2e';

beforeAll(async () => {
  bot = await startFakeBotApi();
  t = await startTestApi('api_visibility', { env: { TELEGRAM_API_ROOT: bot.apiRoot } });
  people = await team(t.uc);
});
afterAll(async () => {
  await t.close();
  await bot.close();
});

it('no route leaks notes or other customers to a customer', async () => {
  const { customer, other, agent } = people;
  const mine = await ticketWithFiles(t.uc, bot, customer, agent);
  await t.uc.postMessage(agent, mine.ticket.id, { body: NOTE, internal: true });
  await t.uc.postMessage(agent, mine.ticket.id, { body: 'public answer' });
  const theirs = await t.uc.createTicket(other, { subject: OTHER_SUBJECT, body: 'private words' });
  await t.uc.postMessage(agent, theirs.ticket.id, { body: NOTE, internal: true });

  const paths = [
    '/me',
    '/tickets',
    '/tickets?q=OTHER',
    `/tickets?customer=${other.id}`,
    `/tickets?assignee=${agent.id}`,
    `/tickets/${mine.ticket.id}`,
    `/tickets/${mine.ticket.id}/messages`,
    `/tickets/${theirs.ticket.id}`,
    `/tickets/${theirs.ticket.id}/messages`,
    `/attachments/${mine.noteFile.id}`,
    '/categories',
    '/categories?archived=1',
  ];
  for (const path of paths) {
    const res = await request(t.app).get(`/api/v1${path}`).set('Authorization', customer.auth);
    expect(res.status).toBeLessThan(500);
    const text = JSON.stringify(res.body);
    expect({
      path,
      leaks: [NOTE, OTHER_SUBJECT, 'private words', 'internal with file', `"id":${other.id}`].filter((s) =>
        text.includes(s),
      ),
    }).toEqual({ path, leaks: [] });
  }
  // The customer's own view still has the public conversation, without notes.
  const messages = await request(t.app)
    .get(`/api/v1/tickets/${mine.ticket.id}/messages`)
    .set('Authorization', customer.auth);
  const kinds = (messages.body.items as Array<{ kind: string; internal: boolean }>).map((m) => m.kind);
  expect(kinds).toEqual(['customer', 'agent']);
  // Agents do see the note (the check above is not vacuous).
  const staffView = await request(t.app)
    .get(`/api/v1/tickets/${mine.ticket.id}/messages`)
    .set('Authorization', agent.auth);
  expect(JSON.stringify(staffView.body)).toContain(NOTE);
  // The list with a search for the other's subject finds it for staff only.
  const staffSearch = await request(t.app)
    .get('/api/v1/tickets?q=OTHER-SUBJECT')
    .set('Authorization', agent.auth);
  expect(staffSearch.body.items.map((x: { id: number }) => x.id)).toContain(theirs.ticket.id);
});

it('attachments: images inline, anything else as a nosniff download; a note file is not the customer’s', async () => {
  const { customer, agent, other } = people;
  const files = await ticketWithFiles(t.uc, bot, customer, agent);
  const photo = await request(t.app)
    .get(`/api/v1/attachments/${files.photo.id}`)
    .set('Authorization', customer.auth);
  expect(photo.status).toBe(200);
  expect(photo.headers['content-type']).toBe('image/jpeg');
  expect(photo.headers['content-disposition']).toBeUndefined();
  expect(photo.headers['x-content-type-options']).toBe('nosniff');
  const doc = await request(t.app)
    .get(`/api/v1/attachments/${files.doc.id}`)
    .set('Authorization', customer.auth);
  expect(doc.status).toBe(200);
  expect(doc.headers['content-disposition']).toMatch(/^attachment; filename="page.html"/);
  expect(doc.headers['x-content-type-options']).toBe('nosniff');
  expect(bot.callsOf('getFile').length).toBeGreaterThanOrEqual(2);
  for (const [who, id] of [
    [customer, files.noteFile.id],
    [other, files.photo.id],
  ] as const) {
    const res = await request(t.app).get(`/api/v1/attachments/${id}`).set('Authorization', who.auth);
    expect(res.status).toBe(404);
  }
  const staff = await request(t.app)
    .get(`/api/v1/attachments/${files.noteFile.id}`)
    .set('Authorization', agent.auth);
  expect(staff.status).toBe(200);
  expect(staff.headers['content-disposition']).toMatch(/^attachment/);
});

it('attachments: Telegram down is a 502, never a 500', async () => {
  const { customer, agent } = people;
  const files = await ticketWithFiles(t.uc, bot, customer, agent);
  bot.setDown(true);
  try {
    const res = await request(t.app)
      .get(`/api/v1/attachments/${files.photo.id}`)
      .set('Authorization', customer.auth);
    expect(res.status).toBe(502);
    expect(res.body.error.code).toBe('upstream_unavailable');
  } finally {
    bot.setDown(false);
  }
});
