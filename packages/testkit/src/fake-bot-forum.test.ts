import { makeServiceUpdate, makeTextUpdate } from './bot-updates';
import { type FakeBotApi, startFakeBotApi } from './fake-bot-api';
import { FORUM_ICON_COLORS } from './fake-bot-forum';
import { TEST_BOT_TOKEN } from './init-data';
import type { TgForumTopic, TgMessage } from './telegram-types';

interface Answer {
  ok: boolean;
  result?: unknown;
  error_code?: number;
  description?: string;
  parameters?: { retry_after?: number; migrate_to_chat_id?: number };
}

const FORUM = -1001234567890;

describe('fake Bot API: forum topics', () => {
  let api: FakeBotApi;
  const call = async (method: string, body: unknown = {}) => {
    const res = await fetch(`${api.apiRoot}/bot${TEST_BOT_TOKEN}/${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Answer };
  };
  const bad = (description: string) => ({
    status: 400,
    body: { ok: false, error_code: 400, description: `Bad Request: ${description}` },
  });
  const create = async (name = '#1 Printer', extra: Record<string, unknown> = {}) => {
    const answer = await call('createForumTopic', { chat_id: FORUM, name, ...extra });
    expect(answer.body.ok).toBe(true);
    return answer.body.result as TgForumTopic;
  };

  beforeEach(async () => {
    api = await startFakeBotApi();
  });
  afterEach(() => api.close());

  it('says which chats are forums in getChat', async () => {
    api.makeForum(FORUM, { title: 'Support' });
    expect((await call('getChat', { chat_id: FORUM })).body.result).toEqual({
      id: FORUM,
      type: 'supergroup',
      title: 'Support',
      is_forum: true,
    });
    const plain = (await call('getChat', { chat_id: -1009 })).body.result as { is_forum?: boolean };
    expect(plain.is_forum).toBeUndefined();
    expect(await call('createForumTopic', { chat_id: -1009, name: 'x' })).toEqual(
      bad('the chat is not a forum'),
    );
  });

  it('creates topics whose id is their opening message and sends into them', async () => {
    api.makeForum(FORUM);
    const topic = await create('#7 Printer', { icon_color: FORUM_ICON_COLORS[5] });
    expect(topic).toEqual({
      message_thread_id: expect.any(Number),
      name: '#7 Printer',
      icon_color: 0xfb6f5f,
    });
    const sent = await call('sendMessage', {
      chat_id: FORUM,
      message_thread_id: topic.message_thread_id,
      text: 'hello topic',
    });
    expect(sent.body.result).toMatchObject({
      message_thread_id: topic.message_thread_id,
      is_topic_message: true,
    });
    const inGeneral = (await call('sendMessage', { chat_id: FORUM, text: 'general' })).body
      .result as TgMessage;
    expect(inGeneral.message_thread_id).toBeUndefined();

    // A customer's message copied into the topic keeps its content, takes the topic.
    const customer = makeTextUpdate({ from: { id: 501 }, text: 'my printer is on fire' });
    api.pushUpdate(customer);
    const copied = await call('copyMessage', {
      chat_id: FORUM,
      from_chat_id: 501,
      message_id: customer.message?.message_id,
      message_thread_id: topic.message_thread_id,
    });
    expect(copied.body.ok).toBe(true);
    expect(api.topicMessages(FORUM, topic.message_thread_id).map((m) => m.text ?? 'service')).toEqual([
      'service',
      'hello topic',
      'my printer is on fire',
    ]);
    expect(api.forumTopics(FORUM)).toEqual([
      expect.objectContaining({ threadId: topic.message_thread_id, closed: false, byBot: true }),
    ]);
  });

  it('refuses bad names and colours as Telegram does', async () => {
    api.makeForum(FORUM);
    expect(await call('createForumTopic', { chat_id: FORUM, name: '' })).toEqual(bad('TOPIC_TITLE_EMPTY'));
    expect(await call('createForumTopic', { chat_id: FORUM, name: 'x'.repeat(129) })).toEqual(
      bad('TOPIC_TITLE_TOO_LONG'),
    );
    expect((await call('createForumTopic', { chat_id: FORUM, name: 'é'.repeat(128) })).body.ok).toBe(true);
    expect(await call('createForumTopic', { chat_id: FORUM, name: 'x', icon_color: 0x123456 })).toEqual(
      bad('TOPIC_ICON_COLOR_INVALID'),
    );
  });

  it('closes, reopens and renames, answering TOPIC_NOT_MODIFIED for no change', async () => {
    api.makeForum(FORUM);
    const { message_thread_id: thread } = await create();
    const target = { chat_id: FORUM, message_thread_id: thread };
    expect((await call('closeForumTopic', target)).body).toEqual({ ok: true, result: true });
    expect(await call('closeForumTopic', target)).toEqual(bad('TOPIC_NOT_MODIFIED'));
    expect((await call('reopenForumTopic', target)).body.ok).toBe(true);
    expect(await call('reopenForumTopic', target)).toEqual(bad('TOPIC_NOT_MODIFIED'));
    expect((await call('editForumTopic', { ...target, name: '#1 ✅ Printer' })).body.ok).toBe(true);
    expect(await call('editForumTopic', { ...target, name: '#1 ✅ Printer' })).toEqual(
      bad('TOPIC_NOT_MODIFIED'),
    );
    expect(await call('closeForumTopic', { chat_id: FORUM, message_thread_id: 999999 })).toEqual(
      bad('TOPIC_ID_INVALID'),
    );
    expect(api.forumTopics(FORUM)[0]).toMatchObject({ name: '#1 ✅ Printer', closed: false });
  });

  it('keeps topic management and closed topics to admins with "Manage topics"', async () => {
    api.makeForum(FORUM, { canManageTopics: false });
    expect(await call('createForumTopic', { chat_id: FORUM, name: 'x' })).toEqual(
      bad('not enough rights to create a topic'),
    );
    api.makeForum(FORUM);
    const { message_thread_id: mine } = await create();
    await call('closeForumTopic', { chat_id: FORUM, message_thread_id: mine });
    const post = { chat_id: FORUM, message_thread_id: mine, text: 'x' };
    expect((await call('sendMessage', post)).body.ok).toBe(true);

    // The right taken away: a closed topic refuses the bot, which still manages the topics it created.
    api.makeForum(FORUM, { canManageTopics: false });
    expect(await call('sendMessage', post)).toEqual(bad('TOPIC_CLOSED'));
    expect((await call('reopenForumTopic', { chat_id: FORUM, message_thread_id: mine })).body.ok).toBe(true);
    expect((await call('sendMessage', post)).body.ok).toBe(true);
    const theirs = api.openTopicAsUser(FORUM, 'General questions');
    expect(await call('closeForumTopic', { chat_id: FORUM, message_thread_id: theirs })).toEqual(
      bad('not enough rights to manage topics'),
    );
    expect(api.forumTopics(FORUM)).toHaveLength(2);
  });

  it('answers "message thread not found" for a topic a person deleted, whose messages are gone', async () => {
    api.makeForum(FORUM);
    const { message_thread_id: thread } = await create();
    const sent = (await call('sendMessage', { chat_id: FORUM, message_thread_id: thread, text: 'card' })).body
      .result as TgMessage;
    api.deleteTopicAsUser(FORUM, thread);
    expect(await call('sendMessage', { chat_id: FORUM, message_thread_id: thread, text: 'again' })).toEqual(
      bad('message thread not found'),
    );
    expect(await call('editMessageText', { chat_id: FORUM, message_id: sent.message_id, text: 'x' })).toEqual(
      bad('message to edit not found'),
    );
    expect(await call('reopenForumTopic', { chat_id: FORUM, message_thread_id: thread })).toEqual(
      bad('TOPIC_ID_INVALID'),
    );
    expect(api.forumTopics(FORUM)).toEqual([]);
    const again = await create();
    expect(again.message_thread_id).not.toBe(thread);
  });

  it('fails every call to a migrated group with migrate_to_chat_id, and 429s createForumTopic on demand', async () => {
    api.migrateChat(-4001, -1004001);
    expect(await call('sendMessage', { chat_id: -4001, text: 'hi' })).toEqual({
      status: 400,
      body: {
        ok: false,
        error_code: 400,
        description: 'Bad Request: group chat was upgraded to a supergroup chat',
        parameters: { migrate_to_chat_id: -1004001 },
      },
    });
    expect((await call('sendMessage', { chat_id: -1004001, text: 'hi' })).body.ok).toBe(true);
    api.makeForum(FORUM);
    api.failNext('createForumTopic', 1, { retryAfter: 3 });
    expect(await call('createForumTopic', { chat_id: FORUM, name: 'x' })).toEqual({
      status: 429,
      body: {
        ok: false,
        error_code: 429,
        description: 'Too Many Requests: retry after 3',
        parameters: { retry_after: 3 },
      },
    });
  });

  it('edits captions of media and text of texts only, as Telegram does', async () => {
    const text = (await call('sendMessage', { chat_id: 42, text: 'hello' })).body.result as TgMessage;
    api.putFile('AgACAgI-photo', { path: 'photos/p.jpg', content: Buffer.from('JPEG'), type: 'photo' });
    const photo = (await call('sendPhoto', { chat_id: 42, photo: 'AgACAgI-photo', caption: 'old' })).body
      .result as TgMessage;
    expect(await call('editMessageText', { chat_id: 42, message_id: photo.message_id, text: 'x' })).toEqual(
      bad('there is no text in the message to edit'),
    );
    expect(
      await call('editMessageCaption', { chat_id: 42, message_id: text.message_id, caption: 'x' }),
    ).toEqual(bad('there is no caption in the message to edit'));
    const edited = await call('editMessageCaption', {
      chat_id: 42,
      message_id: photo.message_id,
      caption: 'new',
    });
    expect(edited.body.result).toMatchObject({ caption: 'new', edit_date: expect.any(Number) });
    expect(
      (await call('editMessageCaption', { chat_id: 42, message_id: photo.message_id, caption: 'new' }))
        .status,
    ).toBe(400);
  });

  it('builds topic messages and service updates', () => {
    const inTopic = makeTextUpdate({
      from: { id: 7 },
      chat: { id: FORUM, type: 'supergroup' },
      text: 'hi',
      threadId: 55,
    });
    expect(inTopic.message).toMatchObject({ message_thread_id: 55, is_topic_message: true });
    const replyThread = makeTextUpdate({
      from: { id: 7 },
      chat: { id: -1009, type: 'supergroup' },
      text: 'hi',
      threadId: 12,
      topicMessage: false,
    });
    expect(replyThread.message?.is_topic_message).toBeUndefined();
    const migrated = makeServiceUpdate({
      from: { id: 7 },
      chat: { id: -4001, type: 'group' },
      content: { migrate_to_chat_id: -1004001 },
    });
    expect(migrated.message?.migrate_to_chat_id).toBe(-1004001);
  });
});
