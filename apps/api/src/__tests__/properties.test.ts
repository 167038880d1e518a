import { parse as parseQueryString } from 'node:querystring';
import {
  createCannedReplyInputSchema,
  createCategoryInputSchema,
  createTicketInputSchema,
  customerUpdateTicketInputSchema,
  idParamSchema,
  listMessagesQuerySchema,
  listTicketsQuerySchema,
  postMessageInputSchema,
  rateTicketInputSchema,
  setRoleInputSchema,
  updateTicketInputSchema,
} from '@tikethet/domain';
import fc from 'fast-check';
import request from 'supertest';
import type { ZodType } from 'zod';
import { customerPostMessageSchema } from '../routes/messages';
import { ticketOf } from './helpers/fixtures';
import { type Person, team } from './helpers/people';
import { startTestApi, type TestApi } from './helpers/test-api';

/**
 * Generated malformed input (bodies, raw bytes, query strings, ids): only 4xx ever, never 5xx; the server
 * stays healthy; nothing a rejected request carried reaches the database.
 */
// Each property sends hundreds of requests: on a loaded 2-core machine that outlasts jest's 30 s default.
jest.setTimeout(180_000);

let t: TestApi;
let people: Awaited<ReturnType<typeof team>>;
let ticketId: number;
let sent = 0;
const TABLES = [
  'users',
  'tickets',
  'messages',
  'events',
  'categories',
  'canned_replies',
  'ratings',
  'ticket_reads',
  'attachments',
];

async function snapshot(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of TABLES) {
    const r = await t.db.db.$client.query<{ n: number }>(`select count(*)::int as n from ${table}`);
    out[table] = r.rows[0]?.n ?? -1;
  }
  const v = await t.db.db.$client.query<{ s: string }>(
    "select string_agg(id || ':' || version || ':' || status || ':' || priority, ',' order by id) as s from tickets",
  );
  out.ticketState = (v.rows[0]?.s ?? '').length;
  return out;
}

let before: Record<string, number>;
beforeAll(async () => {
  t = await startTestApi('api_props');
  people = await team(t.uc);
  ticketId = (await ticketOf(t.uc, people.customer)).id;
  await t.uc.createCategory(people.admin, { name: 'Billing' });
  before = await snapshot();
});
afterAll(async () => {
  await t.close();
});

function expect4xx(res: { status: number; body: unknown }, what: string) {
  sent += 1;
  if (res.status < 400 || res.status >= 500) {
    throw new Error(`${what} -> ${res.status} ${JSON.stringify(res.body)}`);
  }
}

/** Keys a schema knows plus junk: generated objects then hit both field rules and strictness. */
const key = (known: string[]) => fc.oneof(fc.constantFrom(...known), fc.string({ maxLength: 12 }));
const value = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    'x'.repeat(5000),
    -1,
    0,
    1.5,
    2 ** 53,
    'open',
    'closed',
    'agent',
    'admin',
    true,
    null,
  ),
);
const bodyFor = (known: string[]) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.dictionary(key(known), value, { maxKeys: 5 }) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
  );

interface BodyRoute {
  method: 'post' | 'patch' | 'put';
  path: () => string;
  who: () => Person;
  schema: ZodType;
  known: string[];
}

/** `text` as the route's JSON body, signed in as the route's caller. */
function sendJson(route: BodyRoute, text: string) {
  return request(t.app)
    [route.method](`/api/v1${route.path()}`)
    .set('Authorization', route.who().auth)
    .set('Content-Type', 'application/json')
    .send(text);
}

const bodyRoutes: BodyRoute[] = [
  {
    method: 'post',
    path: () => '/tickets',
    who: () => people.customer,
    schema: createTicketInputSchema,
    known: ['subject', 'body', 'categoryId', 'priority', 'clientMessageId'],
  },
  {
    method: 'patch',
    path: () => `/tickets/${ticketId}`,
    who: () => people.customer,
    schema: customerUpdateTicketInputSchema,
    known: ['status', 'version'],
  },
  {
    method: 'patch',
    path: () => `/tickets/${ticketId}`,
    who: () => people.agent,
    schema: updateTicketInputSchema,
    known: ['status', 'priority', 'categoryId', 'assigneeId', 'version'],
  },
  {
    method: 'post',
    path: () => `/tickets/${ticketId}/messages`,
    who: () => people.customer,
    schema: customerPostMessageSchema,
    known: ['body', 'clientMessageId', 'internal'],
  },
  {
    method: 'post',
    path: () => `/tickets/${ticketId}/messages`,
    who: () => people.agent,
    schema: postMessageInputSchema,
    known: ['body', 'internal', 'clientMessageId'],
  },
  {
    method: 'post',
    path: () => `/tickets/${ticketId}/rating`,
    who: () => people.customer,
    schema: rateTicketInputSchema,
    known: ['score', 'comment'],
  },
  {
    method: 'post',
    path: () => '/categories',
    who: () => people.admin,
    schema: createCategoryInputSchema,
    known: ['name', 'description', 'position'],
  },
  {
    method: 'post',
    path: () => '/canned-replies',
    who: () => people.agent,
    schema: createCannedReplyInputSchema,
    known: ['shortcut', 'title', 'body', 'shared'],
  },
  {
    method: 'put',
    path: () => `/agents/${people.other.id}`,
    who: () => people.admin,
    schema: setRoleInputSchema,
    known: ['role'],
  },
];

