import { eventually } from '@tikethet/testkit';
import type { Browser } from 'playwright-core';
import { clientEvent, clientEvents, launchBrowser, openAs } from '../support/browser';
import { apiAs, makeAgents } from '../support/people';
import { type Stack, startStack } from '../support/stack';

/**
 * Issue 19 in the Mini App: the customer card (history with the rating's comment, the team's note, the phone
 * request), tags on a ticket, the queue's multi-select with a bulk tag and the tag filter, and a merge that
 * moves both the agent and the customer who had the merged ticket open to the survivor.
 */
const ADMIN = { id: 8700, first_name: 'Мария', language_code: 'ru' };
const AGENT = { id: 8701, first_name: 'Олег', language_code: 'ru' };
const CUSTOMER = { id: 8702, first_name: 'Анна', username: 'anna_k', language_code: 'ru' };

let stack: Stack;
let browser: Browser;
let rated: number;
let main: number;
let duplicate: number;

interface Card {
  note: string | null;
  tickets: { id: number }[];
}
interface TicketJson {
  id: number;
  version: number;
  tags: string[];
  status: string;
  mergedIntoId: number | null;
}

const ticketOf = (id: number) => apiAs<TicketJson>(stack.apiUrl, AGENT, 'GET', `/tickets/${id}`);

