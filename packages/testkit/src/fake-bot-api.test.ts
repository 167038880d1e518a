import { makeCallbackUpdate, makeTextUpdate } from './bot-updates';
import { type FakeBotApi, startFakeBotApi } from './fake-bot-api';
import { TEST_BOT_TOKEN } from './init-data';
import type { BotApiAnswer, TgMessage } from './telegram-types';

type Answer = BotApiAnswer;

describe('fake Bot API over HTTP', () => {
  let api: FakeBotApi;
  const call = async (method: string, body?: unknown, token = TEST_BOT_TOKEN) => {
    const res = await fetch(`${api.apiRoot}/bot${token}/${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body ?? {}),
    });
    return { status: res.status, body: (await res.json()) as Answer };
  };

  beforeEach(async () => {
    api = await startFakeBotApi();
  });
  afterEach(() => api.close());

  it('answers getMe, 404 for unknown methods and 401 for a wrong token', async () => {
    expect(api.apiRoot).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const me = await call('getMe');
    expect(me.status).toBe(200);
    expect(me.body).toEqual({ ok: true, result: expect.objectContaining({ id: 123456789, is_bot: true }) });
    expect(await call('sendTeleport')).toEqual({
      status: 404,
      body: { ok: false, error_code: 404, description: 'Not Found: method not found' },
    });
    const wrong = await call('getMe', {}, '1:wrong');
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual({ ok: false, error_code: 401, description: 'Unauthorized' });
    expect(api.calls.map((c) => c.method)).toEqual(['getMe', 'sendTeleport']);
  });

  it('serves files put with putFile through getFile and the file path, and only those', async () => {
    api.putFile('photo-1', { path: 'photos/p1.png', content: Buffer.from('PNGDATA') });
    const file = await call('getFile', { file_id: 'photo-1' });
    expect(file.body).toEqual({
      ok: true,
      result: expect.objectContaining({ file_id: 'photo-1', file_path: 'photos/p1.png', file_size: 7 }),
    });
    const bytes = await fetch(`${api.apiRoot}/file/bot${TEST_BOT_TOKEN}/photos/p1.png`);
    expect(Buffer.from(await bytes.arrayBuffer()).toString()).toBe('PNGDATA');
    expect((await fetch(`${api.apiRoot}/file/bot${TEST_BOT_TOKEN}/photos/other.png`)).status).toBe(404);
  });

  it('sends messages from JSON, urlencoded and multipart bodies with increasing ids', async () => {
    const markup = { inline_keyboard: [[{ text: 'Open', callback_data: 'open:1' }]] };
    const a = await call('sendMessage', { chat_id: 42, text: 'Привет', reply_markup: markup });
    expect(a.body.ok).toBe(true);
    const first = a.body.result as TgMessage;
    expect(first).toMatchObject({ chat: { id: 42, type: 'private' }, text: 'Привет', reply_markup: markup });
    expect(first.from?.is_bot).toBe(true);

    const form = new URLSearchParams({ chat_id: '42', text: 'second', reply_markup: JSON.stringify(markup) });
    const b = await fetch(`${api.apiRoot}/bot${TEST_BOT_TOKEN}/sendMessage`, { method: 'POST', body: form });
    const second = ((await b.json()) as Answer).result as TgMessage;
    expect(second.message_id).toBeGreaterThan(first.message_id);

    const multipart = new FormData();
    multipart.set('chat_id', '42');
    multipart.set('caption', 'screenshot');
    multipart.set('photo', new Blob([Buffer.alloc(2048, 1)], { type: 'image/png' }), 'shot.png');
    const c = await fetch(`${api.apiRoot}/bot${TEST_BOT_TOKEN}/sendPhoto`, {
      method: 'POST',
      body: multipart,
    });
    expect(c.status).toBe(200);

    const [json, urlencoded] = api.callsOf('sendMessage');
    expect(json?.encoding).toBe('json');
    expect(urlencoded).toMatchObject({
      encoding: 'urlencoded',
      params: { chat_id: 42, text: 'second', reply_markup: markup },
    });
    const photo = api.callsOf('sendPhoto')[0];
    expect(photo).toMatchObject({ encoding: 'multipart', params: { chat_id: 42, caption: 'screenshot' } });
    expect(photo?.files.photo).toMatchObject({ filename: 'shot.png', contentType: 'image/png', size: 2048 });
    expect(api.sentMessages(42).map((m) => m.text ?? m.caption)).toEqual(['Привет', 'second', 'screenshot']);
  });

  it('rejects what Telegram rejects', async () => {
    expect((await call('sendMessage', { chat_id: 1, text: '' })).body.description).toBe(
      'Bad Request: message text is empty',
    );
    expect((await call('sendMessage', { chat_id: 1, text: 'x'.repeat(4097) })).status).toBe(400);
    const long = { inline_keyboard: [[{ text: 'x', callback_data: 'y'.repeat(65) }]] };
    expect((await call('sendMessage', { chat_id: 1, text: 'x', reply_markup: long })).body.description).toBe(
      'Bad Request: BUTTON_DATA_INVALID',
    );
    expect((await call('setWebhook', { url: 'http://example.com/hook' })).status).toBe(400);
    expect((await call('editMessageText', { chat_id: 1, message_id: 999, text: 'x' })).body.description).toBe(
      'Bad Request: message to edit not found',
    );
  });

  it('edits messages and refuses a no-op edit', async () => {
    const sent = (await call('sendMessage', { chat_id: 5, text: 'v1' })).body.result as TgMessage;
    const edited = await call('editMessageText', { chat_id: 5, message_id: sent.message_id, text: 'v2' });
    expect(edited.body.result).toMatchObject({
      message_id: sent.message_id,
      text: 'v2',
      edit_date: expect.any(Number),
    });
    const same = await call('editMessageText', { chat_id: 5, message_id: sent.message_id, text: 'v2' });
    expect(same.status).toBe(400);
    expect(same.body.description).toMatch(/^Bad Request: message is not modified/);
    const markup = { inline_keyboard: [[{ text: '1', callback_data: 'rate:1' }]] };
    const withMarkup = await call('editMessageReplyMarkup', {
      chat_id: 5,
      message_id: sent.message_id,
      reply_markup: markup,
    });
    expect(withMarkup.body.result).toMatchObject({ reply_markup: markup });
  });

  it('long-polls getUpdates, honours offset and limit and drops confirmed updates', async () => {
    const from = { id: 1001, language_code: 'ru' };
    const started = Date.now();
    const pending = call('getUpdates', { timeout: 5 });
    await api.waitForCall('getUpdates');
    await new Promise((r) => setTimeout(r, 100));
    const pushed = api.pushUpdate(makeTextUpdate({ from, text: '/start' }));
    const first = await pending;
    expect(Date.now() - started).toBeLessThan(2000);
    expect(first.body.result).toEqual([pushed]);
    expect(pushed.update_id).toBe(1);

    api.pushUpdate(makeTextUpdate({ from, text: 'two' }));
    api.pushUpdate(makeTextUpdate({ from, text: 'three' }));
    const limited = await call('getUpdates', { offset: 2, limit: 1 });
    expect((limited.body.result as Array<{ update_id: number }>).map((u) => u.update_id)).toEqual([2]);
    expect(api.pendingUpdates().map((u) => u.update_id)).toEqual([2, 3]);
    await call('getUpdates', { offset: 4 });
    expect(api.pendingUpdates()).toEqual([]);

    const waited = Date.now();
    const empty = await call('getUpdates', { offset: 4, timeout: 1 });
    expect(empty.body.result).toEqual([]);
    expect(Date.now() - waited).toBeGreaterThanOrEqual(900);
  });

  it('refuses getUpdates while a webhook is set and ends an older poll with 409', async () => {
    const older = call('getUpdates', { timeout: 10 });
    await api.waitForCall('getUpdates');
    const newer = call('getUpdates', { timeout: 1 });
    expect((await older).status).toBe(409);
    await newer;
    expect(
      (await call('setWebhook', { url: 'https://bot.example/telegram/webhook', secret_token: 's3cr3t' })).body
        .ok,
    ).toBe(true);
    expect((await call('getUpdates')).status).toBe(409);
    expect((await call('getWebhookInfo')).body.result).toMatchObject({
      url: 'https://bot.example/telegram/webhook',
    });
    expect(api.webhook?.secretToken).toBe('s3cr3t');
  });

  it('injects 429 with retry_after and 5xx failures', async () => {
    api.failNext('sendMessage', 1, { errorCode: 429, retryAfter: 2 });
    api.failNext('*', 1, { errorCode: 502 });
    const limited = await call('sendMessage', { chat_id: 7, text: 'a' });
    expect(limited).toEqual({
      status: 429,
      body: {
        ok: false,
        error_code: 429,
        description: 'Too Many Requests: retry after 2',
        parameters: { retry_after: 2 },
      },
    });
    expect((await call('getMe')).body).toEqual({ ok: false, error_code: 502, description: 'Bad Gateway' });
    expect((await call('sendMessage', { chat_id: 7, text: 'a' })).status).toBe(200);
    expect(api.callsOf('sendMessage').map((c) => c.ok)).toEqual([false, true]);
    expect(api.sentMessagesPerChat().get(7)).toHaveLength(1);
  });

  it('goes down with connection resets or nginx 502 and comes back', async () => {
    api.setDown(true);
    await expect(call('getMe')).rejects.toThrow();
    api.setDown(true, { mode: 'bad-gateway', forMs: 200 });
    const res = await fetch(`${api.apiRoot}/bot${TEST_BOT_TOKEN}/getMe`);
    expect(res.status).toBe(502);
    expect(await res.text()).toContain('502 Bad Gateway');
    await new Promise((r) => setTimeout(r, 250));
    expect((await call('getMe')).status).toBe(200);
  });

  it('keeps a per-chat clock of sends', async () => {
    for (const chat of [1, 1, 1, 2]) await call('sendMessage', { chat_id: chat, text: 'x' });
    await call('sendChatAction', { chat_id: 1, action: 'typing' });
    const clock = api.sentMessagesPerChat();
    expect(clock.get(1)).toHaveLength(3);
    expect(clock.get(2)).toHaveLength(1);
    expect(api.maxSendsInWindow(1000, 1)).toBe(3);
    expect(api.maxSendsInWindow(1000)).toBe(4);
    expect(api.maxSendsInWindow(1000, 3)).toBe(0);
  });

  it('refuses getFile for a file_id Telegram never gave', async () => {
    expect(await call('getFile', { file_id: 'BQACAgIAAx' })).toEqual({
      status: 400,
      body: { ok: false, error_code: 400, description: 'Bad Request: invalid file_id' },
    });
  });

  it('waitForCall sees future calls and times out with the calls it saw', async () => {
    setTimeout(() => void call('answerCallbackQuery', { callback_query_id: '1' }), 50);
    const answered = await api.waitForCall('answerCallbackQuery');
    expect(answered.params).toEqual({ callback_query_id: '1' });
    await expect(api.waitForCall('sendPhoto', undefined, 50)).rejects.toThrow(
      /no matching sendPhoto call within 50 ms/,
    );
  });

  it('lets a callback message from a pushed update be edited by the bot', async () => {
    const sent = (await call('sendMessage', { chat_id: 9, text: 'Rate us' })).body.result as TgMessage;
    api.pushUpdate(makeCallbackUpdate({ from: { id: 9 }, data: 'rate:5', message: sent }));
    const res = await call('editMessageText', { chat_id: 9, message_id: sent.message_id, text: 'Thanks!' });
    expect(res.status).toBe(200);
    const user = api.pushUpdate(makeTextUpdate({ from: { id: 9 }, text: 'hi' }));
    const userMessageId = user.message?.message_id;
    const refused = await call('editMessageText', { chat_id: 9, message_id: userMessageId, text: 'x' });
    expect(refused.body.description).toBe("Bad Request: message can't be edited");
  });

  it('respond() overrides a method', async () => {
    api.respond('getChatMember', (params) => ({ status: 'member', user: { id: params.user_id } }));
    expect((await call('getChatMember', { chat_id: -100, user_id: 5 })).body.result).toEqual({
      status: 'member',
      user: { id: 5 },
    });
  });
});
