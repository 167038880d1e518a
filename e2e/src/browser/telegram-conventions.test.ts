import { eventually } from '@tikethet/testkit';
import type { Browser, Page, WebSocketRoute } from 'playwright-core';
import {
  backButtonVisible,
  clientEvent,
  DARK_THEME_PARAMS,
  launchBrowser,
  openAs,
  PHONE,
  pressBackButton,
  waitBackButton,
} from '../support/browser';
import { apiAs } from '../support/people';
import { type Stack, startStack } from '../support/stack';

const ADMIN = { id: 8100, first_name: 'Мария', language_code: 'ru' };
const RU_CUSTOMER = { id: 8300, first_name: 'Анна', language_code: 'ru' };
const EN_CUSTOMER = { id: 8400, first_name: 'John', language_code: 'en' };

let stack: Stack;
let browser: Browser;
let first: number;
let second: number;
let english: number;

beforeAll(async () => {
  stack = await startStack('e2e_conventions', { adminIds: [ADMIN.id] });
  const a = await apiAs<{ id: number }>(stack.apiUrl, RU_CUSTOMER, 'POST', '/tickets', {
    subject: 'Первое обращение',
    body: 'Текст первого обращения',
  });
  const b = await apiAs<{ id: number }>(stack.apiUrl, RU_CUSTOMER, 'POST', '/tickets', {
    subject: 'Второе обращение',
    body: 'Текст второго обращения',
  });
  first = a.id;
  second = b.id;
  const c = await apiAs<{ id: number; version: number }>(stack.apiUrl, EN_CUSTOMER, 'POST', '/tickets', {
    subject: 'Card declined',
    body: 'Twice today',
  });
  english = c.id;
  await apiAs(stack.apiUrl, ADMIN, 'PATCH', `/tickets/${english}`, { status: 'pending', version: c.version });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

function rootVariable(page: Page, name: string): Promise<string> {
  return page.evaluate((n) => getComputedStyle(document.documentElement).getPropertyValue(n).trim(), name);
}

function bodyBackground(page: Page): Promise<string> {
  return page.evaluate(() => getComputedStyle(document.body).backgroundColor);
}

test('startapp=ticket_<id> opens that ticket; Telegram BackButton is shown there and returns to the list', async () => {
  const { page, context } = await openAs(browser, stack.miniappUrl, RU_CUSTOMER, {
    startParam: `ticket_${first}`,
  });
  const ticket = page.getByTestId('ticket-page');
  await ticket.waitFor();
  expect(await ticket.getAttribute('data-ticket-id')).toBe(String(first));
  await page.getByTestId('messages').getByText('Текст первого обращения').waitFor();
  // Not the other ticket of the same customer.
  expect(await page.getByTestId('messages').textContent()).not.toContain('Текст второго обращения');
  // The list under it is not built until it is shown: the ticket has the phone to itself for its first paint.
  expect(await page.locator('[data-route="home"]').count()).toBe(0);

  // Inside Telegram the app drives the client's BackButton (no stand-in of its own).
  await waitBackButton(page, true);
  expect(await page.getByTestId('back').count()).toBe(0);
  await pressBackButton(page);
  await page.getByTestId('my-tickets').waitFor();
  await waitBackButton(page, false);
  expect(await ticket.isVisible()).toBe(false);
  await page.getByTestId(`ticket-row-${second}`).waitFor();

  // Into the other ticket from the list and back again.
  await page.getByTestId(`ticket-row-${second}`).click();
  await page.locator(`[data-testid="ticket-page"][data-ticket-id="${second}"]`).waitFor();
  expect(await backButtonVisible(page)).toBe(true);
  await pressBackButton(page);
  await page.getByTestId('my-tickets').waitFor();
  await waitBackButton(page, false);
  await context.close();
});

test('the dark theme from theme params becomes the CSS variables and the page background', async () => {
  const light = await openAs(browser, stack.miniappUrl, RU_CUSTOMER);
  await light.page.getByTestId('my-tickets').waitFor();
  expect(await rootVariable(light.page, '--tg-theme-bg-color')).toBe('#ffffff');
  // The page background is the secondary colour (grouped lists), sections are bg_color.
  expect(await bodyBackground(light.page)).toBe('rgb(239, 239, 243)');

  // Live: the client switches to its dark theme while the app is open.
  await clientEvent(light.page, 'theme_changed', { theme_params: DARK_THEME_PARAMS });
  await light.page.waitForFunction(() => document.documentElement.dataset.scheme === 'dark');
  expect(await rootVariable(light.page, '--tg-theme-bg-color')).toBe('#17212b');
  expect(await bodyBackground(light.page)).toBe('rgb(35, 46, 60)');
  await light.context.close();

  const dark = await openAs(browser, stack.miniappUrl, RU_CUSTOMER, { theme: DARK_THEME_PARAMS });
  await dark.page.getByTestId('my-tickets').waitFor();
  expect(await rootVariable(dark.page, '--tg-theme-bg-color')).toBe('#17212b');
  expect(await rootVariable(dark.page, '--tg-theme-text-color')).toBe('#f5f5f5');
  expect(await dark.page.evaluate(() => document.documentElement.dataset.scheme)).toBe('dark');
  expect(await bodyBackground(dark.page)).toBe('rgb(35, 46, 60)');
  const titleColor = await dark.page
    .getByTestId('my-tickets')
    .locator('h1')
    .evaluate((el) => getComputedStyle(el).color);
  expect(titleColor).toBe('rgb(245, 245, 245)');
  await dark.context.close();
});

test('a ru user gets Russian and an en user English', async () => {
  const ru = await openAs(browser, stack.miniappUrl, RU_CUSTOMER);
  const ruList = ru.page.getByTestId('my-tickets');
  await ruList.getByText('Мои обращения').waitFor();
  await ru.page.getByTestId(`ticket-row-${first}`).waitFor();
  // A customer's status reads as of «обращение» / "request", as the bot writes it.
  expect(await ru.page.getByTestId(`ticket-row-${first}`).getByTestId('status-badge').textContent()).toBe(
    'новое',
  );
  expect(await ru.page.evaluate(() => document.documentElement.lang)).toBe('ru');
  expect(await ruList.textContent()).not.toContain('My requests');
  await ru.context.close();

  const en = await openAs(browser, stack.miniappUrl, EN_CUSTOMER);
  const enList = en.page.getByTestId('my-tickets');
  await enList.getByText('My requests').waitFor();
  await enList.getByText('Card declined').waitFor();
  expect(await en.page.getByTestId(`ticket-row-${english}`).getByTestId('status-badge').textContent()).toBe(
    'waiting for your reply',
  );
  expect(await en.page.evaluate(() => document.documentElement.lang)).toBe('en');
  expect(await enList.textContent()).not.toContain('Мои обращения');
  await en.context.close();
});

test('while the socket reconnects, the «Соединение…» bar lies over the page without moving it', async () => {
  // The first socket goes to the gateway (frames relayed, its «ready» noted); once the test drops it, the
  // sockets that follow open but never hear back, so the app stays reconnecting with its bar up.
  const context = await browser.newContext(PHONE);
  let relayed: WebSocketRoute | null = null;
  let ready = false;
  await context.routeWebSocket(/\/ws$/, (ws) => {
    if (relayed) return;
    relayed = ws;
    const gateway = ws.connectToServer();
    ws.onMessage((message) => gateway.send(message));
    gateway.onMessage((message) => {
      if (String(message).includes('"ready"')) ready = true;
      ws.send(message);
    });
  });
  const { page } = await openAs(browser, stack.miniappUrl, RU_CUSTOMER, { context });
  const title = page.getByTestId('my-tickets').locator('h1');
  await page.getByTestId(`ticket-row-${first}`).waitFor();
  await eventually(() => expect(ready).toBe(true));
  const before = await title.boundingBox();

  await (relayed as WebSocketRoute | null)?.close({ code: 1012, reason: 'restart' });
  const bar = page.getByTestId('connection-bar');
  await bar.getByText('Соединение…').waitFor();
  expect(await title.boundingBox()).toEqual(before);
  expect((await bar.boundingBox())?.y).toBe(0);
  await context.close();
});