beforeAll(async () => {
  stack = await startStack('e2e_triage', { adminIds: [ADMIN.id] });
  await makeAgents(stack.apiUrl, ADMIN, [AGENT]);
  const open = (subject: string, body: string) =>
    apiAs<TicketJson>(stack.apiUrl, CUSTOMER, 'POST', '/tickets', { subject, body });
  const old = await open('Не пришёл чек', 'Оплатила заказ 4410, чека нет');
  await apiAs(stack.apiUrl, AGENT, 'PATCH', `/tickets/${old.id}`, {
    status: 'resolved',
    version: old.version,
  });
  await apiAs(stack.apiUrl, CUSTOMER, 'POST', `/tickets/${old.id}/rating`, {
    score: 4,
    comment: 'Долго, но помогли',
  });
  rated = old.id;
  main = (await open('Не работает промокод', 'Промокод SPRING не применяется')).id;
  duplicate = (await open('Промокод снова', 'И второй промокод тоже')).id;
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

test('the customer card: history with the rating comment, a note kept for the team, tags on the ticket', async () => {
  const { page, context } = await openAs(browser, stack.miniappUrl, AGENT, { startParam: `ticket_${main}` });
  const card = page.getByTestId('customer-card');
  await card.waitFor();
  await card.getByText('@anna_k').waitFor();
  expect(await card.getByTestId('customer-phone').textContent()).toBe('не указан');
  await card.getByTestId('customer-history').locator('summary').click();
  await card.getByTestId(`history-${rated}`).waitFor();
  expect(await card.getByTestId(`history-comment-${rated}`).textContent()).toBe('Долго, но помогли');

  await card.getByTestId('customer-note').fill('Постоянный клиент, предпочитает чат');
  await card.getByTestId('save-note').click();
  await page.getByText('Заметка сохранена').waitFor();
  await eventually(async () =>
    expect((await apiAs<Card>(stack.apiUrl, AGENT, 'GET', `/customers/${CUSTOMER.id}`)).note).toBe(
      'Постоянный клиент, предпочитает чат',
    ),
  );

  const tags = page.getByTestId('tag-editor');
  await tags.getByTestId('tag-input').fill('Промо');
  await tags.getByTestId('tag-add').click();
  await tags.getByTestId('tag-промо').waitFor();
  await tags.getByTestId('tag-input').fill('два слова');
  await tags.getByTestId('tag-add').click();
  await tags.getByRole('alert').waitFor();
  await tags.getByTestId('tag-input').fill('vip');
  await tags.getByTestId('tag-input').press('Enter');
  await tags.getByTestId('tag-vip').waitFor();
  await eventually(async () => expect((await ticketOf(main)).tags).toEqual(['промо', 'vip']));
  await tags.getByRole('button', { name: 'Убрать тег vip' }).click();
  await eventually(async () => expect((await ticketOf(main)).tags).toEqual(['промо']));
  await context.close();

  // The customer sees her ticket, never the team's note.
  const own = await openAs(browser, stack.miniappUrl, CUSTOMER, { startParam: `ticket_${main}` });
  await own.page.getByTestId('messages').getByText('Промокод SPRING не применяется').waitFor();
  expect(await own.page.getByTestId('customer-card').count()).toBe(0);
  expect(await own.page.getByText('Постоянный клиент').count()).toBe(0);
  await own.context.close();
});

test('the customer shares their phone through Telegram’s own request (requestContact)', async () => {
  const { page, context } = await openAs(browser, stack.miniappUrl, CUSTOMER, {
    startParam: `ticket_${main}`,
  });
  const asks = () => clientEvents(page, 'web_app_request_phone');
  // Declined in Telegram's dialog: nothing is claimed.
  await page.getByTestId('share-phone').click();
  await eventually(async () => expect(await asks()).toHaveLength(1));
  await clientEvent(page, 'phone_requested', { status: 'cancelled' });
  expect(await page.getByText('Спасибо, номер отправлен').count()).toBe(0);
  // Shared: the client then hands the contact over through its custom method, and the app says thank you.
  await page.getByTestId('share-phone').click();
  await eventually(async () => expect(await asks()).toHaveLength(2));
  await clientEvent(page, 'phone_requested', { status: 'sent' });
  const invoked = await eventually(async () => {
    const [call] = await clientEvents(page, 'web_app_invoke_custom_method');
    expect(call?.data?.method).toBe('getRequestedContact');
    return call;
  });
  await clientEvent(page, 'custom_method_invoked', {
    req_id: invoked?.data?.req_id,
    result: `contact=${encodeURIComponent(JSON.stringify({ user_id: CUSTOMER.id, phone_number: '79990001122' }))}`,
  });
  await page.getByText('Спасибо, номер отправлен').waitFor();
  expect(await page.getByText('Спасибо, номер отправлен').count()).toBe(1);
  await context.close();
});

test('the queue: pick tickets, tag them at once, then filter by the tag', async () => {
  const { page, context } = await openAs(browser, stack.miniappUrl, AGENT);
  await page.getByTestId('tab-all').click();
  await page.getByTestId(`ticket-row-${duplicate}`).waitFor();
  await page.getByTestId('select-toggle').click();
  await page.getByTestId(`pick-${main}`).check();
  await page.getByTestId(`pick-${duplicate}`).check();
  expect(await page.getByTestId('bulk-count').textContent()).toBe('Выбрано: 2');
  await page.getByTestId('bulk-tag-input').fill('Акция');
  await page.getByTestId('bulk-tag').click();
  await page.getByText('Готово: 2 из 2').waitFor();
  await eventually(async () => {
    expect((await ticketOf(main)).tags).toEqual(['промо', 'акция']);
    expect((await ticketOf(duplicate)).tags).toEqual(['акция']);
  });
  await page.getByTestId(`ticket-row-${duplicate}`).getByTestId('row-tags').getByText('акция').waitFor();

  await page.getByTestId('select-toggle').click();
  await page.getByTestId('filters-toggle').click();
  await page.getByTestId('filters').getByLabel('Тег', { exact: true }).selectOption('промо');
  await page.getByTestId(`ticket-row-${duplicate}`).waitFor({ state: 'detached' });
  await page.getByTestId(`ticket-row-${main}`).waitFor();
  expect(await page.getByTestId('queue-list').locator('[data-testid^="ticket-row-"]').count()).toBe(1);
  await context.close();
});

test('a merge moves the messages, and the agent and the customer who had it open move to the survivor', async () => {
  const customer = await openAs(browser, stack.miniappUrl, CUSTOMER, { startParam: `ticket_${duplicate}` });
  await customer.page.getByTestId('messages').getByText('И второй промокод тоже').waitFor();
  const agent = await openAs(browser, stack.miniappUrl, AGENT, { startParam: `ticket_${duplicate}` });
  const card = agent.page.getByTestId('customer-card');
  await card.getByTestId('merge-open').click();
  const dialog = agent.page.getByTestId('merge-dialog');
  // Only the customer's tickets that still take messages are offered (the resolved one is, the closed not).
  await dialog.getByTestId(`merge-into-${main}`).click();

  for (const page of [agent.page, customer.page]) {
    await page.locator(`[data-testid="ticket-page"][data-ticket-id="${main}"]`).waitFor();
    await page.getByTestId('messages').getByText('И второй промокод тоже').waitFor();
    await page.getByTestId('messages').getByText('Промокод SPRING не применяется').waitFor();
  }
  const merged = await ticketOf(duplicate);
  expect(merged).toMatchObject({ status: 'closed', mergedIntoId: main });
  expect((await ticketOf(main)).tags).toEqual(['промо', 'акция']);

  // The merged ticket opened later says where the conversation went.
  const later = await openAs(browser, stack.miniappUrl, CUSTOMER, { startParam: `ticket_${duplicate}` });
  await later.page.getByTestId('merged-banner').getByText(`Обращение объединено с #${main}`).waitFor();
  await Promise.all([customer.context.close(), agent.context.close(), later.context.close()]);
});

test('an admin merges one tag into another from the dashboard', async () => {
  const { page, context } = await openAs(browser, stack.miniappUrl, ADMIN);
  await page.getByTestId('open-dashboard').click();
  const form = page.getByTestId('tag-rename');
  await form.getByLabel('Какой тег').selectOption('акция');
  await form.getByLabel('Новое имя (существующее — объединить)').fill('Промо');
  await form.getByRole('button', { name: 'Переименовать' }).click();
  await form.getByRole('status').getByText('Тег «промо» теперь на 2 тикетах').waitFor();
  await eventually(async () => expect((await ticketOf(main)).tags).toEqual(['промо']));
  const tags = await apiAs<{ items: { name: string; tickets: number }[] }>(
    stack.apiUrl,
    AGENT,
    'GET',
    '/tags',
  );
  // The merged ticket keeps its own tags: both carry «промо» now.
  expect((await ticketOf(duplicate)).tags).toEqual(['промо']);
  expect(tags.items).toEqual([{ name: 'промо', tickets: 2 }]);
  await context.close();
});
