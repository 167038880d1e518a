import { eventually } from '@tikethet/testkit';
import type { Browser, Page } from 'playwright-core';
import {
  clientEvent,
  clientEvents,
  lastClientEvent,
  launchBrowser,
  openAs,
  popups,
  pressBackButton,
  pressMainButton,
  waitMainButtonActive,
} from '../support/browser';
import { apiAs, makeAgents } from '../support/people';
import { type Stack, startStack } from '../support/stack';

/**
 * The agent's and admin's tools end to end in the UI: a canned reply picked by typing «/» (with the keys too),
 * status and priority from the controls sheet, the collision banner, and the admin's categories, canned
 * replies and roles — each checked as stored, forms naming what is missing or refused, BackButton asking
 * before it throws an unsaved note or form away. Staff read a status as of «тикет» (открыт, ждёт ответа).
 */
const ADMIN = { id: 8600, first_name: 'Мария', language_code: 'ru' };
const AGENT = { id: 8601, first_name: 'Олег', language_code: 'ru' };
const NEWCOMER = { id: 8602, first_name: 'Игорь', language_code: 'ru' };
const CUSTOMER = { id: 8603, first_name: 'Анна', language_code: 'ru' };
const CANNED = 'Здравствуйте! Уже разбираемся с вашим вопросом.';
const HOLD = 'Пожалуйста, подождите ещё немного: уточняем.';
/** Each template's body by its option's test id. */
const BODIES: Record<string, string> = { 'canned-hello': CANNED, 'canned-hold': HOLD };
const LEAVE_FORM = 'Выйти из формы? Введённый текст пропадёт.';

let stack: Stack;
let browser: Browser;
let ticketId: number;

