import type { Browser } from 'playwright-core';
import { launchBrowser, PHONE } from '../support/browser';
import { type Launcher, startLauncher } from '../support/launcher';

let launcher: Launcher;
let browser: Browser;

beforeAll(async () => {
  launcher = await startLauncher();
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await launcher?.stop();
});

test('on the embedded default a browser signs in as a customer and creates a ticket', async () => {
  expect(launcher.url).toMatch(/^http:\/\/localhost:\d+$/);
  expect(launcher.child.output()).toContain('development sign-in on');
  const context = await browser.newContext(PHONE);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(launcher.url);

  // Outside Telegram, with DEV_LOGIN on: the sign-in screen, Russian first.
  await page.getByTestId('signin').waitFor();
  await page.getByRole('button', { name: 'Войти как клиент' }).click();
  await page.getByTestId('my-tickets').waitFor();
  await page.getByTestId('empty-state').waitFor();
  expect(await page.getByTestId('back').count()).toBe(0);

  // The stand-in for Telegram's MainButton carries the primary action.
  const main = page.getByTestId('main-button');
  expect(await main.textContent()).toBe('Новое обращение');
  await main.click();
  await page.getByTestId('new-ticket').waitFor();
  // Pressed on an empty form it names what is missing instead of creating anything.
  await main.click();
  await page.getByTestId('new-ticket').getByRole('alert').filter({ hasText: 'Напишите тему' }).waitFor();
  expect(await page.getByTestId('ticket-page').count()).toBe(0);
  await page.getByTestId('new-subject').fill('Проверка встроенного режима');
  await page.getByTestId('new-body').fill('Создано из браузера без Telegram.');
  expect(await main.textContent()).toBe('Создать');
  await main.click();

  const ticket = page.getByTestId('ticket-page');
  await ticket.waitFor();
  const id = await ticket.getAttribute('data-ticket-id');
  await page.getByTestId('messages').getByText('Создано из браузера без Telegram.').waitFor();

  // The stand-in BackButton returns to the list, which now has the ticket.
  await page.getByTestId('back').click();
  await page.getByTestId('my-tickets').waitFor();
  const row = page.getByTestId(`ticket-row-${id}`);
  await row.waitFor();
  expect(await row.textContent()).toContain('Проверка встроенного режима');
  expect(await page.getByTestId('back').count()).toBe(0);
  expect(errors).toEqual([]);
  await context.close();
});
