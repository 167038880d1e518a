import { makeMediaUpdate, makePhotoUpdate } from './bot-updates';
import { type FakeBotApi, startFakeBotApi } from './fake-bot-api';
import { GET_FILE_MAX_BYTES } from './fake-bot-files';
import { TEST_BOT_TOKEN } from './init-data';
import type { BotApiAnswer, TgMessage } from './telegram-types';

type Answer = BotApiAnswer;

/** A 3x2 PNG header: enough for the fake to read its size. */
const PNG = Buffer.concat([
  Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'),
  Buffer.from([0, 0, 0, 3, 0, 0, 0, 2]),
  Buffer.alloc(40, 1),
]);

describe('fake Bot API: files', () => {
  let api: FakeBotApi;
  const url = (method: string) => `${api.apiRoot}/bot${TEST_BOT_TOKEN}/${method}`;
  const json = async (method: string, body: unknown) => {
    const res = await fetch(url(method), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Answer };
  };
  const form = async (
    method: string,
    fields: Record<string, string | Blob>,
    names: Record<string, string> = {},
  ) => {
    const data = new FormData();
    for (const [key, value] of Object.entries(fields)) {
      if (typeof value === 'string') data.set(key, value);
      else data.set(key, value, names[key] ?? key);
    }
    const res = await fetch(url(method), { method: 'POST', body: data });
    return { status: res.status, body: (await res.json()) as Answer };
  };
  const download = async (fileId: string) => {
    const file = await json('getFile', { file_id: fileId });
    if (!file.body.ok) return file;
    const path = (file.body.result as { file_path: string }).file_path;
    const res = await fetch(`${api.apiRoot}/file/bot${TEST_BOT_TOKEN}/${path}`);
    return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()) };
  };

  beforeEach(async () => {
    api = await startFakeBotApi();
  });
  afterEach(() => api.close());

  it('takes a multipart photo upload, answers a file_id, serves the bytes and accepts the id again', async () => {
    const sent = await form(
      'sendPhoto',
      { chat_id: '42', caption: 'shot', photo: new Blob([PNG], { type: 'image/png' }) },
      { photo: 'a.png' },
    );
    expect(sent.status).toBe(200);
    const message = sent.body.result as TgMessage;
    const largest = message.photo?.at(-1);
    expect(largest).toMatchObject({ width: 3, height: 2, file_size: PNG.length });
    expect(message.caption).toBe('shot');
    const fileId = largest?.file_id ?? '';
    expect(api.callsOf('sendPhoto')[0]?.files.photo?.content.equals(PNG)).toBe(true);
    expect(await download(fileId)).toEqual({ status: 200, bytes: PNG });

    const again = await json('sendPhoto', { chat_id: 43, photo: fileId });
    expect((again.body.result as TgMessage).photo?.at(-1)?.file_id).toBe(fileId);
    expect(await json('sendDocument', { chat_id: 43, document: fileId })).toMatchObject({
      status: 400,
      body: { description: 'Bad Request: type of file mismatch' },
    });
    expect(await json('sendPhoto', { chat_id: 43, photo: 'AgACAgIAAxkBAAInvented' })).toMatchObject({
      status: 400,
      body: { description: 'Bad Request: wrong file identifier/HTTP URL specified' },
    });
  });

  it('sends documents, voice, video and audio with the metadata Telegram reports', async () => {
    const doc = await form(
      'sendDocument',
      { chat_id: '7', document: new Blob(['%PDF-1.4'], { type: 'application/pdf' }) },
      { document: 'contract.pdf' },
    );
    expect((doc.body.result as TgMessage).document).toMatchObject({
      file_name: 'contract.pdf',
      mime_type: 'application/pdf',
      file_size: 8,
    });
    const voice = await form(
      'sendVoice',
      { chat_id: '7', voice: new Blob(['OggS....'], { type: 'audio/ogg' }) },
      { voice: 'v.ogg' },
    );
    expect((voice.body.result as TgMessage).voice).toMatchObject({ mime_type: 'audio/ogg', file_size: 8 });
    const video = await form(
      'sendVideo',
      { chat_id: '7', video: new Blob(['....ftypmp42'], { type: 'video/mp4' }) },
      { video: 'clip.mp4' },
    );
    expect((video.body.result as TgMessage).video).toMatchObject({
      mime_type: 'video/mp4',
      file_name: 'clip.mp4',
    });
    const audio = await form(
      'sendAudio',
      { chat_id: '7', audio: new Blob(['ID3'], { type: 'audio/mpeg' }) },
      { audio: 'song.mp3' },
    );
    expect((audio.body.result as TgMessage).audio).toMatchObject({ file_name: 'song.mp3', file_size: 3 });
    expect(api.sentMessages(7)).toHaveLength(4);
    expect(api.callsOf('sendVoice')[0]?.encoding).toBe('multipart');
  });

  it('refuses a caption over 1024 characters and an empty upload', async () => {
    const long = await form('sendDocument', {
      chat_id: '7',
      caption: 'x'.repeat(1025),
      document: new Blob(['a']),
    });
    expect(long).toMatchObject({
      status: 400,
      body: { description: 'Bad Request: message caption is too long' },
    });
    const empty = await form('sendDocument', { chat_id: '7', document: new Blob([]) });
    expect(empty).toMatchObject({
      status: 400,
      body: { description: 'Bad Request: file must be non-empty' },
    });
  });

  it('sends an album from attach:// parts and refuses documents mixed with photos', async () => {
    const media = [
      { type: 'photo', media: 'attach://f0', caption: 'two shots' },
      { type: 'photo', media: 'attach://f1' },
    ];
    const album = await form('sendMediaGroup', {
      chat_id: '9',
      media: JSON.stringify(media),
      f0: new Blob([PNG], { type: 'image/png' }),
      f1: new Blob([PNG], { type: 'image/png' }),
    });
    expect(album.status).toBe(200);
    const messages = album.body.result as TgMessage[];
    expect(messages).toHaveLength(2);
    expect(messages[0]?.media_group_id).toBeDefined();
    expect(messages[0]?.media_group_id).toBe(messages[1]?.media_group_id);
    expect(messages[0]?.caption).toBe('two shots');

    const mixed = await form('sendMediaGroup', {
      chat_id: '9',
      media: JSON.stringify([
        { type: 'photo', media: 'attach://a' },
        { type: 'document', media: 'attach://b' },
      ]),
      a: new Blob([PNG]),
      b: new Blob(['doc']),
    });
    expect(mixed).toMatchObject({
      status: 400,
      body: { description: "Bad Request: document can't be mixed with other media types" },
    });
    const missing = await json('sendMediaGroup', {
      chat_id: 9,
      media: [
        { type: 'photo', media: 'attach://nope' },
        { type: 'photo', media: 'attach://nope2' },
      ],
    });
    expect(missing).toMatchObject({
      status: 400,
      body: { description: "Bad Request: can't parse InputMedia: media not found" },
    });
    const one = await json('sendMediaGroup', { chat_id: 9, media: [{ type: 'photo', media: 'x' }] });
    expect(one.status).toBe(400);
  });

  it('answers 403 for every send to a user who blocked the bot, and 429 when told', async () => {
    api.blockChat(5);
    const blocked = await form('sendPhoto', { chat_id: '5', photo: new Blob([PNG]) });
    expect(blocked).toEqual({
      status: 403,
      body: { ok: false, error_code: 403, description: 'Forbidden: bot was blocked by the user' },
    });
    expect((await json('sendMessage', { chat_id: 5, text: 'hi' })).status).toBe(403);
    api.blockChat(5, false);
    api.failNext('sendPhoto', 1, { retryAfter: 3 });
    const limited = await form('sendPhoto', { chat_id: '5', photo: new Blob([PNG]) });
    expect(limited).toMatchObject({ status: 429, body: { parameters: { retry_after: 3 } } });
  });

  it('knows the files of delivered updates, copies them, and refuses getFile over 20 MB', async () => {
    const photo = api.pushUpdate(makePhotoUpdate({ from: { id: 11 } })).message as TgMessage;
    const voice = api.pushUpdate(makeMediaUpdate({ from: { id: 11 }, kind: 'voice' })).message as TgMessage;
    const big = api.pushUpdate(
      makeMediaUpdate({ from: { id: 11 }, kind: 'video', fileSize: GET_FILE_MAX_BYTES + 1 }),
    ).message as TgMessage;
    expect((await download(photo.photo?.at(-1)?.file_id ?? '')).status).toBe(200);
    expect((await download(voice.voice?.file_id ?? '')).status).toBe(200);
    expect(await download(big.video?.file_id ?? '')).toEqual({
      status: 400,
      body: { ok: false, error_code: 400, description: 'Bad Request: file is too big' },
    });
    const copied = await json('copyMessage', {
      chat_id: 77,
      from_chat_id: 11,
      message_id: voice.message_id,
      caption: '#12',
    });
    expect(copied.status).toBe(200);
    const inChat = api.calls.filter((c) => c.method === 'copyMessage' && c.ok);
    expect(inChat).toHaveLength(1);
    const resent = await json('sendVoice', { chat_id: 77, voice: voice.voice?.file_id });
    expect((resent.body.result as TgMessage).voice?.file_id).toBe(voice.voice?.file_id);
  });

  it('copyMessages keeps an album together, skips ids it cannot find, and checks its ids', async () => {
    const album = [1, 2, 3].map(
      (n) =>
        api.pushUpdate(makePhotoUpdate({ from: { id: 12 }, mediaGroupId: 'g-12', caption: `item ${n}` }))
          .message as TgMessage,
    );
    const ids = album.map((m) => m.message_id);
    const copied = await json('copyMessages', {
      chat_id: 78,
      from_chat_id: 12,
      message_ids: [...ids, 999_999],
      remove_caption: true,
    });
    expect(copied.status).toBe(200);
    const made = copied.body.result as Array<{ message_id: number }>;
    expect(made).toHaveLength(3);
    const copies = made.map((c) => api.message(78, c.message_id) as TgMessage);
    expect(copies.map((m) => Boolean(m.photo))).toEqual([true, true, true]);
    expect(new Set(copies.map((m) => m.media_group_id)).size).toBe(1);
    expect(copies[0]?.media_group_id).not.toBe('g-12');
    expect(copies.some((m) => m.caption !== undefined)).toBe(false);
    const bad = async (message_ids: unknown) =>
      (await json('copyMessages', { chat_id: 78, from_chat_id: 12, message_ids })).body.description;
    expect(await bad([])).toBe('Bad Request: message identifiers are not specified');
    expect(await bad([ids[1], ids[0]])).toBe(
      'Bad Request: message identifiers must be in a strictly increasing order',
    );
    expect(await bad(Array.from({ length: 101 }, (_, i) => i + 1))).toBe(
      'Bad Request: too many messages to copy',
    );
    expect(await bad([999_998, 999_999])).toBe('Bad Request: message to copy not found');
  });
});
