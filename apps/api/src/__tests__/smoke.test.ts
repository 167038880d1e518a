import request from 'supertest';
import { team } from './helpers/people';
import { startTestApi, type TestApi } from './helpers/test-api';

let t: TestApi;
beforeAll(async () => {
  t = await startTestApi('api_smoke');
});
afterAll(async () => {
  await t.close();
});

describe('the API serves', () => {
  it('health and readiness at the root and under /api/v1, metrics at the root only', async () => {
    for (const prefix of ['', '/api/v1']) {
      expect((await request(t.app).get(`${prefix}/healthz`)).status).toBe(200);
      const ready = await request(t.app).get(`${prefix}/readyz`);
      expect(ready.status).toBe(200);
      expect(ready.body).toEqual({ status: 'ready', checks: { db: true, bus: true } });
    }
    const metrics = await request(t.app).get('/metrics');
    expect(metrics.text).toContain('http_request_duration_seconds');
    expect((await request(t.app).get('/api/v1/metrics')).status).toBe(404);
  });

  it('a customer opens a ticket, reads it and writes on it', async () => {
    const { customer } = await team(t.uc);
    const created = await request(t.app)
      .post('/api/v1/tickets')
      .set('Authorization', customer.auth)
      .send({ subject: 'Не работает оплата', body: 'Карта не проходит' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      subject: 'Не работает оплата',
      customerId: customer.id,
      status: 'new',
    });
    const id = created.body.id as number;
    const read = await request(t.app).get(`/api/v1/tickets/${id}`).set('Authorization', customer.auth);
    expect(read.status).toBe(200);
    expect(read.body.customer.id).toBe(customer.id);
    const posted = await request(t.app)
      .post(`/api/v1/tickets/${id}/messages`)
      .set('Authorization', customer.auth)
      .send({ body: 'ещё деталь', clientMessageId: 'c-1' });
    expect(posted.status).toBe(201);
    const again = await request(t.app)
      .post(`/api/v1/tickets/${id}/messages`)
      .set('Authorization', customer.auth)
      .send({ body: 'ещё деталь', clientMessageId: 'c-1' });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(posted.body.id);
    const list = await request(t.app).get('/api/v1/tickets?limit=5').set('Authorization', customer.auth);
    expect(list.status).toBe(200);
    expect(list.body.items.map((x: { id: number }) => x.id)).toEqual([id]);
    const me = await request(t.app).get('/api/v1/me').set('Authorization', customer.auth);
    expect(me.body).toMatchObject({ id: customer.id, role: 'customer', language: 'en' });
  });
});
