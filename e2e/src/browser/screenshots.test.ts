import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { DARK_THEME_PARAMS, launchBrowser, openAs, pressBackButton } from '../support/browser';
import { apiAs } from '../support/people';
import { DEMO, type DemoTickets, seedDemo } from '../support/seed';
import { ROOT, type Stack, startStack } from '../support/stack';

const OUT = path.join(ROOT, 'docs/screenshots');

let stack: Stack;
let browser: Browser;
let demo: DemoTickets;

beforeAll(async () => {
  mkdirSync(OUT, { recursive: true });
  stack = await startStack('e2e_screens', { adminIds: [DEMO.admin.id] });
  demo = await seedDemo(stack.apiUrl, stack.databaseUrl);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

/** Waits until nothing visible is loading (screens under the top one stay mounted, hidden), then writes docs/screenshots/<name>.png. */
async function shoot(page: Page, name: string): Promise<void> {
  await page.waitForFunction(() =>
    Array.from(document.querySelectorAll('.loading')).every((el) => !el.checkVisibility()),
  );
  await page.evaluate(() => document.fonts.ready);
  await page.screenshot({ path: path.join(OUT, `${name}.png`) });
}

test('customer screens: the list and the conversation (light and dark)', async () => {
  const { page, context } = await openAs(browser, stack.miniappUrl, DEMO.customer);
  await page.getByTestId(`ticket-row-${demo.fresh}`).waitFor();
  await page.getByTestId(`ticket-row-${demo.resolved}`).waitFor();
  // Unread comes from the server: the agent's answer is unread, a ticket with only her own message is not.
  await page.getByTestId(`ticket-row-${demo.resolved}`).getByTestId('unread-dot').waitFor();
  expect(await page.getByTestId(`ticket-row-${demo.fresh}`).getByTestId('unread-dot').count()).toBe(0);
  await shoot(page, 'customer-list');

  await page.getByTestId(`ticket-row-${demo.conversation}`).click();
  await page.getByTestId('messages').getByText('через другой канал').waitFor();
  expect(await page.locator('.message--note').count()).toBe(0);
  await shoot(page, 'customer-conversation');
  await pressBackButton(page);
  await page.getByTestId('my-tickets').waitFor();
  await page.getByTestId(`ticket-row-${demo.conversation}`).waitFor();
  expect(await page.getByTestId(`ticket-row-${demo.conversation}`).getByTestId('unread-dot').count()).toBe(0);
  await context.close();

  const dark = await openAs(browser, stack.miniappUrl, DEMO.customer, {
    theme: DARK_THEME_PARAMS,
    startParam: `ticket_${demo.conversation}`,
  });
  await dark.page.getByTestId('messages').getByText('через другой канал').waitFor();
  await shoot(dark.page, 'customer-conversation-dark');
  await dark.context.close();
});

test('agent screens: the queue (tags, multi-select) and a ticket with the customer card and an internal note', async () => {
  // Tags as a team uses them: on a queue row and on the ticket shown with its card.
  await apiAs(stack.apiUrl, DEMO.agent, 'POST', '/tickets/bulk', {
    ids: [demo.fresh],
    addTags: ['доставка'],
  });
  await apiAs(stack.apiUrl, DEMO.agent, 'POST', '/tickets/bulk', {
    ids: [demo.conversation],
    addTags: ['оплата', 'vip'],
  });
  const { page, context } = await openAs(browser, stack.miniappUrl, DEMO.agent);
  await page.getByTestId('queue-list').waitFor();
  await page.getByTestId(`ticket-row-${demo.fresh}`).getByTestId('row-tags').waitFor();
  await shoot(page, 'agent-queue');
  await page.getByTestId('select-toggle').click();
  await page.getByTestId(`pick-${demo.fresh}`).check();
  await page.getByTestId('bulk-bar').waitFor();
  await shoot(page, 'agent-queue-select');
  await page.getByTestId('select-toggle').click();

  await page.getByTestId('tab-me').click();
  await page.getByTestId(`ticket-row-${demo.conversation}`).click();
  await page.getByTestId('customer-card').waitFor();
  await page.getByTestId('tag-editor').getByTestId('tag-vip').waitFor();
  await page.locator('.message--note').waitFor();
  // The customer viewing her own ticket is no collision: the warning is only about other staff.
  expect(await page.getByTestId('presence-banner').count()).toBe(0);
  await page.evaluate(() => window.scrollTo(0, 0));
  await shoot(page, 'agent-ticket');
  await context.close();
});

test('admin screen: stats with the chart', async () => {
  const { page, context } = await openAs(browser, stack.miniappUrl, DEMO.admin);
  await page.getByTestId('queue').waitFor();
  await page.getByTestId('open-dashboard').click();
  await page.getByTestId('stats-chart').waitFor();
  expect(Number(await page.getByTestId('stat-open').locator('.stat__value').textContent())).toBeGreaterThan(
    0,
  );
  await shoot(page, 'admin-stats');
  await context.close();
});

test('admin screens: categories (one archived) and canned replies', async () => {
  const archived = await apiAs<{ id: number }>(stack.apiUrl, DEMO.admin, 'POST', '/categories', {
    name: 'Старые заказы',
    description: 'До переезда на новый склад',
  });
  await apiAs(stack.apiUrl, DEMO.admin, 'PATCH', `/categories/${archived.id}`, { archived: true });
  for (const reply of [
    { shortcut: 'hello', title: 'Приветствие', body: 'Здравствуйте! Уже разбираемся с вашим вопросом.' },
    { shortcut: 'wait', title: 'Ждём склад', body: 'Склад подтвердит отправку в течение дня, я напишу вам.' },
    { shortcut: 'bye', title: 'Прощание', body: 'Рады были помочь! Если что-то ещё — пишите сюда.' },
  ]) {
    await apiAs(stack.apiUrl, DEMO.admin, 'POST', '/canned-replies', { ...reply, shared: true });
  }
  const { page, context } = await openAs(browser, stack.miniappUrl, DEMO.admin);
  await page.getByTestId('open-dashboard').click();
  await page.getByRole('button', { name: /Категории/ }).click();
  await page.getByTestId(`category-${archived.id}`).getByText('в архиве').waitFor();
  await shoot(page, 'admin-categories');
  await pressBackButton(page);
  await page.getByRole('button', { name: /Шаблоны ответов/ }).click();
  await page.getByTestId('canned-row-wait').waitFor();
  expect(await page.locator('[data-testid^="canned-row-"]').count()).toBeGreaterThanOrEqual(3);
  await shoot(page, 'admin-canned');
  await context.close();
});
