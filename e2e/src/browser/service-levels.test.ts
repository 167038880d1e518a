import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { createDb } from '@tikethet/db';
import { eventually } from '@tikethet/testkit';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, openAs, pressMainButton } from '../support/browser';
import { apiAs, makeAgents } from '../support/people';
import { ROOT, type Stack, startStack } from '../support/stack';

/**
 * Service levels in the Mini App: the admin's settings screen (validation naming the field, saved as stored),
 * the agents' queue showing «срок через …» / «просрочен», sorted by due time and filtered to the overdue, and
 * the availability toggle. Screenshots of the settings and the queue go to docs/screenshots.
 */
const ADMIN = { id: 8700, first_name: 'Мария', language_code: 'ru' };
const AGENT = { id: 8701, first_name: 'Олег', language_code: 'ru' };
const CUSTOMER = { id: 8702, first_name: 'Анна', language_code: 'ru' };
const OUT = path.join(ROOT, 'docs/screenshots');
const ALL_WEEK = Object.fromEntries(
  ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [['00:00', '24:00']]]),
);

let stack: Stack;
let browser: Browser;
let late: number;
let soon: number;

async function shoot(page: Page, name: string): Promise<void> {
  await page.evaluate(() => document.fonts.ready);
  await page.screenshot({ path: path.join(OUT, `${name}.png`) });
}

beforeAll(async () => {
  mkdirSync(OUT, { recursive: true });
  stack = await startStack('e2e_service_levels', { adminIds: [ADMIN.id] });
  await makeAgents(stack.apiUrl, ADMIN, [AGENT]);
  // Around the clock, so the due times below do not depend on when the test runs.
  const settings = await apiAs<Record<string, unknown>>(
    stack.apiUrl,
    ADMIN,
    'GET',
    '/settings/service-levels',
  );
  await apiAs(stack.apiUrl, ADMIN, 'PUT', '/settings/service-levels', { ...settings, hours: ALL_WEEK });
  soon = (
    await apiAs<{ id: number }>(stack.apiUrl, CUSTOMER, 'POST', '/tickets', {
      subject: 'Не приходит код подтверждения',
      body: 'Жду уже десять минут',
    })
  ).id;
  late = (
    await apiAs<{ id: number }>(stack.apiUrl, CUSTOMER, 'POST', '/tickets', {
      subject: 'Двойное списание за подписку',
      body: 'Списали два раза',
    })
  ).id;
  // As if the second ticket had waited five hours (normal: first response within 4 business hours).
  const db = createDb(stack.databaseUrl, { max: 1 });
  try {
    await db.db.$client.query(
      `update tickets set created_at = now() - interval '5 hours', sla_resolution_since = now() - interval '5 hours',
        sla_awaiting_since = now() - interval '5 hours' where id = $1`,
      [late],
    );
  } finally {
    await db.close();
  }
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

test('the queue shows due times, sorts by the nearest and filters the overdue; the agent goes away', async () => {
  const { page, context } = await openAs(browser, stack.miniappUrl, AGENT);
  await page.getByTestId('queue').waitFor();
  const lateRow = page.getByTestId(`ticket-row-${late}`);
  const soonRow = page.getByTestId(`ticket-row-${soon}`);
  await expect(lateRow.getByTestId('sla-due').textContent()).resolves.toBe('просрочен');
  await expect(soonRow.getByTestId('sla-due').textContent()).resolves.toMatch(/^срок через (3|4) ч$/);
  await shoot(page, 'agent-queue-due');

  await page.getByTestId('filters-toggle').click();
  const filters = page.getByTestId('filters');
  await filters.getByLabel('Порядок', { exact: true }).selectOption('due');
  await eventually(async () => {
    const ids = await page
      .getByTestId('queue-list')
      .locator('[data-testid^="ticket-row-"]')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-testid')));
    expect(ids).toEqual([`ticket-row-${late}`, `ticket-row-${soon}`]);
  });
  await filters.getByLabel('Срок', { exact: true }).selectOption('breached');
  await eventually(async () => {
    expect(await page.getByTestId('queue-list').locator('[data-testid^="ticket-row-"]').count()).toBe(1);
  });
  await lateRow.waitFor();

  const toggle = page.getByTestId('availability-toggle');
  await expect(toggle.textContent()).resolves.toBe('На связи');
  await toggle.click();
  await eventually(async () => expect(await toggle.textContent()).toBe('Отошёл'));
  const me = await apiAs<{ availability: string }>(stack.apiUrl, AGENT, 'GET', '/me');
  expect(me.availability).toBe('away');
  await context.close();
});

test('the admin edits the service levels: a wrong field is named, a valid change is stored', async () => {
  const { page, context } = await openAs(browser, stack.miniappUrl, ADMIN);
  await page.getByTestId('queue').waitFor();
  await page.getByTestId('open-dashboard').click();
  await page.getByText('Уровни сервиса').click();
  const screen = page.getByTestId('service-levels-page');
  await screen.waitFor();
  await expect(page.getByTestId('sla-hours-mon').inputValue()).resolves.toBe('00:00-24:00');

  // Hours that do not read as spans are refused before anything is sent.
  await page.getByTestId('sla-hours-mon').fill('9-18');
  await pressMainButton(page);
  await screen.getByText('Пн: Часы: HH:MM-HH:MM через запятую').waitFor();

  // The server names a field it refuses.
  await page.getByTestId('sla-hours-mon').fill('09:00-18:00');
  await page.getByTestId('sla-timezone').fill('Nowhere/Land');
  await pressMainButton(page);
  await screen
    .getByTestId('section-error')
    .getByText(/timezone/)
    .waitFor();

  await page.getByTestId('sla-timezone').fill('Asia/Yekaterinburg');
  await page.getByTestId('sla-hours-fri').fill('09:00-18:00, 22:00-02:00');
  await page.getByTestId('sla-target-urgent-firstResponseMin').fill('20');
  await screen.getByLabel('Назначение').selectOption('round_robin');
  await page.getByTestId('sla-auto-reply').check();
  await pressMainButton(page);
  await page.getByTestId('toast').getByText('Сохранено').waitFor();
  const stored = await apiAs<{
    timezone: string;
    hours: Record<string, string[][]>;
    targets: { urgent: { firstResponseMin: number } };
    assignment: { mode: string };
    autoReply: { enabled: boolean };
  }>(stack.apiUrl, ADMIN, 'GET', '/settings/service-levels');
  expect(stored.timezone).toBe('Asia/Yekaterinburg');
  expect(stored.hours.mon).toEqual([['09:00', '18:00']]);
  expect(stored.hours.fri).toEqual([
    ['09:00', '18:00'],
    ['22:00', '02:00'],
  ]);
  expect(stored.targets.urgent.firstResponseMin).toBe(20);
  expect(stored.assignment.mode).toBe('round_robin');
  expect(stored.autoReply.enabled).toBe(true);
  await page.evaluate(() => window.scrollTo(0, 0));
  await shoot(page, 'admin-service-levels');
  await context.close();
});
