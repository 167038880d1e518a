import { createLogger } from '@tikethet/config';
import type { User } from '@tikethet/domain';
import express from 'express';
import request from 'supertest';
import { errorHandler } from '../http/handlers';
import { mountRoutes } from '../routes/mount';
import { reportRoutes } from '../routes/reports';
import type { RouteServices } from '../routes/route';
import { ticketOf } from './helpers/fixtures';
import { type Person, person, team } from './helpers/people';
import { startTestApi, type TestApi } from './helpers/test-api';

/** GET /stats/agents, /stats/agents.csv, /stats/tickets.csv: who may ask, the range, the CSV's quoting. */
let t: TestApi;
let agent: Person;
let admin: Person;
let customer: Person;
let tricky: Person;

/** The tickets the bulk insert adds (more than one page of the export). */
const BULK = 1234;
const SUBJECTS = [
  '=HYPERLINK("http://evil","x")',
  'comma, "quote"',
  'two\nlines',
  '+7 900 000',
  '@cmd',
  '-1',
  'Привет',
];

beforeAll(async () => {
  t = await startTestApi('api_reports');
  ({ agent, admin, customer } = await team(t.uc));
  tricky = await person(t.uc, 900_010, 'agent', '=cmd|"/c calc"!A0, Jr');
  const ids: number[] = [];
  for (const subject of SUBJECTS) {
    const ticket = await ticketOf(t.uc, customer, subject);
    ids.push(ticket.id);
    await t.uc.claimTicket(tricky, ticket.id);
    await t.uc.postMessage(tricky, ticket.id, { body: 'on it' });
    const now = await t.uc.findTicket(ticket.id);
    await t.uc.updateTicket(tricky, ticket.id, { status: 'resolved', version: now?.version ?? 0 });
  }
  await t.uc.rateTicket(customer, ids[0] ?? 0, { score: 4, comment: '=2+2, "ok"' });
  await t.db.db.$client.query(
    `insert into tickets (customer_id, subject) select $1, 'bulk ' || i from generate_series(1, ${BULK}) i`,
    [customer.id],
  );
});
afterAll(async () => {
  await t.close();
});

const today = () => new Date().toISOString().slice(0, 10);

function get(path: string, who: Person = agent) {
  return request(t.app)
    .get(`/api/v1${path}`)
    .set('Authorization', who.auth)
    .buffer(true)
    .parse((res, done) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('end', () => done(null, text));
    });
}

