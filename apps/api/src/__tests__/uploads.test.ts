import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VOICE_REMUX_MAX_BYTES } from '@tikethet/domain';
import { type FakeBotApi, startFakeBotApi } from '@tikethet/testkit';
import request from 'supertest';
import { telegramFile, ticketOf } from './helpers/fixtures';
import { team } from './helpers/people';
import { startTestApi, type TestApi } from './helpers/test-api';

/** A 2x3 PNG: real signature and IHDR, so the API reads its kind and size from the bytes. */
const PNG = Buffer.concat([
  Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'),
  Buffer.from([0, 0, 0, 2, 0, 0, 0, 3, 8, 6, 0, 0, 0]),
  Buffer.alloc(64, 9),
]);
const PDF = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
const MB = 1024 * 1024;

let t: TestApi;
let bot: FakeBotApi;
let people: Awaited<ReturnType<typeof team>>;

beforeAll(async () => {
  bot = await startFakeBotApi();
  t = await startTestApi('api_uploads', { env: { TELEGRAM_API_ROOT: bot.apiRoot } });
  people = await team(t.uc);
});
afterAll(async () => {
  await t.close();
  await bot.close();
});

const blobCount = async () =>
  Number((await t.db.db.$client.query<{ n: string }>('select count(*) as n from blobs')).rows[0]?.n);

const post = (ticketId: number, auth: string) =>
  request(t.app).post(`/api/v1/tickets/${ticketId}/messages`).set('Authorization', auth);

