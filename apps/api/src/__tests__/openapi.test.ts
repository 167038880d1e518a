import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { createLogger } from '@tikethet/config';
import type { User } from '@tikethet/domain';
import { TEST_BOT_TOKEN } from '@tikethet/testkit';
import Ajv2020 from 'ajv/dist/2020';
import express from 'express';
import request from 'supertest';
import { z } from 'zod';
import { createApi } from '../create-api';
import { loadApiEnv } from '../env';
import { errorHandler } from '../http/handlers';
import { buildOpenApi, type JsonSchema, type OpenApiDocument, openApiPath } from '../openapi/document';
import { mountRoutes } from '../routes/mount';
import type { RouteDef, RouteServices } from '../routes/route';
import { routeTable } from '../routes/table';
import { resolvedTicketOf } from './helpers/fixtures';
import { team } from './helpers/people';
import { freshWindow } from './helpers/rate-window';
import { startTestApi, type TestApi } from './helpers/test-api';

/** What a document leaves out of a route table: `METHOD /path` of each route without an operation. */
function undescribed(doc: OpenApiDocument, table: readonly RouteDef[]): string[] {
  return table
    .filter((route) => !doc.paths[openApiPath(route.path).path]?.[route.method])
    .map((route) => `${route.method.toUpperCase()} ${route.path}`);
}

/** Runs the OpenAPI schema validator (ESM only, so in its own node) on the document. */
function validateOpenApi(doc: unknown): { valid: boolean; version?: string; errors?: unknown } {
  const script = `import { Validator } from '@seriousme/openapi-schema-validator';
    let input = ''; for await (const chunk of process.stdin) input += chunk;
    const validator = new Validator();
    const res = await validator.validate(JSON.parse(input));
    process.stdout.write(JSON.stringify({ valid: res.valid, version: validator.version, errors: res.errors }));`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: path.join(__dirname, '../..'),
    input: JSON.stringify(doc),
  });
  return JSON.parse(out.toString()) as { valid: boolean; version?: string; errors?: unknown };
}

const doc = buildOpenApi(routeTable, { devLogin: false });

function operation(method: string, p: string) {
  const op = doc.paths[p]?.[method];
  if (!op) throw new Error(`no ${method} ${p} in the document`);
  return op;
}

function bodySchema(method: string, p: string): JsonSchema {
  const schema = operation(method, p).requestBody?.content['application/json']?.schema;
  if (!schema) throw new Error(`no body for ${method} ${p}`);
  return schema;
}

