import {
  type FakeBotApi,
  makeTextUpdate,
  startFakeBotApi,
  TEST_BOT_TOKEN,
  type TgMessage,
  waitFor,
} from '@tikethet/testkit';
import type { Browser } from 'playwright-core';
import { launchBrowser, openAs, pressBackButton, waitBackButton } from '../support/browser';
import { apiAs, makeAgents } from '../support/people';
import type { Child } from '../support/processes';
import { type Stack, startBotProcess, startStack } from '../support/stack';

/**
 * Issue 15 in the whole product: an agent attaches a PNG and a PDF in the Mini App (a real file input);
 * the bot (its own process) sends them to the customer's Telegram chat as sendPhoto and sendDocument uploads
 * of the same bytes; the customer sees both files in their Mini App.
 */
const ADMIN = { id: 9500, first_name: 'Мария', language_code: 'ru' };
const AGENT = { id: 9501, first_name: 'Oleg', language_code: 'en' };
const CUSTOMER = { id: 9502, first_name: 'Анна', language_code: 'ru' };
// A 1×1 PNG.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);
const PDF = Buffer.from('%PDF-1.4\n% TiketHet invoice\n%%EOF\n');

let stack: Stack;
let fake: FakeBotApi;
let bot: Child;
let browser: Browser;

beforeAll(async () => {
  fake = await startFakeBotApi({ token: TEST_BOT_TOKEN });
  stack = await startStack('e2e_media', { adminIds: [ADMIN.id], telegramApiRoot: fake.apiRoot });
  await makeAgents(stack.apiUrl, ADMIN, [AGENT]);
  bot = await startBotProcess(stack, fake.apiRoot);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await bot?.stop();
  await stack?.stop();
  await fake?.close();
});

test('an agent’s PNG and PDF reach the customer’s chat as a photo and a document, and their Mini App', async () => {
  fake.pushUpdate(makeTextUpdate({ from: CUSTOMER, text: 'Пришлите, пожалуйста, счёт' }));
  const ticketId = await waitFor(
    async () =>
      (await apiAs<{ items: Array<{ id: number }> }>(stack.apiUrl, CUSTOMER, 'GET', '/tickets')).items[0]?.id,
    { description: 'the customer’s ticket', timeoutMs: 30_000 },
  );

  const agent = await openAs(browser, stack.miniappUrl, AGENT, { startParam: `ticket_${ticketId}` });
  await agent.page.getByTestId('ticket-page').waitFor();
  await agent.page.getByTestId('file-input').setInputFiles([
    { name: 'screen.png', mimeType: 'image/png', buffer: PNG },
    { name: 'invoice.pdf', mimeType: 'application/pdf', buffer: PDF },
  ]);
  const chips = agent.page.getByTestId('composer-files');
  await chips.getByText('invoice.pdf').waitFor();
  expect(await chips.locator('img').count()).toBe(1);
  await agent.page.getByTestId('composer').fill('Счёт и скриншот');
  await agent.page.getByTestId('composer').press('Enter');

  // The customer's Telegram chat: a photo and a document, uploaded as the agent's bytes.
  const sent = (method: string) =>
    waitFor(() => fake.callsOf(method).find((c) => c.params.chat_id === CUSTOMER.id && c.ok), {
      description: `${method} to the customer`,
      timeoutMs: 30_000,
    });
  const photo = await sent('sendPhoto');
  const doc = await sent('sendDocument');
  expect(photo.encoding).toBe('multipart');
  expect(photo.files.photo?.content.equals(PNG)).toBe(true);
  expect(doc.files.document?.content.equals(PDF)).toBe(true);
  expect(doc.files.document?.filename).toBe('invoice.pdf');
  expect(String(photo.params.caption)).toContain('Счёт и скриншот');
  expect((photo.result as TgMessage).photo).toBeDefined();

  // The customer's Mini App: the photo inline, the document as a named file.
  const customer = await openAs(browser, stack.miniappUrl, CUSTOMER, { startParam: `ticket_${ticketId}` });
  const messages = customer.page.getByTestId('messages');
  await messages.getByText('Счёт и скриншот').waitFor({ timeout: 15_000 });
  const image = messages.locator('.attachment__photo');
  await image.waitFor();
  expect(await image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(1);
  // A tap opens it full-screen, a dialog with focus on its close button; Escape closes it and focus returns.
  await image.click();
  const viewer = customer.page.getByRole('dialog');
  await viewer.waitFor();
  expect(await viewer.locator('img').evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(1);
  expect(await customer.page.evaluate(() => document.activeElement?.className)).toBe('photo-viewer__close');
  await customer.page.keyboard.press('Escape');
  await viewer.waitFor({ state: 'detached' });
  expect(await customer.page.evaluate(() => document.activeElement?.className)).toBe('attachment__open');
  // Telegram's Back button closes the viewer, not the ticket: the conversation stays, Back is still offered.
  await image.click();
  await viewer.waitFor();
  await waitBackButton(customer.page, true);
  await pressBackButton(customer.page);
  await viewer.waitFor({ state: 'detached' });
  expect(await messages.getByText('Счёт и скриншот').count()).toBe(1);
  await waitBackButton(customer.page, true);
  await messages.getByText('invoice.pdf').waitFor();
  expect(agent.traffic.errors).toEqual([]);
  expect(customer.traffic.errors).toEqual([]);
  await customer.context.close();
  await agent.context.close();
});

test('an agent’s voice file is an audio player in the customer’s Mini App, on a blob: URL', async () => {
  // An OGG page whose first packet is OpusHead: what the API reads as a voice message.
  const VOICE = Buffer.concat([
    Buffer.from('OggS', 'ascii'),
    Buffer.alloc(24),
    Buffer.from('OpusHead', 'ascii'),
    Buffer.alloc(64, 1),
  ]);
  const ticketId = (await apiAs<{ items: Array<{ id: number }> }>(stack.apiUrl, CUSTOMER, 'GET', '/tickets'))
    .items[0]?.id;
  const agent = await openAs(browser, stack.miniappUrl, AGENT, { startParam: `ticket_${ticketId}` });
  await agent.page.getByTestId('ticket-page').waitFor();
  await agent.page
    .getByTestId('file-input')
    .setInputFiles([{ name: 'note.ogg', mimeType: 'audio/ogg', buffer: VOICE }]);
  await agent.page.getByTestId('composer-files').getByText('note.ogg').waitFor();
  await agent.page.getByTestId('composer').fill('Голосовое');
  await agent.page.getByTestId('composer').press('Enter');
  await waitFor(() => fake.callsOf('sendVoice').find((c) => c.params.chat_id === CUSTOMER.id && c.ok), {
    description: 'sendVoice to the customer',
    timeoutMs: 30_000,
  });

  const customer = await openAs(browser, stack.miniappUrl, CUSTOMER, { startParam: `ticket_${ticketId}` });
  const messages = customer.page.getByTestId('messages');
  await messages.getByText('Голосовое').waitFor({ timeout: 15_000 });
  const audio = messages.locator('audio.attachment__audio');
  await audio.waitFor();
  expect(await audio.evaluate((a: HTMLAudioElement) => a.controls)).toBe(true);
  const src = await audio.evaluate((a: HTMLAudioElement) => a.src);
  expect(src.startsWith('blob:')).toBe(true);
  // (The blob's audio/ogg type is safeBlob's, unit-tested: the page's CSP lets no script fetch a blob: URL.)
  expect(agent.traffic.errors).toEqual([]);
  expect(customer.traffic.errors).toEqual([]);
  await customer.context.close();
  await agent.context.close();
});
