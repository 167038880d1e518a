import {
  type FakeBotApi,
  makeTextUpdate,
  signInitData,
  startFakeBotApi,
  TEST_BOT_TOKEN,
  type TgMessage,
  waitFor,
} from '@tikethet/testkit';
import type { Browser } from 'playwright-core';
import { launchBrowser, openAs, PHONE } from '../support/browser';
import { apiAs, makeAgents } from '../support/people';
import type { Child } from '../support/processes';
import { type Stack, startBotProcess, startStack } from '../support/stack';

/**
 * Issue 15, voice both ways: an agent records a voice note in the Mini App (real Chromium, its fake microphone,
 * MediaRecorder writing WebM/Opus); the API remuxes it to Ogg/Opus and the bot (its own process) sends it to
 * the customer's Telegram chat as a voice message (`sendVoice`, a multipart upload of the Ogg bytes).
 */
const ADMIN = { id: 9600, first_name: 'Мария', language_code: 'ru' };
const AGENT = { id: 9601, first_name: 'Oleg', language_code: 'en' };
const CUSTOMER = { id: 9602, first_name: 'Анна', language_code: 'ru' };
/** Grants the microphone without asking and feeds it Chromium's test tone. */
const FAKE_MICROPHONE = ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream'];

let stack: Stack;
let fake: FakeBotApi;
let bot: Child;
let browser: Browser;
let ticketId: number;

beforeAll(async () => {
  fake = await startFakeBotApi({ token: TEST_BOT_TOKEN });
  stack = await startStack('e2e_voice', { adminIds: [ADMIN.id], telegramApiRoot: fake.apiRoot });
  await makeAgents(stack.apiUrl, ADMIN, [AGENT]);
  bot = await startBotProcess(stack, fake.apiRoot);
  browser = await launchBrowser(FAKE_MICROPHONE);
  fake.pushUpdate(makeTextUpdate({ from: CUSTOMER, text: 'Можно голосом объяснить?' }));
  ticketId = await waitFor(
    async () =>
      (await apiAs<{ items: Array<{ id: number }> }>(stack.apiUrl, CUSTOMER, 'GET', '/tickets')).items[0]?.id,
    { description: 'the customer’s ticket', timeoutMs: 30_000 },
  );
});

afterAll(async () => {
  await browser?.close();
  await bot?.stop();
  await stack?.stop();
  await fake?.close();
});

/** Decodes audio bytes with the browser's own decoder (Web Audio): its duration in seconds. */
async function decodedSeconds(bytes: Buffer): Promise<number> {
  const page = await browser.newPage();
  const seconds = await page.evaluate(async (base64) => {
    const binary = atob(base64);
    const data = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) data[i] = binary.charCodeAt(i);
    const audio = await new OfflineAudioContext(1, 48_000, 48_000).decodeAudioData(data.buffer);
    return audio.duration;
  }, bytes.toString('base64'));
  await page.close();
  return seconds;
}