describe('the OpenAPI document', () => {
  it('describes every route of the route table, and the check names a route it lacks', () => {
    expect(routeTable.length).toBeGreaterThan(20);
    expect(undescribed(doc, routeTable)).toEqual([]);
    const synthetic: RouteDef = {
      method: 'get',
      path: '/not-described/:id',
      access: 'user',
      summary: 'only in this test',
      handle: async () => null,
    };
    expect(undescribed(doc, [...routeTable, synthetic])).toEqual(['GET /not-described/:id']);
    // Described from the table, the same route is there.
    expect(undescribed(buildOpenApi([...routeTable, synthetic], { devLogin: false }), [synthetic])).toEqual(
      [],
    );
  });

  it('gives each route its summary, the tma scheme, path and query parameters and body from its schemas', () => {
    for (const route of routeTable) {
      const { path: p, params } = openApiPath(route.path);
      const op = operation(route.method, p);
      expect(op.summary).toBe(route.summary);
      expect(op.security).toEqual([{ tma: [] }]);
      const names = (op.parameters ?? []).map((x) => `${x.in}:${x.name}`);
      for (const name of params) expect(names).toContain(`path:${name}`);
      const queryKeys = route.query ? Object.keys((route.query as unknown as { shape: object }).shape) : [];
      expect(names.filter((n) => n.startsWith('query:')).sort()).toEqual(
        queryKeys.map((k) => `query:${k}`).sort(),
      );
      expect(Boolean(op.requestBody)).toBe(Boolean(route.body));
      expect(Object.keys(op.responses)).toContain(String(route.status ?? 200));
      for (const code of ['400', '401', '429', '503']) {
        expect(op.responses[code]).toEqual({ $ref: `#/components/responses/E${code}` });
      }
    }
    expect(doc.components.securitySchemes).toEqual({
      tma: expect.objectContaining({ type: 'apiKey', in: 'header', name: 'Authorization' }),
    });
    expect(operation('get', '/healthz').security).toEqual([]);
    // A download is the file itself, and Telegram may fail to give it.
    expect(operation('get', '/attachments/{id}').responses).toMatchObject({
      '200': { content: { '*/*': {} } },
      '502': { $ref: '#/components/responses/E502' },
    });
    expect(
      operation('post', '/tickets/{id}/messages').requestBody?.content['application/json'],
    ).toBeDefined();
  });

  it('a handler can only read its body with the schema its route declares (else 500, never a silent mismatch)', async () => {
    const declared = z.strictObject({ a: z.number() });
    const other = z.strictObject({ a: z.number(), b: z.number().optional() });
    const route = (schema: z.ZodType): RouteDef => ({
      method: 'post',
      path: '/probe',
      access: 'user',
      summary: 'probe',
      body: declared,
      handle: async ({ readBody }) => readBody(schema),
    });
    const appWith = (def: RouteDef) => {
      const app = express();
      const router = express.Router();
      const user = { id: 1, role: 'customer' } as User;
      mountRoutes(router, [def], {
        // A write notes its author for the read routing; nothing else of the services is used here.
        services: { reads: { wrote: () => undefined } } as unknown as RouteServices,
        authenticator: { authenticate: async () => user },
      });
      app.use(router);
      app.use(errorHandler(createLogger('test')));
      return app;
    };
    const good = appWith(route(declared));
    expect((await request(good).post('/probe').send({ a: 1 })).body).toEqual({ a: 1 });
    const refused = await request(good).post('/probe').send({ a: 'x' });
    expect([refused.status, refused.body.error.details]).toEqual([
      400,
      [{ path: 'a', message: expect.any(String) }],
    ]);
    const mismatched = await request(appWith(route(other)))
      .post('/probe')
      .send({ a: 1 });
    expect([mismatched.status, mismatched.body.error.code]).toEqual([500, 'internal']);
  });

  it('describes development sign-in only when it is mounted', () => {
    expect(Object.keys(doc.paths).filter((p) => p.startsWith('/dev/'))).toEqual([]);
    const dev = buildOpenApi(routeTable, { devLogin: true });
    expect(dev.paths['/dev/login']?.post?.requestBody).toBeDefined();
    expect(dev.paths['/dev/login-options']?.get).toBeDefined();
  });

  it('validates as OpenAPI 3.1, and the validator refuses a broken copy', () => {
    const result = validateOpenApi(doc);
    expect(result.errors ?? null).toBeNull();
    expect(result).toMatchObject({ valid: true, version: '3.1' });
    expect(validateOpenApi(buildOpenApi(routeTable, { devLogin: true })).valid).toBe(true);
    const broken = JSON.parse(JSON.stringify(doc)) as Record<string, unknown>;
    delete broken.info;
    expect(validateOpenApi(broken).valid).toBe(false);
  }, 60_000);
});

