import { Input, Markup, Telegraf } from 'telegraf';
import {
  makeCallbackUpdate,
  makeDocumentUpdate,
  makeEditedMessageUpdate,
  makeTextUpdate,
} from './bot-updates';
import { type FakeBotApi, startFakeBotApi } from './fake-bot-api';
import type { TgMessage } from './telegram-types';
import { eventually } from './wait';

/** The fake against the real client the bot uses: telegraf in long-polling mode. */
describe('fake Bot API with telegraf', () => {
  let api: FakeBotApi;
  let bot: Telegraf;
  let launched: Promise<void>;
  const edits: string[] = [];
  const documents: string[] = [];

  beforeEach(async () => {
    api = await startFakeBotApi();
    bot = new Telegraf(api.token, { telegram: { apiRoot: api.apiRoot } });
    bot.start((ctx) =>
      ctx.reply(
        `Hi ${ctx.from.first_name}, payload=${ctx.payload}`,
        Markup.inlineKeyboard([Markup.button.callback('Rate 5', 'rate:5')]),
      ),
    );
    bot.command('photo', (ctx) =>
      ctx.replyWithPhoto(Input.fromBuffer(Buffer.alloc(300, 1), 'p.png'), { caption: 'here' }),
    );
    bot.action(/^rate:(\d)$/, async (ctx) => {
      await ctx.answerCbQuery('Thanks');
      await ctx.editMessageText(`Rated ${ctx.match[1]}`);
    });
    bot.on('edited_message', (ctx) => {
      if ('text' in ctx.editedMessage) edits.push(ctx.editedMessage.text);
    });
    bot.on('document', (ctx) => {
      documents.push(ctx.message.document.file_name ?? '');
    });
    await bot.telegram.setMyCommands([{ command: 'start', description: 'Start' }]);
    launched = bot.launch({ dropPendingUpdates: true });
    await api.waitForCall('getUpdates');
  });

  afterEach(async () => {
    bot.stop('test');
    await launched;
    await api.close();
  });

  it('drives a bot through commands, callbacks, uploads, edits and documents', async () => {
    expect(api.callsOf('getMe')).toHaveLength(1);
    expect(api.callsOf('deleteWebhook')[0]?.params).toEqual({ drop_pending_updates: true });
    expect(api.callsOf('setMyCommands')[0]?.ok).toBe(true);

    const start = api.pushUpdate(
      makeTextUpdate({ from: { id: 4242, first_name: 'Oleg' }, text: '/start ticket_7' }),
    );
    const greeting = await api.waitForCall('sendMessage');
    expect(greeting.params).toMatchObject({ chat_id: 4242, text: 'Hi Oleg, payload=ticket_7' });

    api.pushUpdate(
      makeCallbackUpdate({ from: { id: 4242 }, data: 'rate:5', message: greeting.result as TgMessage }),
    );
    const answered = await api.waitForCall('answerCallbackQuery');
    expect(answered.params).toMatchObject({ text: 'Thanks' });
    const edited = await api.waitForCall('editMessageText');
    expect(edited).toMatchObject({ ok: true, result: { text: 'Rated 5' } });

    api.pushUpdate(makeTextUpdate({ from: { id: 4242 }, text: '/photo' }));
    const photo = await api.waitForCall('sendPhoto');
    expect(photo.encoding).toBe('multipart');
    expect(photo.files.photo).toMatchObject({ filename: 'p.png', size: 300 });
    expect(photo.params).toMatchObject({ chat_id: 4242, caption: 'here' });

    const original = start.message as TgMessage;
    api.pushUpdate(makeEditedMessageUpdate({ original, text: '/start ticket_8' }));
    api.pushUpdate(makeDocumentUpdate({ from: { id: 4242 }, fileName: 'logs.txt', mimeType: 'text/plain' }));
    await eventually(() => {
      expect(edits).toEqual(['/start ticket_8']);
      expect(documents).toEqual(['logs.txt']);
    });
  });

  it('lets telegraf see 429 with retry_after as an error it can obey', async () => {
    api.failNext('sendMessage', 1, { errorCode: 429, retryAfter: 3 });
    await expect(bot.telegram.sendMessage(1, 'x')).rejects.toMatchObject({
      code: 429,
      parameters: { retry_after: 3 },
    });
    await expect(bot.telegram.sendMessage(1, 'x')).resolves.toMatchObject({ text: 'x' });
  });
});