it('malformed JSON bodies on every body route: 4xx', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...bodyRoutes),
      bodyFor(['subject', 'body', 'status', 'version', 'role', 'score', 'name']),
      async (route, raw) => {
        fc.pre(!route.schema.safeParse(raw).success);
        expect4xx(
          await sendJson(route, JSON.stringify(raw)),
          `${route.method} ${route.path()} ${JSON.stringify(raw)}`,
        );
      },
    ),
    { numRuns: 400 },
  );
  for (const route of bodyRoutes) {
    await fc.assert(
      fc.asyncProperty(bodyFor(route.known), async (body) => {
        fc.pre(!route.schema.safeParse(body).success);
        expect4xx(
          await sendJson(route, JSON.stringify(body)),
          `${route.method} ${route.path()} ${JSON.stringify(body)}`,
        );
      }),
      { numRuns: 150 },
    );
  }
});

it('bytes that are not JSON: 400', async () => {
  const notJson = fc
    .oneof(
      fc.string({ maxLength: 200 }),
      fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString('latin1')),
    )
    .filter((s) => {
      try {
        JSON.parse(s);
        return false;
      } catch {
        return true;
      }
    });
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...bodyRoutes), notJson, async (route, raw) => {
      expect4xx(await sendJson(route, raw), `${route.path()} <- ${JSON.stringify(raw)}`);
    }),
    { numRuns: 300 },
  );
});

it('query strings: unknown keys and bad values are 400', async () => {
  const queryRoutes: Array<{ path: () => string; schema: ZodType; known: string[] }> = [
    {
      path: () => '/tickets',
      schema: listTicketsQuerySchema,
      known: ['status', 'priority', 'category', 'assignee', 'customer', 'q', 'limit', 'cursor'],
    },
    {
      path: () => `/tickets/${ticketId}/messages`,
      schema: listMessagesQuerySchema,
      known: ['after', 'limit'],
    },
  ];
  const qsValue = fc.oneof(
    fc.string({ maxLength: 30 }),
    fc.constantFrom('0', '-1', '101', '1e3', 'none', 'me', 'new,open', 'bogus', '%', '1.5'),
    fc.integer().map(String),
  );
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...queryRoutes),
      fc.array(
        fc.tuple(
          fc.oneof(
            fc.constantFrom('status', 'limit', 'after', 'cursor', 'assignee', 'category'),
            fc.string({ maxLength: 10 }),
          ),
          qsValue,
        ),
        { minLength: 1, maxLength: 4 },
      ),
      async (route, pairs) => {
        const qs = new URLSearchParams(pairs).toString();
        fc.pre(!route.schema.safeParse({ ...parseQueryString(qs) }).success);
        const res = await request(t.app)
          .get(`/api/v1${route.path()}?${qs}`)
          .set('Authorization', people.agent.auth);
        expect4xx(res, `${route.path()}?${qs}`);
      },
    ),
    { numRuns: 700 },
  );
});

it('ids that are not ids: 4xx on every route with one', async () => {
  const paths = [
    ['get', (id: string) => `/tickets/${id}`],
    ['patch', (id: string) => `/tickets/${id}`],
    ['post', (id: string) => `/tickets/${id}/claim`],
    ['get', (id: string) => `/tickets/${id}/messages`],
    ['post', (id: string) => `/tickets/${id}/read`],
    ['get', (id: string) => `/attachments/${id}`],
    ['patch', (id: string) => `/categories/${id}`],
    ['delete', (id: string) => `/canned-replies/${id}`],
    ['put', (id: string) => `/agents/${id}`],
  ] as const;
  const badId = fc
    .oneof(
      fc.string({ minLength: 1, maxLength: 20 }),
      fc.integer({ min: -1e12, max: 0 }).map(String),
      fc.double({ noNaN: false }).map(String),
      fc.bigInt({ min: 10n ** 16n, max: 10n ** 30n }).map(String),
      fc.constantFrom(
        '0',
        '00',
        '01',
        '1e3',
        '0x10',
        ' 1',
        '1 ',
        '%00',
        'NaN',
        'Infinity',
        '-0',
        '9999999999999999999',
      ),
    )
    .filter((s) => !idParamSchema.safeParse(s).success && s !== '.' && s !== '..');
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...paths), badId, async ([method, make], raw) => {
      const path = make(encodeURIComponent(raw));
      const res = await request(t.app)
        [method](`/api/v1${path}`)
        .set('Authorization', people.admin.auth)
        .send({ x: 1 });
      expect4xx(res, `${method} ${path}`);
    }),
    { numRuns: 500 },
  );
});

it('afterwards: at least 2,000 requests were sent, the server is healthy, no 5xx was ever served, the database is unchanged', async () => {
  expect(sent).toBeGreaterThanOrEqual(2000);
  expect((await request(t.app).get('/readyz')).status).toBe(200);
  const me = await request(t.app).get('/api/v1/me').set('Authorization', people.customer.auth);
  expect(me.status).toBe(200);
  const metrics = (await request(t.app).get('/metrics')).text;
  expect(metrics).toMatch(/http_request_duration_seconds_count\{[^}]*status="400"/);
  expect(metrics).not.toMatch(/http_request_duration_seconds_count\{[^}]*status="5\d\d"/);
  expect(await snapshot()).toEqual(before);
});
