import request from 'supertest';
import { ticketOf } from './helpers/fixtures';
import { type Person, team } from './helpers/people';
import { startTestApi, type TestApi } from './helpers/test-api';

/** GET/PUT /settings/service-levels, PUT /me/availability, `sla` on tickets and the SLA list filters. */
let t: TestApi;
let agent: Person;
let admin: Person;
let customer: Person;

beforeAll(async () => {
  t = await startTestApi('api_service_levels');
  ({ agent, admin, customer } = await team(t.uc));
});
afterAll(async () => {
  await t.close();
});

const api = (who: Person) => ({
  get: (path: string) => request(t.app).get(`/api/v1${path}`).set('Authorization', who.auth),
  put: (path: string, body: unknown) =>
    request(t.app)
      .put(`/api/v1${path}`)
      .set('Authorization', who.auth)
      .send(body as object),
});

describe('settings', () => {
  it('an admin reads the defaults and replaces them', async () => {
    const res = await api(admin).get('/settings/service-levels');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ timezone: 'Europe/Moscow', assignment: { mode: 'manual' } });
    const next = { ...res.body, timezone: 'Asia/Yekaterinburg', holidays: ['2027-01-01', '2026-12-31'] };
    const put = await api(admin).put('/settings/service-levels', next);
    expect(put.status).toBe(200);
    expect(put.body.holidays).toEqual(['2026-12-31', '2027-01-01']);
    expect((await api(admin).get('/settings/service-levels')).body.timezone).toBe('Asia/Yekaterinburg');
  });

  it.each([
    ['timezone', { timezone: 'Nowhere/Land' }],
    [
      'hours.tue.0.0',
      { hours: { mon: [], tue: [['25:00', '18:00']], wed: [], thu: [], fri: [], sat: [], sun: [] } },
    ],
    ['hours', { hours: { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] } }],
    ['holidays.0', { holidays: ['2026-13-01'] }],
    ['assignment.mode', { assignment: { mode: 'random', maxOpenPerAgent: 5 } }],
    ['assignment.maxOpenPerAgent', { assignment: { mode: 'manual', maxOpenPerAgent: 0 } }],
    ['autoReply.en', { autoReply: { enabled: true, ru: 'ok', en: '' } }],
  ])('a bad %s is a 400 naming it, and nothing changes', async (field, patch) => {
    const before = (await api(admin).get('/settings/service-levels')).body;
    const res = await api(admin).put('/settings/service-levels', { ...before, ...patch });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body.error.details)).toContain(`"${field}"`);
    expect((await api(admin).get('/settings/service-levels')).body).toEqual(before);
  });

  it('agents and customers get 403, even with a valid body', async () => {
    const body = (await api(admin).get('/settings/service-levels')).body;
    for (const who of [agent, customer]) {
      expect((await api(who).get('/settings/service-levels')).status).toBe(403);
      expect((await api(who).put('/settings/service-levels', body)).status).toBe(403);
    }
  });
});

describe('availability', () => {
  it('an agent goes away and back; /me says so; a customer gets 403; a bad status is a 400', async () => {
    const away = await api(agent).put('/me/availability', { status: 'away' });
    expect(away.status).toBe(200);
    expect(away.body.availability).toBe('away');
    expect((await api(agent).get('/me')).body.availability).toBe('away');
    expect((await api(agent).put('/me/availability', { status: 'online' })).body.availability).toBe('online');
    expect((await api(customer).put('/me/availability', { status: 'away' })).status).toBe(403);
    const bad = await api(agent).put('/me/availability', { status: 'busy' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body.error.details)).toContain('"status"');
  });
});

describe('tickets', () => {
  it('carry sla; staff filter and sort by it; a customer asking for those gets 403', async () => {
    const ticket = await ticketOf(t.uc, customer);
    const one = await api(customer).get(`/tickets/${ticket.id}`);
    expect(Object.keys(one.body.sla).sort()).toEqual([
      'breachedAt',
      'firstResponseDueAt',
      'nextResponseDueAt',
      'pausedAt',
      'resolutionDueAt',
    ]);
    expect(one.body.sla.firstResponseDueAt).toEqual(expect.any(String));
    const due = await api(agent).get('/tickets?sort=due');
    expect(due.status).toBe(200);
    expect(due.body.items.map((i: { id: number }) => i.id)).toContain(ticket.id);
    expect((await api(agent).get('/tickets?sla=breached')).status).toBe(200);
    expect((await api(agent).get('/tickets?sla=due_soon&assignee=me')).status).toBe(200);
    const bad = await api(agent).get('/tickets?sla=late');
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body.error.details)).toContain('"sla"');
    expect((await api(customer).get('/tickets?sort=due')).status).toBe(403);
    expect((await api(customer).get('/tickets?sla=breached')).status).toBe(403);
  });
});
