import { makeMediaUpdate, makePhotoUpdate, makeTextUpdate, waitFor } from '@tikethet/testkit';
import { type Harness, newUserId, startHarness, textOf } from './helpers/harness';

/**
 * A ticket opened with a photo, a voice note or another file: the agents' group gets the new-ticket post and,
 * after it, the customer's own message copied (media stays media), not only a preview naming the file.
 */
describe('the agents’ new-ticket post carries the customer’s media', () => {
  const agentsChat = -100_900_777;
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('webhook', { AGENTS_CHAT_ID: String(agentsChat) }, 'post_media');
  });
  afterAll(async () => {
    await h.close();
  });

  const copiesTo = (chatId: number, fromChat: number) =>
    h.api
      .callsOf('copyMessage')
      .filter((c) => c.params.chat_id === chatId && c.params.from_chat_id === fromChat && c.ok);

  it.each([
    ['a photo', (customer: number) => makePhotoUpdate({ from: { id: customer, language_code: 'en' } })],
    [
      'a voice note',
      (customer: number) => makeMediaUpdate({ from: { id: customer, language_code: 'en' }, kind: 'voice' }),
    ],
  ])('%s that opens a ticket is copied into the group after the post, once', async (_what, update) => {
    const customer = newUserId();
    const opening = update(customer);
    await h.send(opening);
    const [ticket] = await h.query<{ id: number }>('select id from tickets where customer_id = $1', [
      customer,
    ]);
    const ticketId = ticket?.id ?? 0;
    await waitFor(() => copiesTo(agentsChat, customer).length === 1, {
      description: 'the customer’s message copied into the agents’ group',
      timeoutMs: 15_000,
    });
    expect(copiesTo(agentsChat, customer)[0]?.params.message_id).toBe(opening.message?.message_id);
    // The post came first, in the same chat.
    const posts = h.api.sentMessages(agentsChat).filter((m) => textOf(m).includes(`#${ticketId}`));
    expect(posts.length).toBeGreaterThanOrEqual(1);
    const postAt = h.api.calls.findIndex(
      (c) =>
        c.method === 'sendMessage' &&
        c.params.chat_id === agentsChat &&
        String(c.params.text).includes(`#${ticketId}`),
    );
    const copyAt = h.api.calls.findIndex(
      (c) =>
        c.method === 'copyMessage' && c.params.chat_id === agentsChat && c.params.from_chat_id === customer,
    );
    expect(postAt).toBeGreaterThanOrEqual(0);
    expect(copyAt).toBeGreaterThan(postAt);
    // Redelivery of the event (a catch-up) does not copy it twice.
    await h.send(makeTextUpdate({ from: { id: customer, language_code: 'en' }, text: 'and one more thing' }));
    await waitFor(
      async () => (await h.query('select 1 from messages where ticket_id = $1', [ticketId])).length === 2,
      { description: 'the follow-up stored' },
    );
    expect(copiesTo(agentsChat, customer)).toHaveLength(1);
  });

  it('a ticket opened with text alone gets the post and nothing copied', async () => {
    const customer = newUserId();
    await h.send(makeTextUpdate({ from: { id: customer, language_code: 'en' }, text: 'Where is my order?' }));
    await waitFor(
      () => h.api.sentMessages(agentsChat).some((m) => textOf(m).includes('Where is my order?')),
      {
        description: 'the post',
        timeoutMs: 15_000,
      },
    );
    expect(copiesTo(agentsChat, customer)).toHaveLength(0);
  });
});
