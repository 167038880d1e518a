import type { Browser, Page } from 'playwright-core';
import {
  clientEvent,
  clientEvents,
  launchBrowser,
  mainButton,
  openAs,
  popups,
  pressBackButton,
  pressMainButton,
  waitBackButton,
  waitMainButtonActive,
} from '../support/browser';
import { type Stack, startStack } from '../support/stack';

/**
 * A customer writes in an open conversation (this once failed: the app sent `internal: false`, which the
 * API refused from customers). And the rest of the Telegram conventions, read from what the app asks the Telegram client to do
 * (`postEvent`): ready and expand at start, a closing confirmation exactly while a draft exists, and
 * haptic feedback on create and on send, a greyed-out MainButton where there is nothing to send,
 * «Создать» on an incomplete form naming what is missing, and BackButton asking before it throws typed
 * text away (the new-ticket form's, a half-written reply's).
 */
const ADMIN = { id: 8700, first_name: 'Мария', language_code: 'ru' };
const CUSTOMER = { id: 8701, first_name: 'Анна', language_code: 'ru' };

let stack: Stack;
let browser: Browser;

beforeAll(async () => {
  stack = await startStack('e2e_feedback', { adminIds: [ADMIN.id] });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

async function closingConfirmation(page: Page): Promise<boolean | undefined> {
  const all = await clientEvents(page, 'web_app_setup_closing_behavior');
  return all.at(-1)?.data?.need_confirmation as boolean | undefined;
}

async function waitFor<T>(read: () => Promise<T>, want: T): Promise<void> {
  for (let i = 0; i < 200; i += 1) {
    if ((await read()) === want) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  expect(await read()).toBe(want);
}

const LEAVE_QUESTION = 'Выйти из формы? Введённый текст пропадёт.';

test('ready and expand at start; missing fields named on «Создать»; BackButton and closing ask only while the form has text; haptics on create and send', async () => {
  const { page, context } = await openAs(browser, stack.miniappUrl, CUSTOMER);
  await page.getByTestId('my-tickets').waitFor();
  expect((await clientEvents(page, 'web_app_ready')).length).toBeGreaterThan(0);
  expect((await clientEvents(page, 'web_app_expand')).length).toBeGreaterThan(0);

  await waitMainButtonActive(page);
  await pressMainButton(page);
  const subject = page.getByTestId('new-subject');
  await subject.waitFor();

  // «Создать» on an empty form is not a dead button: each missing field says so, the first one gets the
  // keyboard, and Telegram gives the error haptic.
  await waitMainButtonActive(page, 'Создать');
  await pressMainButton(page);
  const form = page.getByTestId('new-ticket');
  await form.getByRole('alert').filter({ hasText: 'Напишите тему' }).waitFor();
  await form.getByRole('alert').filter({ hasText: 'Опишите проблему' }).waitFor();
  expect(await subject.evaluate((el) => el === document.activeElement)).toBe(true);
  expect((await clientEvents(page, 'web_app_trigger_haptic_feedback')).map((e) => e.data)).toContainEqual(
    expect.objectContaining({ type: 'notification', notification_type: 'error' }),
  );
  expect(await page.getByTestId('ticket-page').count()).toBe(0);

  await subject.fill('Черновик');
  await form.getByRole('alert').filter({ hasText: 'Напишите тему' }).waitFor({ state: 'detached' });
  await pressMainButton(page);
  expect(await page.getByTestId('new-body').evaluate((el) => el === document.activeElement)).toBe(true);
  await waitFor(() => closingConfirmation(page), true);

  // BackButton with text typed asks first, in Telegram's confirm popup. «Отмена» keeps the form and its text:
  // a second press asks again (had the first popped the form, there would be no BackButton to press).
  await pressBackButton(page);
  await waitFor(async () => (await popups(page)).at(-1), LEAVE_QUESTION);
  await clientEvent(page, 'popup_closed', {});
  await pressBackButton(page);
  await waitFor(async () => (await popups(page)).length, 2);
  expect(await subject.inputValue()).toBe('Черновик');
  expect(await form.isVisible()).toBe(true);
  // «OK» leaves, and the draft with it: the form opened again is empty.
  await clientEvent(page, 'popup_closed', { button_id: 'ok' });
  await page.getByTestId('my-tickets').waitFor();
  await form.waitFor({ state: 'detached' });
  await waitFor(() => closingConfirmation(page), false);
  await waitMainButtonActive(page, 'Новое обращение');
  await pressMainButton(page);
  await subject.waitFor();
  expect(await subject.inputValue()).toBe('');
  // With nothing typed BackButton leaves at once, asking nothing. Pressed once the form has shown it: a press
  // before the screen has set its BackButton up finds no handler (as in Telegram).
  await waitBackButton(page, true);
  await pressBackButton(page);
  await page.getByTestId('my-tickets').waitFor();
  await form.waitFor({ state: 'detached' });
  expect(await popups(page)).toEqual([LEAVE_QUESTION, LEAVE_QUESTION]);
  await waitMainButtonActive(page, 'Новое обращение');
  await pressMainButton(page);
  await subject.waitFor();

  await subject.fill('Черновик');
  await waitFor(() => closingConfirmation(page), true);
  await subject.fill('');
  await waitFor(() => closingConfirmation(page), false);

  await subject.fill('Не приходит чек');
  await page.getByTestId('new-body').fill('Оплатил вчера, чека нет');
  await waitFor(() => closingConfirmation(page), true);
  await waitMainButtonActive(page);
  await pressMainButton(page);
  await page.getByTestId('ticket-page').waitFor();
  await waitFor(() => closingConfirmation(page), false);
  // An empty composer's «Отправить» is greyed out in Telegram, not a live button that does nothing.
  await page.waitForFunction(
    () =>
      (window.__telegramEvents ?? []).findLast((e) => e.type === 'web_app_setup_main_button')?.data?.text ===
      'Отправить',
  );
  expect(await mainButton(page)).toEqual({ visible: true, active: false, text: 'Отправить' });
  const created = await clientEvents(page, 'web_app_trigger_haptic_feedback');
  expect(created.map((e) => e.data)).toContainEqual(
    expect.objectContaining({ type: 'notification', notification_type: 'success' }),
  );

  await page.getByTestId('composer').fill('И ещё: номер заказа 123');
  await waitMainButtonActive(page);
  await pressMainButton(page);
  await page
    .locator('[data-testid^="message-"][data-delivery="stored"]', { hasText: 'номер заказа 123' })
    .waitFor();
  const sent = await clientEvents(page, 'web_app_trigger_haptic_feedback');
  expect(sent.map((e) => e.data)).toContainEqual(
    expect.objectContaining({ type: 'impact', impact_style: 'light' }),
  );

  // A half-written reply: Back asks before throwing it away; «Отмена» keeps it, «OK» returns to the list.
  const composer = page.getByTestId('composer');
  await composer.fill('Забыл добавить');
  await pressBackButton(page);
  await waitFor(async () => (await popups(page)).at(-1), 'Выйти? Неотправленное сообщение пропадёт.');
  await clientEvent(page, 'popup_closed', {});
  await pressBackButton(page);
  await waitFor(async () => (await popups(page)).length, 4);
  expect(await composer.inputValue()).toBe('Забыл добавить');
  expect(await page.getByTestId('ticket-page').isVisible()).toBe(true);
  await clientEvent(page, 'popup_closed', { button_id: 'ok' });
  await page.getByTestId('my-tickets').waitFor();
  await context.close();
});
