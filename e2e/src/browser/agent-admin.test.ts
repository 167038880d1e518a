import { eventually } from '@tikethet/testkit';
import type { Browser } from 'playwright-core';
import {
  clientEvent,
  lastClientEvent,
  launchBrowser,
  openAs,
  pressBackButton,
  pressMainButton,
  waitMainButtonActive,
} from '../support/browser';
import { apiAs, makeAgents } from '../support/people';
import { type Stack, startStack } from '../support/stack';

/**
 * The agent's and admin's tools end to end in the UI: a canned reply picked by typing «/», status and
 * priority from the controls sheet, and the admin's categories and roles — each checked as stored.
 */
const ADMIN = { id: 8600, first_name: 'Мария', language_code: 'ru' };
const AGENT = { id: 8601, first_name: 'Олег', language_code: 'ru' };
const NEWCOMER = { id: 8602, first_name: 'Игорь', language_code: 'ru' };
const CUSTOMER = { id: 8603, first_name: 'Анна', language_code: 'ru' };
const CANNED = 'Здравствуйте! Уже разбираемся с вашим вопросом.';

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
  await page.getByTestId('composer').fill('/hel');
  await page.getByTestId('canned-hello').click();
  await expect(page.getByTestId('composer').inputValue()).resolves.toBe(CANNED);
  await waitMainButtonActive(page);
  await pressMainButton(page);
  await page.locator('[data-testid^="message-"][data-delivery="stored"]', { hasText: CANNED }).waitFor();

  await page.getByTestId('controls-toggle').click();
  const sheet = page.getByTestId('controls-sheet');
  await sheet.getByLabel('Приоритет').selectOption('urgent');
  await page.getByTestId('ticket-page').and(page.locator('[data-status="open"]')).waitFor();
  await eventually(async () =>
    expect(
      (await apiAs<{ priority: string }>(stack.apiUrl, AGENT, 'GET', `/tickets/${ticketId}`)).priority,
    ).toBe('urgent'),
  );
  await sheet.getByLabel('Статус').selectOption('pending');
  await page.getByTestId('ticket-page').and(page.locator('[data-status="pending"]')).waitFor();
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
  await context.close();
});

test('the admin adds a category and makes a newcomer an agent', async () => {
  const { page, context } = await openAs(browser, stack.miniappUrl, ADMIN);
  await page.getByTestId('open-dashboard').click();
  await page.getByTestId('dashboard').waitFor();

  await page.getByRole('button', { name: /Категории/ }).click();
  await page.getByTestId('categories-page').waitFor();
  await page.getByLabel('Название').fill('Доставка');
  await waitMainButtonActive(page);
  await pressMainButton(page);
  await page.getByTestId('categories-page').getByText('Доставка').waitFor();
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

  await pressBackButton(page);
  await page.getByRole('button', { name: /Шаблоны ответов/ }).click();
  const cannedRow = page.getByTestId('canned-row-bye');
  await cannedRow.getByRole('button', { name: 'Изменить' }).click();
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
  await context.close();
});