test('an agent records a voice note; the customer’s chat gets it as sendVoice of Ogg/Opus bytes', async () => {
  const agent = await openAs(browser, stack.miniappUrl, AGENT, { startParam: `ticket_${ticketId}` });
  const page = agent.page;
  await page.getByTestId('ticket-page').waitFor();
  const mic = page.getByRole('button', { name: 'Record a voice message' });
  expect(await mic.getAttribute('aria-pressed')).toBe('false');
  await mic.click();

  // Recording: the button is pressed, the time runs, a live region says so; stop attaches it.
  await page.getByTestId('recording-time').waitFor();
  expect(await mic.getAttribute('aria-pressed')).toBe('true');
  expect(await page.getByTestId('voice-status').textContent()).toBe('Recording a voice message');
  await page.getByRole('timer', { name: 'Recorded 0:01' }).waitFor({ timeout: 15_000 });
  await page.getByRole('button', { name: 'Stop and attach' }).click();

  const chips = page.getByTestId('composer-files');
  const chip = chips.locator('li');
  await chip.waitFor();
  const recorded = String(await chip.locator('.composer__file-name').textContent());
  expect(recorded).toMatch(/^voice-\d{4}-\d\d-\d\dT[\d-]+Z\.webm$/);
  expect(await chip.locator('audio').getAttribute('aria-label')).toBe(`Listen: ${recorded}`);
  expect(await chip.locator('audio').evaluate((a: HTMLAudioElement) => a.src.startsWith('blob:'))).toBe(true);
  expect(await mic.getAttribute('aria-pressed')).toBe('false');
  expect(await page.getByTestId('voice-status').textContent()).toBe('Voice message attached');
  await page.getByTestId('composer').press('Enter');

  // The customer's Telegram chat: a voice message, uploaded as Ogg/Opus.
  const voice = await waitFor(
    () => fake.callsOf('sendVoice').find((c) => c.params.chat_id === CUSTOMER.id && c.ok),
    { description: 'sendVoice to the customer', timeoutMs: 30_000 },
  );
  expect(voice.encoding).toBe('multipart');
  const ogg = voice.files.voice?.content as Buffer;
  expect(ogg.toString('latin1', 0, 4)).toBe('OggS');
  expect(ogg.includes('OpusHead')).toBe(true);
  expect(ogg.includes('OpusTags')).toBe(true);
  expect(voice.files.voice?.filename).toBe(recorded.replace(/\.webm$/, '.ogg'));
  expect((voice.result as TgMessage).voice).toBeDefined();
  // The bytes are sound the browser decodes: the recording's second or more. (This Chromium build's <audio>
  // refuses Opus in any container, its own WebM recordings too, so the element itself is not played here.)
  expect(await decodedSeconds(ogg)).toBeGreaterThanOrEqual(1);

  // The agent's thread: the message with a voice player on a blob: URL of the stored Ogg file.
  const messages = page.getByTestId('messages');
  const player = messages.locator('audio.attachment__audio');
  await player.waitFor({ timeout: 15_000 });
  expect(await player.evaluate((a: HTMLAudioElement) => a.controls && a.src.startsWith('blob:'))).toBe(true);
  const { items } = await apiAs<{
    items: Array<{ attachments: Array<{ id: number; kind: string; fileName: string }> }>;
  }>(stack.apiUrl, AGENT, 'GET', `/tickets/${ticketId}/messages`);
  const stored = items.flatMap((m) => m.attachments).find((a) => a.kind === 'voice');
  expect(stored).toMatchObject({ kind: 'voice', fileName: recorded.replace(/\.webm$/, '.ogg') });
  // What the Mini App plays is what Telegram got.
  const download = await fetch(`${stack.apiUrl}/api/v1/attachments/${stored?.id}`, {
    headers: { authorization: `tma ${signInitData({ botToken: TEST_BOT_TOKEN, user: CUSTOMER })}` },
  });
  expect(download.status).toBe(200);
  expect(Buffer.from(await download.arrayBuffer()).equals(ogg)).toBe(true);
  expect(agent.traffic.errors).toEqual([]);
  await agent.context.close();
});

test('a denied microphone says so and records nothing; a WebView without MediaRecorder shows no microphone', async () => {
  // The WebView's answer when the user (or Telegram) refuses the microphone.
  const refusing = await browser.newContext(PHONE);
  await refusing.addInitScript(() => {
    navigator.mediaDevices.getUserMedia = () =>
      Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));
  });
  const denied = await openAs(browser, stack.miniappUrl, AGENT, {
    startParam: `ticket_${ticketId}`,
    context: refusing,
  });
  await denied.page.getByTestId('ticket-page').waitFor();
  await denied.page.getByRole('button', { name: 'Record a voice message' }).click();
  await denied.page.getByText('No access to the microphone.', { exact: false }).waitFor();
  expect(await denied.page.getByTestId('recording-time').count()).toBe(0);
  expect(await denied.page.getByTestId('composer-files').count()).toBe(0);
  expect(denied.traffic.errors).toEqual([]);
  await denied.context.close();

  const older = await browser.newContext(PHONE);
  await older.addInitScript(() => {
    Reflect.deleteProperty(window, 'MediaRecorder');
  });
  const old = await openAs(browser, stack.miniappUrl, AGENT, {
    startParam: `ticket_${ticketId}`,
    context: older,
  });
  await old.page.getByTestId('ticket-page').waitFor();
  await old.page.getByTestId('attach').waitFor();
  expect(await old.page.getByTestId('record-voice').count()).toBe(0);
  await old.context.close();
});
