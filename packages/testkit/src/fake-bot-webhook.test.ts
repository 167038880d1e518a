import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { makeTextUpdate } from './bot-updates';
import { type FakeBotApi, startFakeBotApi } from './fake-bot-api';

describe('fake Bot API webhook delivery', () => {
  let api: FakeBotApi;
  const received: Array<{ secret: string | undefined; body: { update_id: number } }> = [];
  const bot = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const secret = req.headers['x-telegram-bot-api-secret-token'];
      const body = JSON.parse(Buffer.concat(chunks).toString()) as {
        update_id: number;
        message: { chat: { id: number } };
      };
      received.push({ secret: typeof secret === 'string' ? secret : undefined, body });
      if (secret !== 'right') {
        res.writeHead(401).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ method: 'sendMessage', chat_id: body.message.chat.id, text: 'got it' }));
    });
  });
  let url = '';

  beforeAll(async () => {
    await new Promise<void>((resolve) => bot.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(bot.address() as AddressInfo).port}/telegram/webhook`;
  });
  afterAll(() => new Promise<void>((resolve) => bot.close(() => resolve())));
  beforeEach(async () => {
    received.length = 0;
    api = await startFakeBotApi();
  });
  afterEach(() => api.close());

  it('posts the update with the secret header and runs a method returned in the response', async () => {
    const status = await api.deliverWebhook(makeTextUpdate({ from: { id: 55 }, text: 'hello' }), {
      url,
      secret: 'right',
    });
    expect(status).toBe(200);
    expect(received[0]).toMatchObject({ secret: 'right', body: { update_id: 1 } });
    const reply = await api.waitForCall('sendMessage');
    expect(reply).toMatchObject({ via: 'webhook-reply', ok: true, params: { chat_id: 55, text: 'got it' } });
  });

  it('returns the status a wrong or missing secret gets', async () => {
    expect(
      await api.deliverWebhook(makeTextUpdate({ from: { id: 55 }, text: 'x' }), { url, secret: 'wrong' }),
    ).toBe(401);
    expect(
      await api.deliverWebhook(makeTextUpdate({ from: { id: 55 }, text: 'x' }), { url, secret: null }),
    ).toBe(401);
    expect(received.map((r) => r.secret)).toEqual(['wrong', undefined]);
    expect(received.map((r) => r.body.update_id)).toEqual([1, 2]);
    expect(api.callsOf('sendMessage')).toEqual([]);
  });

  it('defaults to the webhook the bot registered', async () => {
    await expect(api.deliverWebhook(makeTextUpdate({ from: { id: 1 }, text: 'x' }))).rejects.toThrow(
      /no url/,
    );
    const local = await startFakeBotApi({ allowHttpWebhook: true });
    try {
      const res = await fetch(`${local.apiRoot}/bot${local.token}/setWebhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ url, secret_token: 'right' }),
      });
      expect(res.status).toBe(200);
      expect(await local.deliverWebhook(makeTextUpdate({ from: { id: 1 }, text: 'x' }))).toBe(200);
      expect(received[0]?.secret).toBe('right');
    } finally {
      await local.close();
    }
  });
});
