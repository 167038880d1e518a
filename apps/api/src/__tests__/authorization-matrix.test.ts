import { type FakeBotApi, startFakeBotApi } from '@tikethet/testkit';
import request from 'supertest';
import type { Access, RouteDef } from '../routes/route';
import { routeTable } from '../routes/table';
import { resolvedTicketOf, ticketOf, ticketWithFiles, unique } from './helpers/fixtures';
import { badAuth, type Person, person, team } from './helpers/people';
import { startTestApi, type TestApi } from './helpers/test-api';

/**
 * The authorization matrix, generated from the one route table: every route × every kind of caller gets
 * the status its `access` promises. A route added to the table without a sample here fails the suite.
 */
type Caller = 'none' | 'tampered' | 'expired' | 'future' | 'other' | 'customer' | 'agent' | 'admin';
const CALLERS: Caller[] = ['none', 'tampered', 'expired', 'future', 'other', 'customer', 'agent', 'admin'];

interface Sample {
  path: string;
  body?: unknown;
}
interface World {
  customer: Person;
  agent: Person;
  admin: Person;
  other: Person;
  /** Who is calling (undefined for the unauthenticated callers). */
  actor: Person | undefined;
}

let t: TestApi;
let bot: FakeBotApi;
let people: Awaited<ReturnType<typeof team>>;

/** What each route is called with: fresh objects per call so one cell never depends on another. */
const samples: Record<string, (w: World) => Promise<Sample>> = {
  'GET /me': async () => ({ path: '/me' }),
  'GET /tickets': async () => ({ path: '/tickets?limit=5' }),
  'POST /tickets': async () => ({ path: '/tickets', body: { subject: 'Matrix', body: 'hello' } }),
  'GET /tickets/:id': async (w) => ({ path: `/tickets/${(await ticketOf(t.uc, w.customer)).id}` }),
  'PATCH /tickets/:id': async (w) => {
    const ticket = await ticketOf(t.uc, w.customer);
    const staff = w.actor?.role === 'agent' || w.actor?.role === 'admin';
    return {
      path: `/tickets/${ticket.id}`,
      body: staff
        ? { priority: 'high', version: ticket.version }
        : { status: 'closed', version: ticket.version },
    };
  },
  'POST /tickets/:id/claim': async (w) => ({
    path: `/tickets/${(await ticketOf(t.uc, w.customer)).id}/claim`,
  }),
  'GET /tickets/:id/messages': async (w) => ({
    path: `/tickets/${(await ticketOf(t.uc, w.customer)).id}/messages?after=0`,
  }),
  'POST /tickets/:id/messages': async (w) => ({
    path: `/tickets/${(await ticketOf(t.uc, w.customer)).id}/messages`,
    body: { body: 'a reply', clientMessageId: unique('m') },
  }),
  'POST /tickets/:id/rating': async (w) => ({
    path: `/tickets/${(await resolvedTicketOf(t.uc, w.customer, w.agent)).id}/rating`,
    body: { score: 5, comment: 'спасибо' },
  }),
  'POST /tickets/:id/read': async (w) => ({
    path: `/tickets/${(await ticketOf(t.uc, w.customer)).id}/read`,
    body: { seq: 2 },
  }),
  'GET /attachments/:id': async (w) => ({
    path: `/attachments/${(await ticketWithFiles(t.uc, bot, w.customer, w.agent)).photo.id}`,
  }),
  'GET /categories': async () => ({ path: '/categories' }),
  'POST /categories': async () => ({ path: '/categories', body: { name: unique('Cat ') } }),
  'PATCH /categories/:id': async (w) => {
    const category = await t.uc.createCategory(w.admin, { name: unique('Cat ') });
    return { path: `/categories/${category.id}`, body: { description: 'changed' } };
  },
  'DELETE /categories/:id': async (w) => {
    const category = await t.uc.createCategory(w.admin, { name: unique('Cat ') });
    return { path: `/categories/${category.id}` };
  },
  'GET /canned-replies': async () => ({ path: '/canned-replies' }),
  'POST /canned-replies': async () => ({
    path: '/canned-replies',
    body: { shortcut: unique('s'), title: 'Hi', body: 'Hello!' },
  }),
  'PATCH /canned-replies/:id': async (w) => {
    const owner = w.actor?.role === 'agent' ? w.actor : w.agent;
    const reply = await t.uc.createCannedReply(owner, { shortcut: unique('s'), title: 'T', body: 'B' });
    return { path: `/canned-replies/${reply.id}`, body: { title: 'Changed' } };
  },
  'DELETE /canned-replies/:id': async (w) => {
    const owner = w.actor?.role === 'agent' ? w.actor : w.agent;
    const reply = await t.uc.createCannedReply(owner, { shortcut: unique('s'), title: 'T', body: 'B' });
    return { path: `/canned-replies/${reply.id}` };
  },
  'GET /agents': async () => ({ path: '/agents' }),
  'PUT /agents/:telegramId': async () => {
    const target = await person(t.uc, 910_000 + Math.floor(Math.random() * 80_000), 'customer');
    return { path: `/agents/${target.id}`, body: { role: 'agent' } };
  },
  'GET /stats': async () => ({ path: '/stats' }),
  'GET /stats/agents': async () => ({ path: '/stats/agents' }),
  'GET /stats/agents.csv': async () => ({ path: '/stats/agents.csv' }),
  'GET /stats/tickets.csv': async () => ({ path: '/stats/tickets.csv' }),
  'GET /tags': async () => ({ path: '/tags' }),
  'PUT /tags/:name': async (w) => {
    const ticket = await ticketOf(t.uc, w.customer);
    const tag = unique('tag');
    await t.uc.updateTicket(w.agent, ticket.id, { tags: [tag], version: ticket.version });
    return { path: `/tags/${tag}`, body: { name: unique('renamed') } };
  },
  'POST /tickets/bulk': async (w) => ({
    path: '/tickets/bulk',
    body: { ids: [(await ticketOf(t.uc, w.customer)).id], addTags: ['matrix'] },
  }),
  'POST /tickets/:id/merge': async (w) => {
    const into = await ticketOf(t.uc, w.customer);
    const merged = await ticketOf(t.uc, w.customer);
    return { path: `/tickets/${merged.id}/merge`, body: { into: into.id } };
  },
  'POST /tickets/:id/request-contact': async (w) => {
    await t.uc.upsertUser(w.customer.profile, { botChatId: w.customer.id });
    return { path: `/tickets/${(await ticketOf(t.uc, w.customer)).id}/request-contact` };
  },
  'GET /settings/contact-step': async () => ({ path: '/settings/contact-step' }),
  'PUT /settings/contact-step': async () => ({ path: '/settings/contact-step', body: { required: false } }),
  'GET /customers/:telegramId': async (w) => ({ path: `/customers/${w.customer.id}` }),
  'PATCH /customers/:telegramId': async (w) => ({
    path: `/customers/${w.customer.id}`,
    body: { note: 'VIP' },
  }),
  'GET /dead-letters': async () => ({ path: '/dead-letters?limit=5' }),
  'GET /settings/service-levels': async () => ({ path: '/settings/service-levels' }),
  'PUT /settings/service-levels': async (w) => ({
    path: '/settings/service-levels',
    body: await t.uc.getServiceLevels(w.admin),
  }),
  'PUT /me/availability': async () => ({ path: '/me/availability', body: { status: 'online' } }),
};

