import type { Browser, Page } from 'playwright-core';
import { launchBrowser, openAs, pressMainButton, waitMainButtonActive } from '../support/browser';
import { makeAgents } from '../support/people';
import { type Stack, startStack } from '../support/stack';
import { markDocument, stillSameDocument } from '../support/traffic';

const ADMIN = { id: 7100, first_name: 'Мария', language_code: 'ru' };
const AGENT = { id: 7200, first_name: 'Oleg', last_name: 'Agent', language_code: 'en' };
const CUSTOMER = { id: 7300, first_name: 'Анна', last_name: 'Клиентова', language_code: 'ru' };

const SUBJECT = 'Не приходит код подтверждения';
const BODY = 'Жду SMS уже десять минут, код так и не пришёл.';
const REPLY = 'Здравствуйте! Проверяю отправку кода, минуту.';
const NOTE = 'INTERNAL-NOTE-7f3a: customer is on the legacy SMS route';
const REPLY_AFTER_NOTE = 'Код отправлен повторно, проверьте, пожалуйста.';

let stack: Stack;
let browser: Browser;

beforeAll(async () => {
  stack = await startStack('e2e_live', { adminIds: [ADMIN.id] });
  await makeAgents(stack.apiUrl, ADMIN, [AGENT]);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

async function sendFromComposer(page: Page, text: string): Promise<void> {
  await page.getByTestId('composer').fill(text);
  // The primary action lives on Telegram's MainButton.
  await waitMainButtonActive(page);
  await pressMainButton(page);
  await page
    .locator('[data-testid^="message-"][data-delivery="stored"]', { hasText: text })
    .waitFor({ state: 'visible' });
}

test('a ticket goes from the customer to an agent and back live; the internal note never reaches the customer', async () => {
  const customer = await openAs(browser, stack.miniappUrl, CUSTOMER);
  const customerTraffic = customer.traffic;
  const agent = await openAs(browser, stack.miniappUrl, AGENT);
  const agentTraffic = agent.traffic;

  // The agent's queue is open (empty) before the ticket exists.
  await agent.page.getByTestId('queue-empty').waitFor();
  await markDocument(agent.page);

  // The customer creates the ticket through the UI: MainButton «new», the form, MainButton «create».
  await customer.page.getByTestId('my-tickets').waitFor();
  await waitMainButtonActive(customer.page);
  await pressMainButton(customer.page);
  await customer.page.getByTestId('new-subject').fill(SUBJECT);
  await customer.page.getByTestId('new-body').fill(BODY);
  await waitMainButtonActive(customer.page);
  await pressMainButton(customer.page);
  const ticketPage = customer.page.getByTestId('ticket-page');
  await ticketPage.waitFor();
  const ticketId = Number(await ticketPage.getAttribute('data-ticket-id'));
  expect(ticketId).toBeGreaterThan(0);
  await customer.page.getByTestId('messages').getByText(BODY).waitFor();

  // The agent's queue shows it without a reload.
  const row = agent.page.getByTestId(`ticket-row-${ticketId}`);
  await row.waitFor();
  await expect(row.textContent()).resolves.toContain(SUBJECT);
  expect(await stillSameDocument(agent.page)).toBe(true);

  // Claim, reply, internal note.
  await row.click();
  await agent.page.getByTestId('ticket-page').waitFor();
  await agent.page.getByTestId('claim').click();
  await agent.page.getByTestId('assignee').filter({ hasText: 'Oleg' }).waitFor();
  await agent.page.getByTestId('claim').waitFor({ state: 'detached' });

  await sendFromComposer(agent.page, REPLY);
  await customer.page.getByTestId('messages').getByText(REPLY).waitFor();

  await agent.page.getByTestId('mode-note').click();
  await sendFromComposer(agent.page, NOTE);
  const note = agent.page.locator('[data-testid^="message-"]', { hasText: NOTE });
  await expect(note.getAttribute('class')).resolves.toContain('message--note');

  await agent.page.getByTestId('mode-reply').click();
  await sendFromComposer(agent.page, REPLY_AFTER_NOTE);

  // The customer gets the reply sent after the note live (events arrive in seq order, so the note's turn
  // has passed) — and the note is neither on screen nor in anything the page received.
  await customer.page.getByTestId('messages').getByText(REPLY_AFTER_NOTE).waitFor();
  await expect(customer.page.getByTestId('messages').textContent()).resolves.not.toContain(NOTE);
  expect(await customer.page.content()).not.toContain('INTERNAL-NOTE-7f3a');
  expect(customerTraffic.frames.length).toBeGreaterThan(0);
  expect(customerTraffic.frames.some((f) => f.includes(REPLY_AFTER_NOTE))).toBe(true);
  expect(customerTraffic.contains('INTERNAL-NOTE-7f3a')).toBe(false);
  expect(await customer.page.locator('.message--note').count()).toBe(0);

  expect(customerTraffic.errors).toEqual([]);
  expect(agentTraffic.errors).toEqual([]);

  await customer.context.close();
  await agent.context.close();
});