beforeAll(async () => {
  stack = await startStack('e2e_agent_admin', { adminIds: [ADMIN.id] });
  await makeAgents(stack.apiUrl, ADMIN, [AGENT]);
  await apiAs(stack.apiUrl, NEWCOMER, 'GET', '/me');
  await apiAs(stack.apiUrl, ADMIN, 'POST', '/canned-replies', {
    shortcut: 'hello',
    title: 'Приветствие',
    body: CANNED,
    shared: true,
  });
  await apiAs(stack.apiUrl, ADMIN, 'POST', '/canned-replies', {
    shortcut: 'hold',
    title: 'Ожидание',
    body: HOLD,
    shared: true,
  });
  ticketId = (
    await apiAs<{ id: number }>(stack.apiUrl, CUSTOMER, 'POST', '/tickets', {
      subject: 'Долго идёт доставка',
      body: 'Заказ 5512 уже неделю в пути',
    })
  ).id;
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

test('the agent answers with a canned reply and sets status and priority from the controls sheet', async () => {
  const { page, context } = await openAs(browser, stack.miniappUrl, AGENT, {
    startParam: `ticket_${ticketId}`,
  });
  await page.getByTestId('ticket-page').waitFor();
  const composer = page.getByTestId('composer');
  const picker = page.getByTestId('canned-picker');

  // The «/» list is a picker like any other: ↓ moves the highlight, Enter picks it (not a new line).
  await composer.fill('/h');
  const options = picker.getByRole('option');
  await picker.getByTestId('canned-hold').waitFor();
  await picker.getByTestId('canned-hello').waitFor();
  expect(await options.count()).toBe(2);
  expect(await options.nth(0).getAttribute('aria-selected')).toBe('true');
  const second = String(await options.nth(1).getAttribute('data-testid'));
  await composer.press('ArrowDown');
  await picker.locator(`[data-testid="${second}"][aria-selected="true"]`).waitFor();
  await composer.press('Enter');
  await expect(composer.inputValue()).resolves.toBe(BODIES[second]);
  await picker.waitFor({ state: 'detached' });
  // Escape closes the list and leaves the text as it is.
  await composer.fill('/hel');
  await picker.waitFor();
  await composer.press('Escape');
  await picker.waitFor({ state: 'detached' });
  await expect(composer.inputValue()).resolves.toBe('/hel');

  await composer.fill('/he');
  await page.getByTestId('canned-hello').click();
  await expect(composer.inputValue()).resolves.toBe(CANNED);
  // The tapped template leaves with the picker; the keyboard stays on the text to go on writing.
  expect(await composer.evaluate((el) => el === document.activeElement)).toBe(true);
  await waitMainButtonActive(page);
  await pressMainButton(page);
  await page.locator('[data-testid^="message-"][data-delivery="stored"]', { hasText: CANNED }).waitFor();

  await page.getByTestId('controls-toggle').click();
  const sheet = page.getByTestId('controls-sheet');
  await sheet.waitFor();
  // «Взять себе» has one place, beside the assignee above the sheet, and stays in view with the sheet open.
  expect(await page.getByTestId('ticket-page').getByRole('button', { name: 'Взять себе' }).count()).toBe(1);
  expect(await page.getByTestId('claim').isVisible()).toBe(true);
  await sheet.getByLabel('Приоритет').selectOption('urgent');
  await page.getByTestId('ticket-page').and(page.locator('[data-status="open"]')).waitFor();
  const badge = page.getByTestId('ticket-page').getByTestId('status-badge');
  expect(await badge.textContent()).toBe('открыт');
  await eventually(async () =>
    expect(
      (await apiAs<{ priority: string }>(stack.apiUrl, AGENT, 'GET', `/tickets/${ticketId}`)).priority,
    ).toBe('urgent'),
  );
  await sheet.getByLabel('Статус').selectOption('pending');
  await page.getByTestId('ticket-page').and(page.locator('[data-status="pending"]')).waitFor();
  // Staff's words, not the customer's «ждёт вашего ответа».
  expect(await badge.textContent()).toBe('ждёт ответа');
  const stored = await apiAs<{ status: string; priority: string }>(
    stack.apiUrl,
    AGENT,
    'GET',
    `/tickets/${ticketId}`,
  );
  expect(stored).toMatchObject({ status: 'pending', priority: 'urgent' });
  const seen = await apiAs<{ items: Array<{ body: string }> }>(
    stack.apiUrl,
    CUSTOMER,
    'GET',
    `/tickets/${ticketId}/messages`,
  );
  expect(seen.items.map((m) => m.body)).toContain(CANNED);
  // The template Enter picked went into the composer only, not to the customer.
  expect(seen.items.map((m) => m.body)).not.toContain(HOLD);
  await context.close();
});

test('a note being written shows to staff as «пишет заметку…» and never reaches the customer as typing', async () => {
  const url = { startParam: `ticket_${ticketId}` };
  const customer = await openAs(browser, stack.miniappUrl, CUSTOMER, url);
  await customer.page.getByTestId('ticket-page').waitFor();
  // The customer's page follows the ticket live before anyone starts typing.
  await apiAs(stack.apiUrl, AGENT, 'POST', `/tickets/${ticketId}/messages`, { body: 'Уточняю у склада.' });
  await customer.page.getByTestId('messages').getByText('Уточняю у склада.').waitFor();
  const admin = await openAs(browser, stack.miniappUrl, ADMIN, url);
  await admin.page.getByTestId('ticket-page').waitFor();
  const agent = await openAs(browser, stack.miniappUrl, AGENT, url);
  const banner = agent.page.getByTestId('presence-banner');
  await banner.getByText('Мария').waitFor();
  // The collision banner stays at the top of the conversation, under the title, with the sheet open too.
  const top = async (testId: string) => (await agent.page.getByTestId(testId).boundingBox())?.y ?? Number.NaN;
  await agent.page.getByTestId('controls-toggle').click();
  await agent.page.getByTestId('controls-sheet').waitFor();
  expect(await top('presence-banner')).toBeLessThan(await top('customer-card'));
  expect(await top('presence-banner')).toBeLessThan(await top('controls-sheet'));
  await agent.page.getByTestId('controls-toggle').click();
  await agent.page.getByTestId('controls-sheet').waitFor({ state: 'detached' });

  await agent.page.getByTestId('mode-note').click();
  await agent.page.getByTestId('composer').fill('Склад молчит, позвонить завтра');
  await admin.page.getByTestId('typing-indicator').getByText('Олег пишет заметку…').waitFor();

  // A later reply reaches the customer on the same socket: had the note's typing been relayed, it came first.
  await apiAs(stack.apiUrl, AGENT, 'POST', `/tickets/${ticketId}/messages`, { body: 'Скоро напишу.' });
  await customer.page.getByTestId('messages').getByText('Скоро напишу.').waitFor();
  expect(customer.traffic.frames.filter((f) => f.includes('"typing"'))).toEqual([]);
  expect(await customer.page.getByTestId('typing-indicator').count()).toBe(0);
  // Back with the note unsaved asks first, naming it a note.
  await pressBackButton(agent.page);
  await eventually(async () =>
    expect((await popups(agent.page)).at(-1)).toBe('Выйти? Несохранённая заметка пропадёт.'),
  );
  expect(await agent.page.getByTestId('ticket-page').isVisible()).toBe(true);
  for (const opened of [customer, admin, agent]) await opened.context.close();
});

test('a search that finds nothing says so and offers to clear it; a match shows its message; the search is over «тикеты»', async () => {
  const { page, context } = await openAs(browser, stack.miniappUrl, AGENT);
  await page.getByTestId(`ticket-row-${ticketId}`).waitFor();
  await expect(page.getByTestId('queue-search').getAttribute('placeholder')).resolves.toBe(
    'Поиск по тикетам',
  );
  await page.getByTestId('queue-search').fill('нет-такого-тикета');
  const empty = page.getByTestId('queue-no-results');
  await empty.getByText('По запросу «нет-такого-тикета» ничего не нашлось').waitFor();
  await empty.getByRole('button', { name: 'Сбросить поиск и фильтры' }).click();
  await page.getByTestId(`ticket-row-${ticketId}`).waitFor();
  await expect(page.getByTestId('queue-search').inputValue()).resolves.toBe('');
  // A word of the customer's message (not of the subject): the row shows the message it was found in.
  await page.getByTestId('queue-search').fill('неделю');
  const found = page.getByTestId(`ticket-row-${ticketId}`).getByTestId('ticket-match');
  await expect(found.textContent()).resolves.toContain('неделю');
  await context.close();
});

/**
 * Elements under `testId` wider than the box they sit in (a card, a list cell, the picker) or than the screen;
 * text that ends in «…» on purpose and text fields, which scroll, aside.
 */
function overflowing(page: Page, testId: string): Promise<string[]> {
  return page.evaluate((root) => {
    const scope = `[data-testid="${root}"]`;
    return Array.from(document.querySelectorAll(`${scope}, ${scope} *`))
      .filter(
        (el) =>
          el.checkVisibility() &&
          el.tagName !== 'TEXTAREA' &&
          el.tagName !== 'INPUT' &&
          getComputedStyle(el).textOverflow !== 'ellipsis' &&
          (el.scrollWidth > el.clientWidth + 1 || el.getBoundingClientRect().right > window.innerWidth),
      )
      .map((el) => `${el.tagName.toLowerCase()}.${el.className}: ${el.textContent?.slice(0, 40)}`);
  }, testId);
}

test('at 320 px a long unbroken name and template shortcut stay inside their boxes', async () => {
  const longCustomer = {
    id: 8604,
    first_name: 'Анна-Мария',
    last_name: 'Петроводкинасидоренкоконстантинопольская',
    username: 'anna_very_long_username_for_test',
    language_code: 'ru',
  };
  const { id } = await apiAs<{ id: number }>(stack.apiUrl, longCustomer, 'POST', '/tickets', {
    subject: 'Оплата',
    body: `Ссылка: https://shop.example.com/orders/47710/payments/${'9f8e7d6c5b4a'.repeat(6)}`,
  });
  await apiAs(stack.apiUrl, ADMIN, 'POST', '/canned-replies', {
    shortcut: 'wait_for_warehouse_confirmation',
    title: 'Ждём подтверждения склада по вашему заказу',
    body: 'Склад подтвердит отправку в течение дня.',
    shared: true,
  });
  const { page, context } = await openAs(browser, stack.miniappUrl, AGENT, {
    startParam: `ticket_${id}`,
    contextOptions: { viewport: { width: 320, height: 640 } },
  });
  await page.getByTestId('customer-card').getByText('@anna_very_long_username_for_test').waitFor();
  // Staff count a customer's «тикеты», not the customer's «обращения».
  await page.getByTestId('customer-card').getByText('Тикетов', { exact: true }).waitFor();
  await page.getByTestId('composer').fill('/wait');
  await page.getByTestId('canned-wait_for_warehouse_confirmation').waitFor();
  expect(await overflowing(page, 'ticket-page')).toEqual([]);
  await page.getByTestId('composer').fill('');
  await pressBackButton(page);
  await page.getByTestId(`ticket-row-${id}`).waitFor();
  expect(await overflowing(page, 'queue')).toEqual([]);
  await context.close();
});

/** The haptics the app asked Telegram for, as `notification_type`s (`success`, `error`). */
async function notifications(page: Page): Promise<unknown[]> {
  return (await clientEvents(page, 'web_app_trigger_haptic_feedback'))
    .filter((e) => e.data?.type === 'notification')
    .map((e) => e.data?.notification_type);
}

test('the admin adds a category and makes a newcomer an agent', async () => {
  const { page, context } = await openAs(browser, stack.miniappUrl, ADMIN);
  await page.getByTestId('open-dashboard').click();
  await page.getByTestId('dashboard').waitFor();

  await page.getByRole('button', { name: /Категории/ }).click();
  const categoriesPage = page.getByTestId('categories-page');
  await categoriesPage.waitFor();
  // «Добавить» on an empty form is not a dead button: it names the missing name, with the keyboard there.
  await waitMainButtonActive(page, 'Добавить');
  await pressMainButton(page);
  await categoriesPage.getByRole('alert').filter({ hasText: 'Напишите название' }).waitFor();
  expect(await page.getByLabel('Название').evaluate((el) => el === document.activeElement)).toBe(true);
  expect(await page.getByLabel('Название').getAttribute('aria-invalid')).toBe('true');
  expect(await notifications(page)).toEqual(['error']);
  await page.getByLabel('Название').fill('Доставка');
  await categoriesPage.getByRole('alert').waitFor({ state: 'detached' });
  await pressMainButton(page);
  await categoriesPage.getByText('Доставка').waitFor();
  // A name the server refuses (taken) is named by its caption, in the form.
  await page.getByLabel('Название').fill('Доставка');
  await pressMainButton(page);
  await categoriesPage
    .getByRole('alert')
    .filter({ hasText: 'Название: такое уже есть — выберите другое' })
    .waitFor();
  expect(await notifications(page)).toEqual(['error', 'success', 'error']);
  const categories = await apiAs<Array<{ name: string }> | { items: Array<{ name: string }> }>(
    stack.apiUrl,
    CUSTOMER,
    'GET',
    '/categories',
  );
  const names = (Array.isArray(categories) ? categories : categories.items).map((c) => c.name);
  expect(names).toContain('Доставка');

  // Roles: the newcomer is a customer, so not in the staff list — found by name and promoted.
  const fresh = (await openAs(browser, stack.miniappUrl, ADMIN, { context })).page;
  await fresh.getByTestId('open-dashboard').click();
  await fresh.getByRole('button', { name: /Агенты/ }).click();
  const agents = fresh.getByTestId('agents-page');
  await agents.getByTestId(`agent-${AGENT.id}`).waitFor();
  expect(await agents.getByTestId(`agent-${NEWCOMER.id}`).count()).toBe(0);
  await agents.getByTestId('agents-search').fill('Игорь');
  const found = agents.getByTestId(`agent-${NEWCOMER.id}`);
  await found.waitFor();
  await found.getByRole('combobox').selectOption('agent');
  await eventually(async () =>
    expect((await apiAs<{ role: string }>(stack.apiUrl, NEWCOMER, 'GET', '/me')).role).toBe('agent'),
  );
  await context.close();
});

test('the admin renames, archives and restores a category, and edits and deletes a canned reply', async () => {
  const category = await apiAs<{ id: number }>(stack.apiUrl, ADMIN, 'POST', '/categories', {
    name: 'Возвраты',
  });
  const canned = await apiAs<{ id: number }>(stack.apiUrl, ADMIN, 'POST', '/canned-replies', {
    shortcut: 'bye',
    title: 'Прощание',
    body: 'Всего доброго!',
    shared: true,
  });
  const { page, context } = await openAs(browser, stack.miniappUrl, ADMIN);
  const stored = async () =>
    (
      await apiAs<Array<{ id: number; name: string; archived: boolean }>>(
        stack.apiUrl,
        ADMIN,
        'GET',
        '/categories?archived=1',
      )
    ).find((c) => c.id === category.id);

  await page.getByTestId('open-dashboard').click();
  await page.getByRole('button', { name: /Категории/ }).click();
  const row = page.getByTestId(`category-${category.id}`);
  await row.getByRole('button', { name: 'Изменить' }).click();
  await expect(page.getByLabel('Название').inputValue()).resolves.toBe('Возвраты');
  await page.getByLabel('Название').fill('Возвраты и обмен');
  // Back with the edit unsaved asks first; «Отмена» stays on the form with the text.
  await pressBackButton(page);
  await eventually(async () => expect(await popups(page)).toEqual([LEAVE_FORM]));
  await clientEvent(page, 'popup_closed', {});
  await expect(page.getByLabel('Название').inputValue()).resolves.toBe('Возвраты и обмен');
  expect(await page.getByTestId('categories-page').isVisible()).toBe(true);
  await waitMainButtonActive(page, 'Сохранить');
  await pressMainButton(page);
  await row.getByText('Возвраты и обмен').waitFor();
  await eventually(async () => expect((await stored())?.name).toBe('Возвраты и обмен'));

  await row.getByRole('button', { name: 'В архив' }).click();
  await row.getByText('в архиве').waitFor();
  await eventually(async () => expect((await stored())?.archived).toBe(true));
  await row.getByRole('button', { name: 'Вернуть из архива' }).click();
  await row.getByRole('button', { name: 'В архив' }).waitFor();
  await eventually(async () => expect((await stored())?.archived).toBe(false));

  // Saved: Back leaves at once, asking nothing.
  await pressBackButton(page);
  await page.getByRole('button', { name: /Шаблоны ответов/ }).click();
  const cannedPage = page.getByTestId('canned-page');
  const cannedRow = page.getByTestId('canned-row-bye');
  await cannedRow.waitFor();
  expect(await popups(page)).toEqual([LEAVE_FORM]);
  // «Добавить» with a shortcut out of its alphabet and nothing else names each problem under its field.
  await page.getByLabel('Сокращение').fill('спасибо');
  await waitMainButtonActive(page, 'Добавить');
  await pressMainButton(page);
  for (const problem of [
    'Только латинские буквы, цифры, _ и -',
    'Напишите заголовок',
    'Напишите текст ответа',
  ])
    await cannedPage.getByRole('alert').filter({ hasText: problem }).waitFor();
  expect(await page.getByLabel('Сокращение').evaluate((el) => el === document.activeElement)).toBe(true);
  // «Изменить» starts the form afresh, without the abandoned draft's problems.
  await cannedRow.getByRole('button', { name: 'Изменить' }).click();
  await expect(page.getByLabel('Сокращение').inputValue()).resolves.toBe('bye');
  expect(await cannedPage.getByRole('alert').count()).toBe(0);
  await page.getByLabel('Текст ответа').fill('Всего доброго, пишите ещё!');
  await waitMainButtonActive(page, 'Сохранить');
  await pressMainButton(page);
  await cannedRow.getByText('Всего доброго, пишите ещё!').waitFor();
  // Deleting asks first (Telegram's confirm popup); the answer is Telegram's too.
  await cannedRow.getByRole('button', { name: 'Удалить' }).click();
  await eventually(async () =>
    expect((await lastClientEvent(page, 'web_app_open_popup'))?.data?.message).toBe('Удалить «Прощание»?'),
  );
  await clientEvent(page, 'popup_closed', { button_id: 'ok' });
  await cannedRow.waitFor({ state: 'detached' });
  const left = await apiAs<Array<{ id: number }>>(stack.apiUrl, ADMIN, 'GET', '/canned-replies');
  expect(left.map((c) => c.id)).not.toContain(canned.id);

  // A template opened for editing and left as it was: Back asks nothing.
  await page.getByTestId('canned-row-hello').getByRole('button', { name: 'Изменить' }).click();
  await expect(page.getByLabel('Сокращение').inputValue()).resolves.toBe('hello');
  await pressBackButton(page);
  await page.getByTestId('dashboard').waitFor();
  // A half-typed new one: Back asks, and «OK» leaves without it — the form opened again is empty.
  await page.getByRole('button', { name: /Шаблоны ответов/ }).click();
  await page.getByLabel('Сокращение').fill('thanks');
  await pressBackButton(page);
  await eventually(async () =>
    expect(await popups(page)).toEqual([LEAVE_FORM, 'Удалить «Прощание»?', LEAVE_FORM]),
  );
  expect(await cannedPage.isVisible()).toBe(true);
  await clientEvent(page, 'popup_closed', { button_id: 'ok' });
  await page.getByTestId('dashboard').waitFor();
  await page.getByRole('button', { name: /Шаблоны ответов/ }).click();
  await expect(page.getByLabel('Сокращение').inputValue()).resolves.toBe('');
  await context.close();
});
