import type { Browser } from 'playwright-core';
import { launchBrowser, openAs } from '../support/browser';
import { apiAs, makeAgents } from '../support/people';
import { type Stack, startStack } from '../support/stack';

/**
 * The customer's side of a ticket's life in the UI: close it, reopen it, see the agent resolve it live,
 * then rate it 1–5 with a comment — each step stored (checked over the API, the record's face). The status
 * reads as of «обращение», in the bot's words to customers (новое, закрыто, в работе, решено).
 */
const ADMIN = { id: 8800, first_name: 'Мария', language_code: 'ru' };
const AGENT = { id: 8801, first_name: 'Олег', language_code: 'ru' };
const CUSTOMER = { id: 8802, first_name: 'Анна', language_code: 'ru' };

let stack: Stack;
let browser: Browser;
let ticketId: number;

interface TicketView {
  status: string;
  version: number;
  rating: number | null;
}

beforeAll(async () => {
  stack = await startStack('e2e_lifecycle', { adminIds: [ADMIN.id] });
  await makeAgents(stack.apiUrl, ADMIN, [AGENT]);
  const created = await apiAs<{ id: number }>(stack.apiUrl, CUSTOMER, 'POST', '/tickets', {
    subject: 'Не работает промокод',
    body: 'Код SALE10 не применяется',
  });
  ticketId = created.id;
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

const ticket = () => apiAs<TicketView>(stack.apiUrl, AGENT, 'GET', `/tickets/${ticketId}`);

test('close, reopen, resolved live by the agent, then a five-star rating with a comment', async () => {
  const { page, context } = await openAs(browser, stack.miniappUrl, CUSTOMER, {
    startParam: `ticket_${ticketId}`,
  });
  const view = page.getByTestId('ticket-page');
  await view.waitFor();
  const badge = view.getByTestId('status-badge');
  expect(await badge.textContent()).toBe('новое');

  await page.getByRole('button', { name: 'Закрыть обращение' }).click();
  await page.getByTestId('ticket-page').and(page.locator('[data-status="closed"]')).waitFor();
  expect((await ticket()).status).toBe('closed');
  expect(await badge.textContent()).toBe('закрыто');

  await page.getByRole('button', { name: 'Открыть снова' }).click();
  await page.getByTestId('ticket-page').and(page.locator('[data-status="open"]')).waitFor();
  const reopened = await ticket();
  expect(reopened.status).toBe('open');
  expect(await badge.textContent()).toBe('в работе');

  // The agent resolves it elsewhere; the customer's open page follows live and offers the rating.
  await apiAs(stack.apiUrl, AGENT, 'PATCH', `/tickets/${ticketId}`, {
    status: 'resolved',
    version: reopened.version,
  });
  const rating = page.getByTestId('rating');
  await rating.waitFor();
  expect(await badge.textContent()).toBe('решено');
  await rating.getByLabel('Оценка 5 из 5').check({ force: true });
  await rating.locator('textarea').fill('Быстро помогли, спасибо');
  await rating.getByRole('button', { name: 'Оценить' }).click();
  await page.getByTestId('rating-thanks').waitFor();
  expect((await ticket()).rating).toBe(5);
  await context.close();
});