const keyOf = (r: RouteDef) => `${r.method.toUpperCase()} ${r.path}`;

/** The status the table promises for this caller. */
function expected(route: RouteDef, access: Access, caller: Caller): number {
  if (caller === 'none' || caller === 'tampered' || caller === 'expired' || caller === 'future') return 401;
  const ok = route.status ?? 200;
  const staff = caller === 'agent' || caller === 'admin';
  switch (access) {
    case 'user':
      return ok;
    case 'ticket':
      return caller === 'other' ? 404 : ok;
    case 'ticket-owner':
      return caller === 'other' ? 404 : caller === 'customer' ? ok : 403;
    case 'staff':
      return staff ? ok : 403;
    case 'admin':
      return caller === 'admin' ? ok : 403;
  }
}

beforeAll(async () => {
  bot = await startFakeBotApi();
  t = await startTestApi('api_matrix', { env: { TELEGRAM_API_ROOT: bot.apiRoot } });
  people = await team(t.uc);
});
afterAll(async () => {
  await t.close();
  await bot.close();
});

it('every route of the table has a sample (the matrix covers the whole API)', () => {
  expect(routeTable.map(keyOf).filter((k) => !samples[k])).toEqual([]);
});

const cells = routeTable.flatMap((route) => CALLERS.map((caller) => [keyOf(route), caller, route] as const));

it.each(cells)('%s as %s', async (_key, caller, route) => {
  const bad = badAuth(people.customer.profile);
  const actor =
    caller === 'other'
      ? people.other
      : caller === 'customer' || caller === 'agent' || caller === 'admin'
        ? people[caller]
        : undefined;
  const sample = await (samples[keyOf(route)] as (w: World) => Promise<Sample>)({ ...people, actor });
  const headers: Record<string, string> =
    caller === 'none'
      ? {}
      : { Authorization: actor ? actor.auth : bad[caller as 'tampered' | 'expired' | 'future'] };
  const res = await request(t.app)
    [route.method](`/api/v1${sample.path}`)
    .set(headers)
    .send(sample.body as object | undefined);
  const want = expected(route, route.access, caller);
  expect({ status: res.status, body: res.status === want ? 'ok' : res.body }).toEqual({
    status: want,
    body: 'ok',
  });
  if (want >= 400) expect(res.body.error.code).toEqual(expect.any(String));
  if (want === 401)
    expect(res.body.error.code).toBe(
      caller === 'none' ? 'auth_missing' : `auth_${caller === 'tampered' ? 'bad_hash' : caller}`,
    );
});