/** RFC 4180 records of a CSV text (after its byte order mark). */
function parseCsv(text: string): string[][] {
  expect(text.startsWith('\ufeff')).toBe(true);
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  const s = text.slice(1);
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (quoted) {
      if (ch === '"' && s[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\r' && s[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += ch;
  }
  expect(cell).toBe('');
  expect(row).toEqual([]);
  return rows;
}

describe('the per-agent report routes', () => {
  it('answers the table as JSON for agents and admins', async () => {
    for (const who of [agent, admin]) {
      const res = await request(t.app).get('/api/v1/stats/agents').set('Authorization', who.auth);
      expect(res.status).toBe(200);
      expect(res.body.agents).toEqual([
        expect.objectContaining({
          agentId: tricky.id,
          name: '=cmd|"/c calc"!A0, Jr',
          handled: SUBJECTS.length,
          slaMet: SUBJECTS.length,
          slaMetPercent: 100,
          csat: { average: 4, count: 1 },
        }),
      ]);
    }
  });

  it.each(['/stats/agents', '/stats/agents.csv', '/stats/tickets.csv'])(
    'refuses a customer on %s (403, JSON)',
    async (path) => {
      const res = await request(t.app).get(`/api/v1${path}`).set('Authorization', customer.auth);
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('forbidden');
    },
  );

  it.each([
    ['/stats/agents.csv?from=2026-02-30', 'from'],
    ['/stats/tickets.csv?to=yesterday', 'to'],
    ['/stats/tickets.csv?from=2024-01-01&to=2026-01-01', 'to'],
    ['/stats/tickets.csv?from=2026-03-02&to=2026-03-01', 'from'],
    ['/stats/agents?days=7', 'days'],
  ])('refuses %s with a JSON 400 naming %s', async (path, field) => {
    const res = await request(t.app).get(`/api/v1${path}`).set('Authorization', agent.auth);
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toEqual([field]);
  });

  it('exports the table as CSV with a header row, quoting and formula cells defused', async () => {
    const res = await get(`/stats/agents.csv?from=${today()}&to=${today()}`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe(
      `attachment; filename="agents-${today()}-${today()}.csv"`,
    );
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    const rows = parseCsv(res.body as string);
    expect(rows[0]).toEqual([
      'agent_id',
      'agent',
      'username',
      'handled',
      'first_response_median_s',
      'resolution_median_s',
      'sla_met',
      'sla_met_percent',
      'csat_average',
      'csat_count',
    ]);
    expect(rows).toHaveLength(2);
    expect(rows[1]?.slice(0, 4)).toEqual([String(tricky.id), `'=cmd|"/c calc"!A0, Jr`, `u${tricky.id}`, '7']);
    expect(rows[1]?.slice(6)).toEqual(['7', '100', '4', '1']);
    // An empty range: the header alone.
    expect(
      parseCsv((await get('/stats/agents.csv?from=2001-01-01&to=2001-01-02', admin)).body as string),
    ).toEqual([rows[0]]);
  });

  it('streams every ticket of the range once, over several pages, each cell round-tripping', async () => {
    const res = await get(`/stats/tickets.csv?from=${today()}&to=${today()}`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    const rows = parseCsv(res.body as string);
    const header = rows[0] ?? [];
    expect(header.slice(0, 4)).toEqual(['id', 'created_at', 'subject', 'status']);
    expect(rows.every((r) => r.length === header.length)).toBe(true);
    const body = rows.slice(1);
    expect(body).toHaveLength(SUBJECTS.length + BULK);
    const ids = body.map((r) => Number(r[0]));
    expect(new Set(ids).size).toBe(ids.length);
    const col = (name: string) => header.indexOf(name);
    const subjects = body.slice(0, SUBJECTS.length).map((r) => r[col('subject')]);
    expect(subjects).toEqual(SUBJECTS.map((s) => (/^[=+\-@]/.test(s) ? `'${s}` : s)));
    const rated = body.find((r) => r[col('rating')] === '4');
    expect(rated?.[col('rating_comment')]).toBe(`'=2+2, "ok"`);
    expect(rated?.[col('assignee')]).toBe(`'=cmd|"/c calc"!A0, Jr`);
    // A past range: the header alone.
    expect(
      parseCsv((await get('/stats/tickets.csv?from=2001-01-01&to=2001-01-02')).body as string),
    ).toHaveLength(1);
  });
});

describe('a tickets export that fails after its first page', () => {
  it('cuts the connection: half a file never arrives as a complete answer', async () => {
    const page = (id: number) => ({
      items: [
        {
          id,
          createdAt: '2026-01-01T00:00:00.000Z',
          subject: `s${id}`,
          status: 'new',
          priority: 'normal',
          category: null,
          customerId: 1,
          customerName: 'C',
          assigneeId: null,
          assigneeName: null,
          firstResponseAt: null,
          resolvedAt: null,
          slaBreachedAt: null,
          rating: null,
          ratingComment: null,
          tags: [],
        },
      ],
      next: { createdAt: '2026-01-01 00:00:00+00', id },
    });
    let calls = 0;
    const uc = {
      exportTicketsPage: async () => {
        calls += 1;
        if (calls > 1) throw new Error('the database went away');
        return page(calls);
      },
    };
    const services = {
      reads: { run: (_actor: unknown, read: (u: typeof uc) => unknown) => read(uc), wrote: () => undefined },
      logger: createLogger('test'),
    } as unknown as RouteServices;
    const app = express();
    const router = express.Router();
    mountRoutes(router, reportRoutes, {
      services,
      authenticator: { authenticate: async () => ({ id: 1, role: 'agent' }) as User },
    });
    app.use('/api/v1', router);
    app.use(errorHandler(createLogger('test')));
    const result = await request(app)
      .get('/api/v1/stats/tickets.csv?from=2026-01-01&to=2026-01-01')
      .set('Authorization', 'tma x')
      .then(
        () => 'complete',
        (error: NodeJS.ErrnoException) => error.code ?? error.message,
      );
    expect(calls).toBe(2);
    expect(result).not.toBe('complete');
  });
});
