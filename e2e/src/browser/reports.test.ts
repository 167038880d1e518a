import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, openAs } from '../support/browser';
import { apiAs, makeAgents } from '../support/people';
import { ROOT, type Stack, startStack } from '../support/stack';

/**
 * The stats screen's per-agent table (issue 17, Reports): an agent resolves and gets a rated ticket; the admin
 * sees the agent's row, the rating comment under the agent's name, and downloads the table as CSV.
 */
const ADMIN = { id: 8800, first_name: 'Мария', language_code: 'ru' };
const AGENT = { id: 8801, first_name: 'Олег', last_name: 'Петров', language_code: 'ru' };
const CUSTOMER = { id: 8802, first_name: 'Анна', language_code: 'ru' };
const OUT = path.join(ROOT, 'docs/screenshots');

let stack: Stack;
let browser: Browser;

async function shoot(page: Page, name: string): Promise<void> {
  await page.evaluate(() => document.fonts.ready);
  await page.screenshot({ path: path.join(OUT, `${name}.png`), fullPage: true });
}

beforeAll(async () => {
  mkdirSync(OUT, { recursive: true });
  stack = await startStack('e2e_reports', { adminIds: [ADMIN.id] });
  await makeAgents(stack.apiUrl, ADMIN, [AGENT]);
  for (const [subject, score, comment] of [
    ['Не приходит код', 5, 'Быстро помогли, спасибо!'],
    ['Двойное списание', 3, null],
  ] as const) {
    const { id } = await apiAs<{ id: number }>(stack.apiUrl, CUSTOMER, 'POST', '/tickets', {
      subject,
      body: 'Помогите, пожалуйста',
    });
    await apiAs(stack.apiUrl, AGENT, 'POST', `/tickets/${id}/claim`);
    await apiAs(stack.apiUrl, AGENT, 'POST', `/tickets/${id}/messages`, { body: 'Смотрю' });
    const { version } = await apiAs<{ version: number }>(stack.apiUrl, AGENT, 'GET', `/tickets/${id}`);
    await apiAs(stack.apiUrl, AGENT, 'PATCH', `/tickets/${id}`, { status: 'resolved', version });
    await apiAs(stack.apiUrl, CUSTOMER, 'POST', `/tickets/${id}/rating`, { score, comment });
  }
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

test('the stats screen shows the per-agent table and downloads it as CSV', async () => {
  const { page, context } = await openAs(browser, stack.miniappUrl, ADMIN);
  await page.getByTestId('queue').waitFor();
  await page.getByTestId('open-dashboard').click();
  const row = page.getByTestId(`agent-row-${AGENT.id}`);
  await row.waitFor();
  const cell = (id: string) => row.getByTestId(id).textContent();
  expect(await cell('agent-name')).toBe('Олег Петров');
  expect(await cell('agent-handled')).toBe('2');
  expect(await cell('agent-sla')).toBe('100%');
  expect(await cell('agent-csat')).toBe('4.0 ★ (2)');
  await expect(page.getByTestId('stats-comments').textContent()).resolves.toContain('Олег Петров');

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('export-agents').click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/^agents-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv$/);
  const file = await download.path();
  const lines = readFileSync(file, 'utf8')
    .replace(/^\ufeff/, '')
    .split('\r\n');
  expect(lines[0]?.startsWith('agent_id,agent,username,handled,')).toBe(true);
  expect(lines[1]?.startsWith(`${AGENT.id},Олег Петров,,2,`)).toBe(true);

  const [tickets] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('export-tickets').click(),
  ]);
  const ticketLines = readFileSync(await tickets.path(), 'utf8')
    .replace(/^\ufeff/, '')
    .split('\r\n');
  expect(ticketLines[0]?.startsWith('id,created_at,subject,status,')).toBe(true);
  // Two tickets and the empty string after the last CRLF.
  expect(ticketLines).toHaveLength(4);
  expect(ticketLines[1]).toContain('Не приходит код');

  // A custom range with nothing in it: the table says so.
  await page.getByTestId('range-from').fill('2001-01-01');
  await page.getByTestId('range-to').fill('2001-01-31');
  await page.getByTestId('agents-empty').waitFor();
  await page.getByTestId('range-30').click();
  await row.waitFor();
  await page.evaluate(() => window.scrollTo(0, 0));
  await shoot(page, 'admin-stats-agents');
  await context.close();
});