describe('served', () => {
  let t: TestApi;
  beforeAll(async () => {
    t = await startTestApi('api_openapi');
  });
  afterAll(async () => {
    await t.close();
  });

  it('at /api/v1/openapi.json without sign-in: the document the table builds', async () => {
    const res = await request(t.app).get('/api/v1/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body).toEqual(JSON.parse(JSON.stringify(doc)));
  });

  it('counts the document and the page per client address like any unauthenticated request', async () => {
    const limited = createApi({
      env: loadApiEnv({
        DATABASE_URL: t.database.url,
        TELEGRAM_BOT_TOKEN: TEST_BOT_TOKEN,
        RATE_LIMIT_PER_MIN: '2',
        NODE_ENV: 'test',
        LOG_LEVEL: 'silent',
      }),
      db: t.db,
      bus: t.bus,
    });
    await freshWindow();
    expect((await request(limited.app).get('/api/docs')).status).toBe(200);
    expect((await request(limited.app).get('/api/v1/openapi.json')).status).toBe(200);
    const third = await request(limited.app).get('/api/docs');
    expect([third.status, third.body.error?.code]).toEqual([429, 'rate_limited']);
    expect((await request(limited.app).get('/api/v1/openapi.json')).status).toBe(429);
    await limited.close();
  });

  it('as a page at /api/docs: every route, no script, under a CSP that loads nothing from elsewhere', async () => {
    const res = await request(t.app).get('/api/docs');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    for (const route of routeTable) {
      expect(res.text).toContain(
        `${route.method.toUpperCase()}</span> <code>${openApiPath(route.path).path}</code>`,
      );
    }
    expect(res.text).not.toMatch(/<script|<link|src=/i);
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toMatch(/style-src [^;]*'unsafe-inline'/);
  });

  it('answers what the document says it answers, successes and refusals', async () => {
    const ajv = new Ajv2020({ strict: false });
    const errorSchema = ajv.compile(doc.components.schemas?.Error as object);
    const { customer, agent, admin } = await team(t.uc);
    const checked = new Set<string>();
    async function call(who: { auth: string }, method: string, template: string, url: string, body?: object) {
      const req = request(t.app)[method as 'get'](`/api/v1${url}`).set('Authorization', who.auth);
      const res = await (body ? req.send(body) : req);
      const described = operation(method, template).responses[String(res.status)] as
        | { content?: Record<string, { schema: JsonSchema }>; $ref?: string }
        | undefined;
      expect([method, template, res.status, described !== undefined]).toEqual([
        method,
        template,
        res.status,
        true,
      ]);
      // A refusal by $ref has the shared error body; any other answer has the schema written beside it.
      const own = described?.content?.['application/json']?.schema;
      if (res.status !== 204) {
        const validate = described?.$ref ? errorSchema : ajv.compile(own as object);
        expect([template, res.status, validate(res.body), validate.errors ?? null]).toEqual([
          template,
          res.status,
          true,
          null,
        ]);
      }
      if (res.status < 300 && own) checked.add(`${method} ${template}`);
      return res.body as Record<string, unknown>;
    }
    await call(customer, 'get', '/healthz', '/healthz');
    await call(customer, 'get', '/readyz', '/readyz');
    await call(customer, 'get', '/me', '/me');
    const ticket = await call(customer, 'post', '/tickets', '/tickets', {
      subject: 'Оплата картой',
      body: 'не проходит оплата',
    });
    const id = ticket.id as number;
    await call(customer, 'get', '/tickets', '/tickets?limit=5');
    await call(agent, 'get', '/tickets', '/tickets?q=оплата');
    await call(agent, 'get', '/tickets/{id}', `/tickets/${id}`);
    await call(agent, 'post', '/tickets/{id}/messages', `/tickets/${id}/messages`, {
      body: 'note',
      internal: true,
    });
    await call(customer, 'post', '/tickets/{id}/messages', `/tickets/${id}/messages`, { body: 'ещё' });
    await call(agent, 'get', '/tickets/{id}/messages', `/tickets/${id}/messages`);
    const claimed = await call(agent, 'post', '/tickets/{id}/claim', `/tickets/${id}/claim`);
    await call(agent, 'patch', '/tickets/{id}', `/tickets/${id}`, {
      status: 'resolved',
      version: claimed.version,
    });
    await call(customer, 'post', '/tickets/{id}/rating', `/tickets/${id}/rating`, {
      score: 4,
      comment: 'ok',
    });
    await call(customer, 'post', '/tickets/{id}/read', `/tickets/${id}/read`, { seq: 1 });
    const category = await call(admin, 'post', '/categories', '/categories', {
      name: 'Described',
      description: null,
    });
    await call(admin, 'patch', '/categories/{id}', `/categories/${category.id}`, { position: 2 });
    await call(admin, 'delete', '/categories/{id}', `/categories/${category.id}`);
    await call(customer, 'get', '/categories', '/categories');
    const reply = await call(agent, 'post', '/canned-replies', '/canned-replies', {
      shortcut: 'hi',
      title: 'Hi',
      body: 'Hello',
    });
    await call(agent, 'patch', '/canned-replies/{id}', `/canned-replies/${reply.id}`, { body: 'Hello!' });
    await call(agent, 'get', '/canned-replies', '/canned-replies');
    await call(admin, 'get', '/agents', '/agents');
    await call(admin, 'put', '/agents/{telegramId}', `/agents/${customer.id}`, { role: 'customer' });
    const levels = await call(admin, 'get', '/settings/service-levels', '/settings/service-levels');
    await call(admin, 'put', '/settings/service-levels', '/settings/service-levels', levels);
    await call(agent, 'put', '/me/availability', '/me/availability', { status: 'away' });
    await call(agent, 'get', '/tickets', '/tickets?sort=due&sla=due_soon');
    await call(agent, 'post', '/tickets/bulk', '/tickets/bulk', { ids: [id], addTags: ['billing'] });
    await call(agent, 'get', '/tags', '/tags?q=bil');
    await call(admin, 'put', '/tags/{name}', '/tags/billing', { name: 'payments' });
    const duplicate = await call(customer, 'post', '/tickets', '/tickets', {
      subject: 'Again',
      body: 'same',
    });
    await call(agent, 'post', '/tickets/{id}/merge', `/tickets/${duplicate.id}/merge`, { into: id });
    await call(agent, 'patch', '/customers/{telegramId}', `/customers/${customer.id}`, { note: 'VIP' });
    await call(agent, 'get', '/customers/{telegramId}', `/customers/${customer.id}`);
    const report = await call(agent, 'get', '/stats/agents', '/stats/agents');
    expect(report.agents).toEqual([expect.objectContaining({ agentId: agent.id, handled: 1 })]);
    await t.uc.upsertUser(customer.profile, { botChatId: customer.id });
    await call(agent, 'post', '/tickets/{id}/request-contact', `/tickets/${id}/request-contact`);
    await call(admin, 'put', '/settings/contact-step', '/settings/contact-step', { required: false });
    await call(admin, 'get', '/settings/contact-step', '/settings/contact-step');
    // Refusals: each status is one the operation declares, with the shared error body.
    await call(customer, 'get', '/tickets/{id}', '/tickets/2147483647');
    await call(customer, 'get', '/agents', '/agents');
    await call(customer, 'post', '/tickets', '/tickets', { subject: '' });
    await call(agent, 'post', '/tickets/{id}/claim', `/tickets/${id}/claim`);
    await call({ auth: 'tma nope' }, 'get', '/me', '/me');
    await call(customer, 'get', '/attachments/{id}', '/attachments/2147483647');
    t.api.startDraining();
    await call(customer, 'get', '/readyz', '/readyz');
    // Every route that declares a response schema was checked against a real answer.
    const declared = routeTable
      .filter((r) => r.response)
      .map((r) => `${r.method} ${openApiPath(r.path).path}`);
    expect(declared.filter((d) => !checked.has(d))).toEqual([]);
  });

  /**
   * The body schema in the document and the route agree: ajv (JSON Schema 2020-12) on the document's schema
   * and the route on the same input give the same verdict, for a valid and for invalid bodies.
   */
  it('body schemas accept and refuse what the routes accept and refuse (tickets, categories, agents, rating)', async () => {
    const ajv = new Ajv2020({ strict: false });
    const { customer, admin, agent } = await team(t.uc);
    const rateable = await resolvedTicketOf(t.uc, customer, agent);
    const cases: {
      method: 'post' | 'put';
      path: string;
      url: string;
      auth: string;
      ok: object;
      bad: object[];
    }[] = [
      {
        method: 'post',
        path: '/tickets',
        url: '/api/v1/tickets',
        auth: customer.auth,
        ok: { subject: 'Schema check', body: 'hello', categoryId: null },
        bad: [
          { subject: 'no body' },
          { subject: 's', body: 'b', priority: 'asap' },
          { subject: 's', body: 'b', x: 1 },
        ],
      },
      {
        method: 'post',
        path: '/categories',
        url: '/api/v1/categories',
        auth: admin.auth,
        ok: { name: 'Schema category', position: 3 },
        bad: [{ position: 3 }, { name: 'n', position: -1 }, { name: 'n', color: 'red' }],
      },
      {
        method: 'put',
        path: '/agents/{telegramId}',
        url: `/api/v1/agents/${customer.id}`,
        auth: admin.auth,
        ok: { role: 'agent' },
        bad: [{}, { role: 'boss' }, { role: 'agent', note: 'x' }],
      },
      {
        method: 'post',
        path: '/tickets/{id}/rating',
        url: `/api/v1/tickets/${rateable.id}/rating`,
        auth: customer.auth,
        ok: { score: 5, comment: 'thanks' },
        bad: [{ score: 6 }, { score: 2.5 }, { comment: 'no score' }],
      },
    ];
    for (const c of cases) {
      const validate = ajv.compile(bodySchema(c.method, c.path) as object);
      const send = (body: object) => request(t.app)[c.method](c.url).set('Authorization', c.auth).send(body);
      for (const body of c.bad) {
        expect([c.path, body, validate(body)]).toEqual([c.path, body, false]);
        const res = await send(body);
        expect([c.path, body, res.status, res.body.error?.code]).toEqual([
          c.path,
          body,
          400,
          'validation_failed',
        ]);
      }
      expect([c.path, validate(c.ok)]).toEqual([c.path, true]);
      const res = await send(c.ok);
      expect([c.path, res.status]).toEqual([
        c.path,
        operation(c.method, c.path).responses['201'] ? 201 : 200,
      ]);
    }
  });
});