describe('POST /tickets/:id/messages as multipart/form-data', () => {
  it('stores a PNG and a PDF with the message; each downloads byte for byte to who may see it', async () => {
    const { customer, agent, other } = people;
    const ticket = await ticketOf(t.uc, customer);
    const res = await post(ticket.id, agent.auth)
      .field('body', 'Скриншот и договор')
      .field('clientMessageId', 'upload-1')
      .attach('files', PNG, { filename: 'screen.png', contentType: 'image/png' })
      .attach('files', PDF, { filename: 'договор.pdf', contentType: 'application/pdf' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ kind: 'agent', body: 'Скриншот и договор' });
    const [photo, doc] = res.body.attachments;
    expect(photo).toEqual({
      id: expect.any(Number),
      kind: 'photo',
      fileName: 'screen.png',
      mimeType: 'image/png',
      size: PNG.length,
      width: 2,
      height: 3,
    });
    expect(doc).toMatchObject({ kind: 'document', fileName: 'договор.pdf', mimeType: 'application/pdf' });

    const image = await request(t.app)
      .get(`/api/v1/attachments/${photo.id}`)
      .set('Authorization', customer.auth)
      .buffer(true)
      .parse((r, done) => {
        const parts: Buffer[] = [];
        r.on('data', (c: Buffer) => parts.push(c));
        r.on('end', () => done(null, Buffer.concat(parts)));
      });
    expect(image.status).toBe(200);
    expect(image.headers['content-type']).toBe('image/png');
    expect(Buffer.compare(image.body as Buffer, PNG)).toBe(0);
    const pdf = await request(t.app).get(`/api/v1/attachments/${doc.id}`).set('Authorization', customer.auth);
    expect(pdf.status).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/octet-stream');
    expect(pdf.headers['content-disposition']).toContain("filename*=UTF-8''%D0%B4%D0%BE%D0%B3");
    expect(Number(pdf.headers['content-length'])).toBe(PDF.length);
    // Never from Telegram: the bytes are ours.
    expect(bot.callsOf('getFile')).toHaveLength(0);
    const outsider = await request(t.app)
      .get(`/api/v1/attachments/${photo.id}`)
      .set('Authorization', other.auth);
    expect(outsider.status).toBe(404);
  });

  it('a note’s file is staff-only; a customer cannot write a note with files', async () => {
    const { customer, agent } = people;
    const ticket = await ticketOf(t.uc, customer);
    const before = await blobCount();
    const note = await post(ticket.id, agent.auth)
      .field('body', 'internal scan')
      .field('internal', 'true')
      .attach('files', PDF, 'scan.pdf');
    expect(note.status).toBe(201);
    expect(note.body.internal).toBe(true);
    const id = note.body.attachments[0].id;
    expect(
      (await request(t.app).get(`/api/v1/attachments/${id}`).set('Authorization', customer.auth)).status,
    ).toBe(404);
    expect(
      (await request(t.app).get(`/api/v1/attachments/${id}`).set('Authorization', agent.auth)).status,
    ).toBe(200);

    const sneaky = await post(ticket.id, customer.auth)
      .field('body', 'x')
      .field('internal', 'true')
      .attach('files', PDF, 'a.pdf');
    expect(sneaky.status).toBe(400);
    expect(sneaky.body.error.details).toEqual([expect.objectContaining({ path: 'internal' })]);
    expect(await blobCount()).toBe(before + 1);
  });

  it('a file may go without text; the ticket list previews its name', async () => {
    const { customer, agent } = people;
    const ticket = await ticketOf(t.uc, customer);
    const res = await post(ticket.id, customer.auth).attach('files', PDF, 'invoice.pdf');
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      body: '',
      attachments: [{ kind: 'document', fileName: 'invoice.pdf' }],
    });
    const staffView = await request(t.app)
      .get(`/api/v1/tickets/${ticket.id}`)
      .set('Authorization', agent.auth);
    expect(staffView.body.lastMessagePreview).toBe('📎 invoice.pdf');
  });

  it('a retried upload with the same clientMessageId is the same message, with one set of files', async () => {
    const { customer } = people;
    const ticket = await ticketOf(t.uc, customer);
    const send = () =>
      post(ticket.id, customer.auth)
        .field('body', 'photo of the error')
        .field('clientMessageId', 'retry-me')
        .attach('files', PNG, 'e.png');
    const first = await send();
    const blobsAfterFirst = await blobCount();
    const again = await send();
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    expect(again.body.attachments).toEqual(first.body.attachments);
    expect(await blobCount()).toBe(blobsAfterFirst);
    const list = await request(t.app)
      .get(`/api/v1/tickets/${ticket.id}/messages`)
      .set('Authorization', customer.auth);
    expect(list.body.items.filter((m: { body: string }) => m.body === 'photo of the error')).toHaveLength(1);
  });

  it('refuses bad parts with a 400 naming the field, and stores nothing', async () => {
    const { customer, other } = people;
    const ticket = await ticketOf(t.uc, customer);
    const before = await blobCount();
    const unknown = await post(ticket.id, customer.auth).field('body', 'x').field('subject', 'y');
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details).toEqual([{ path: 'subject', message: 'is not a known field' }]);
    const wrongFile = await post(ticket.id, customer.auth).field('body', 'x').attach('file', PNG, 'a.png');
    expect(wrongFile.body.error.details).toEqual([{ path: 'file', message: 'is not a known field' }]);
    let eleven = post(ticket.id, customer.auth).field('body', 'many');
    for (let i = 0; i < 11; i += 1) eleven = eleven.attach('files', PNG, `p${i}.png`);
    const many = await eleven;
    expect(many.status).toBe(400);
    expect(many.body.error.details).toEqual([{ path: 'files', message: 'must be at most 10 files' }]);
    const flag = await post(ticket.id, customer.auth).field('body', 'x').field('internal', 'yes');
    expect(flag.body.error.details).toEqual([expect.objectContaining({ path: 'internal' })]);
    const empty = await post(ticket.id, customer.auth).field('body', '   ');
    expect(empty.body.error.details).toEqual([expect.objectContaining({ path: 'body' })]);
    // Another customer's ticket: 404 before a byte is stored.
    const theirs = await post(ticket.id, other.auth).field('body', 'x').attach('files', PNG, 'a.png');
    expect(theirs.status).toBe(404);
    expect(await blobCount()).toBe(before);
  });
});

