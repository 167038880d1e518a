import { createMemoryBus } from '@tikethet/bus';
import { createDb, createUseCases, type DbClient } from '@tikethet/db';
import { type FakeBotApi, startFakeBotApi, TEST_BOT_TOKEN } from '@tikethet/testkit';
import type { Browser } from 'playwright-core';
import { launchBrowser, openAs } from '../support/browser';
import { apiAs, makeAgents } from '../support/people';
import { type Stack, startStack } from '../support/stack';

/**
 * Files a customer sent through Telegram reach the agent's Mini App: a photo inline, a document as a
 * download — fetched by the API from the Bot API with the bot token, never linked bare.
 */
const ADMIN = { id: 8900, first_name: 'Мария', language_code: 'ru' };
const AGENT = { id: 8901, first_name: 'Олег', language_code: 'ru' };
const CUSTOMER = { id: 8902, first_name: 'Анна', language_code: 'ru' };
const OTHER = { id: 8903, first_name: 'Пётр', language_code: 'ru' };
// A 1×1 PNG.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);
const PDF = Buffer.from('%PDF-1.4\n% TiketHet test document\n');

let fake: FakeBotApi;
let stack: Stack;
let browser: Browser;
let db: DbClient;
let ticketId: number;
let attachmentIds: number[];

beforeAll(async () => {
  fake = await startFakeBotApi({ token: TEST_BOT_TOKEN });
  fake.putFile('photo-file-1', { path: 'photos/screen.png', content: PNG });
  fake.putFile('doc-file-1', { path: 'documents/contract.pdf', content: PDF });
  stack = await startStack('e2e_attachments', { adminIds: [ADMIN.id], telegramApiRoot: fake.apiRoot });
  await makeAgents(stack.apiUrl, ADMIN, [AGENT]);
  const created = await apiAs<{ id: number }>(stack.apiUrl, CUSTOMER, 'POST', '/tickets', {
    subject: 'Ошибка при оплате',
    body: 'Пришлю скриншот',
  });
  ticketId = created.id;
  // What the bot records for a photo and a document (the bot's own tests cover the Telegram side).
  db = createDb(stack.databaseUrl, { max: 2 });
  const uc = createUseCases({ db: db.db, bus: createMemoryBus() });
  const posted = await uc.postMessage(
    { id: CUSTOMER.id, role: 'customer' },
    ticketId,
    { body: 'Скриншот и договор' },
    {
      via: 'bot',
      attachments: [
        { kind: 'photo', telegramFileId: 'photo-file-1', width: 1, height: 1, size: PNG.length },
        {
          kind: 'document',
          telegramFileId: 'doc-file-1',
          fileName: 'contract.pdf',
          mimeType: 'application/pdf',
          size: PDF.length,
        },
      ],
    },
  );
  await uc.flush();
  attachmentIds = posted.message.attachments.map((a) => a.id);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await db?.close();
  await stack?.stop();
  await fake?.close();
});

test('the agent sees the photo inline and downloads the document', async () => {
  const { page, context } = await openAs(browser, stack.miniappUrl, AGENT, {
    startParam: `ticket_${ticketId}`,
  });
  const [photoId, docId] = attachmentIds;
  const photo = page.getByTestId(`attachment-${photoId}`).locator('img');
  await photo.waitFor();
  expect(await photo.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(1);
  expect(await photo.getAttribute('src')).toMatch(/^blob:/);
  const download = page.waitForEvent('download');
  await page.getByTestId(`attachment-${docId}`).getByRole('button').click();
  const file = await download;
  expect(file.suggestedFilename()).toBe('contract.pdf');
  const path = await file.path();
  const { readFileSync } = await import('node:fs');
  expect(readFileSync(path).equals(PDF)).toBe(true);
  // The API fetched both files from the Bot API with the bot token.
  expect(fake.callsOf('getFile').map((c) => c.params.file_id)).toEqual(
    expect.arrayContaining(['photo-file-1', 'doc-file-1']),
  );
  await context.close();
});

test('another customer cannot fetch the files', async () => {
  for (const id of attachmentIds) {
    await expect(apiAs(stack.apiUrl, OTHER, 'GET', `/attachments/${id}`)).rejects.toThrow(/404/);
  }
});
