import {
  type FakeBotApi,
  makeTextUpdate,
  startFakeBotApi,
  TEST_BOT_TOKEN,
  type TgChat,
  waitFor,
} from '@tikethet/testkit';
import type { Browser } from 'playwright-core';
import { launchBrowser, openAs } from '../support/browser';
import { apiAs, makeAgents } from '../support/people';
import type { Child } from '../support/processes';
import { type Stack, startBotProcess, startStack } from '../support/stack';

/**
 * Issue 16 in the whole product: the bot (its own process, long polling the fake Bot API) runs the agents'
 * forum; a ticket the customer opened in Telegram gets its topic; in the Mini App an agent sees the ticket's
 * "Open in the agents' group" link and the customer never does; a `/note` written in the topic reaches the
 * agent's live socket and never the customer's socket, page or Telegram chat.
 */
const ADMIN = { id: 9600, first_name: 'Мария', language_code: 'ru' };
const AGENT = { id: 9601, first_name: 'Oleg', language_code: 'en' };
const CUSTOMER = { id: 9602, first_name: 'Анна', language_code: 'ru' };
const FORUM = -1009600123456;
const forumChat: TgChat = { id: FORUM, type: 'supergroup', title: 'Support', is_forum: true };

const NOTE = 'TOPIC-NOTE-5c1e: refund already promised by phone';
const REPLY = 'Refund is on its way, two working days.';

let stack: Stack;
let fake: FakeBotApi;
let bot: Child;
let browser: Browser;

beforeAll(async () => {
  fake = await startFakeBotApi({ token: TEST_BOT_TOKEN });
  fake.makeForum(FORUM, { title: 'Support' });
  stack = await startStack('e2e_topics', { adminIds: [ADMIN.id] });
  await makeAgents(stack.apiUrl, ADMIN, [AGENT]);
  bot = await startBotProcess(stack, fake.apiRoot, { AGENTS_CHAT_ID: String(FORUM) });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await bot?.stop();
  await stack?.stop();
  await fake?.close();
});

test('staff see the topic link and the /note; the customer sees neither, anywhere', async () => {
  fake.pushUpdate(makeTextUpdate({ from: CUSTOMER, text: 'Верните деньги за заказ 42' }));
  const topic = await waitFor(() => fake.forumTopics(FORUM)[0], {
    description: 'the ticket’s topic',
    timeoutMs: 30_000,
  });
  const ticketId = Number(/^#(\d+) /.exec(topic.name)?.[1]);
  expect(ticketId).toBeGreaterThan(0);

  // The agent's ticket page: the link into the topic (t.me/c/<chat without -100>/<thread>).
  const agent = await openAs(browser, stack.miniappUrl, AGENT, { startParam: `ticket_${ticketId}` });
  await agent.page.getByTestId('ticket-page').waitFor();
  const link = agent.page.getByTestId('topic-link');
  await link.waitFor();
  expect(await link.getAttribute('href')).toBe(`https://t.me/c/9600123456/${topic.threadId}`);

  // The customer's page of the same ticket: no link, and nothing about the topic in what it received.
  const customer = await openAs(browser, stack.miniappUrl, CUSTOMER, { startParam: `ticket_${ticketId}` });
  await customer.page.getByTestId('ticket-page').waitFor();
  await customer.page.getByTestId('messages').getByText('Верните деньги').waitFor();
  expect(await customer.page.getByTestId('topic-link').count()).toBe(0);
  expect(customer.traffic.contains('"threadId"')).toBe(false);
  expect(customer.traffic.contains('t.me/c/')).toBe(false);
  const asCustomer = await apiAs<Record<string, unknown>>(
    stack.apiUrl,
    CUSTOMER,
    'GET',
    `/tickets/${ticketId}`,
  );
  expect(asCustomer).not.toHaveProperty('topic');

  // A note in the topic, then a reply: the agent's socket shows the note live, the customer's the reply only.
  const inTopic = (text: string) =>
    fake.pushUpdate(makeTextUpdate({ from: AGENT, chat: forumChat, threadId: topic.threadId, text }));
  inTopic(`/note ${NOTE}`);
  const note = agent.page.locator('[data-testid^="message-"]', { hasText: NOTE });
  await note.waitFor({ timeout: 30_000 });
  await expect(note.getAttribute('class')).resolves.toContain('message--note');
  expect(agent.traffic.frames.some((f) => f.includes('TOPIC-NOTE-5c1e'))).toBe(true);
  inTopic(REPLY);
  await customer.page.getByTestId('messages').getByText(REPLY).waitFor({ timeout: 30_000 });
  // Events reach a socket in seq order: the note's turn passed before the reply arrived.
  expect(customer.traffic.frames.some((f) => f.includes(REPLY))).toBe(true);
  expect(customer.traffic.contains('TOPIC-NOTE-5c1e')).toBe(false);
  expect(await customer.page.content()).not.toContain('TOPIC-NOTE-5c1e');
  // Nor in the customer's Telegram chat, which got the reply.
  await waitFor(() => fake.sentMessages(CUSTOMER.id).find((m) => JSON.stringify(m).includes(REPLY)), {
    description: 'the reply in the customer’s chat',
  });
  const toCustomer = fake.calls.filter((c) => c.params.chat_id === CUSTOMER.id);
  expect(JSON.stringify(toCustomer)).not.toContain('TOPIC-NOTE-5c1e');

  expect(customer.traffic.errors).toEqual([]);
  expect(agent.traffic.errors).toEqual([]);
  await customer.context.close();
  await agent.context.close();
});