describe('a voice note recorded in the Mini App as WebM', () => {
  /** A real recording by Chromium's MediaRecorder: `audio/webm;codecs=opus`. */
  const WEBM = readFileSync(join(__dirname, '../media/__fixtures__/chromium-voice.webm'));
  const download = (id: number, auth: string) =>
    request(t.app)
      .get(`/api/v1/attachments/${id}`)
      .set('Authorization', auth)
      .buffer(true)
      .parse((r, done) => {
        const parts: Buffer[] = [];
        r.on('data', (c: Buffer) => parts.push(c));
        r.on('end', () => done(null, Buffer.concat(parts)));
      });

  it('is stored as an Ogg/Opus voice note, its packets moved, not re-encoded', async () => {
    const { customer, agent } = people;
    const ticket = await ticketOf(t.uc, customer);
    const res = await post(ticket.id, agent.auth)
      .field('body', '')
      .attach('files', WEBM, { filename: 'voice-2026-12-04T20-30-00-000Z.webm', contentType: 'audio/webm' });
    expect(res.status).toBe(201);
    const [voice] = res.body.attachments;
    expect(voice).toMatchObject({
      kind: 'voice',
      fileName: 'voice-2026-12-04T20-30-00-000Z.ogg',
      mimeType: 'audio/ogg; codecs=opus',
    });
    const file = await download(voice.id, customer.auth);
    expect(file.status).toBe(200);
    const ogg = file.body as Buffer;
    expect(ogg.length).toBe(voice.size);
    expect(ogg.toString('latin1', 0, 4)).toBe('OggS');
    expect(ogg.toString('latin1', 28, 36)).toBe('OpusHead');
    // The last Opus packet of the recording is the Ogg file's last bytes.
    expect(ogg.subarray(-8).equals(WEBM.subarray(-8))).toBe(true);
  });

  it('that is not WebM/Opus is a 400 naming the file, and nothing is stored', async () => {
    const { customer } = people;
    const ticket = await ticketOf(t.uc, customer);
    const before = await blobCount();
    const cases = [
      [WEBM.subarray(0, WEBM.length - 100), /ends inside/],
      [PNG, /is not WebM/],
    ] as const;
    for (const [bytes, reason] of cases) {
      const res = await post(ticket.id, customer.auth)
        .attach('files', PDF, 'first.pdf')
        .attach('files', bytes, { filename: 'voice-broken.webm', contentType: 'audio/webm' });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
      const [issue] = res.body.error.details;
      expect(issue.path).toBe('files');
      expect(issue.message).toContain('file "voice-broken.webm" is not a readable WebM/Opus voice recording');
      expect(issue.message).toMatch(reason);
    }
    // A WebM file not named as a recording is a file like any other, kept as it came.
    const video = await post(ticket.id, customer.auth).attach('files', PNG, 'holiday.webm');
    expect(video.status).toBe(201);
    expect(video.body.attachments[0]).toMatchObject({ kind: 'photo', fileName: 'holiday.webm' });
    expect(await blobCount()).toBe(before + 1);
  });

  it('over the remux cap is a 413 naming the file, the rest of the request read and dropped', async () => {
    const { customer } = people;
    const ticket = await ticketOf(t.uc, customer);
    const before = await blobCount();
    const big = Buffer.concat([WEBM, Buffer.alloc(VOICE_REMUX_MAX_BYTES)]);
    const res = await post(ticket.id, customer.auth)
      .attach('files', big, { filename: 'voice-long.webm', contentType: 'audio/webm' })
      .attach('files', PDF, 'after.pdf');
    expect(res.status).toBe(413);
    expect(res.body.error).toEqual({
      code: 'file_too_large',
      message: `file "voice-long.webm" is larger than ${VOICE_REMUX_MAX_BYTES} bytes`,
      details: { field: 'files', fileName: 'voice-long.webm', maxBytes: VOICE_REMUX_MAX_BYTES },
    });
    expect(await blobCount()).toBe(before);
  });
});

describe('files kept in Telegram', () => {
  it('are fetched through getFile once for a while, and one over 20 MB says so', async () => {
    const { customer } = people;
    const fileId = telegramFile(bot, 'photo', 'photo');
    const { message } = await t.uc.createTicket(
      customer,
      { subject: 'from telegram', body: 'see' },
      {
        source: 'bot',
        attachments: [
          { kind: 'photo', telegramFileId: fileId, width: 1, height: 1 },
          { kind: 'video', telegramFileId: 'BAACAgIAAxkBig', size: 25 * MB, fileName: 'long.mp4' },
        ],
      },
    );
    const [photo, video] = message.attachments;
    const calls = bot.callsOf('getFile').length;
    for (let i = 0; i < 2; i += 1) {
      const res = await request(t.app)
        .get(`/api/v1/attachments/${photo?.id}`)
        .set('Authorization', customer.auth);
      expect(res.status).toBe(200);
    }
    expect(bot.callsOf('getFile').length - calls).toBe(1);
    const big = await request(t.app)
      .get(`/api/v1/attachments/${video?.id}`)
      .set('Authorization', customer.auth);
    expect(big.status).toBe(404);
    expect(big.body.error.code).toBe('file_too_big');
    expect(big.body.error.message).toMatch(/20 MB/);
  });

  it('a file Telegram refuses as too big (size unknown here) says the same', async () => {
    const { customer } = people;
    bot.putFile('big-unknown', {
      path: 'videos/x.mp4',
      content: Buffer.from('x'),
      size: 30 * MB,
      type: 'video',
    });
    const { message } = await t.uc.createTicket(
      customer,
      { subject: 'big', body: 'see' },
      { source: 'bot', attachments: [{ kind: 'video', telegramFileId: 'big-unknown' }] },
    );
    const res = await request(t.app)
      .get(`/api/v1/attachments/${message.attachments[0]?.id}`)
      .set('Authorization', customer.auth);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('file_too_big');
  });
});
