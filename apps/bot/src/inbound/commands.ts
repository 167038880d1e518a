import { canViewTicket } from '@tikethet/domain';
import { Composer } from 'telegraf';
import { truncate } from '../format';
import { keyboard, openButton } from '../links';
import { enqueueText } from '../outbound/enqueue';
import type { BotRuntime } from '../runtime';
import { type BotContext, senderOf } from './context';

export const pendingNewKey = (userId: number) => `bot:new:${userId}`;

/** /start [ticket_<id>], /tickets, /new, /help — private chats only. */
export function registerCommands(bot: Composer<BotContext>, runtime: BotRuntime): void {
  const privateOnly = new Composer<BotContext>();

  privateOnly.start(async (ctx) => {
    const s = senderOf(ctx);
    if (!s) return;
    const lines = [s.texts.greeting(s.user.firstName || ctx.from.first_name)];
    const rows = [[openButton(s.texts.openTickets, { publicUrl: runtime.publicUrl, privateChat: true })]];
    const match = /^ticket_([1-9][0-9]{0,9})$/.exec(ctx.payload.trim());
    if (match) {
      const ticket = await s.tx.findTicket(Number(match[1]));
      if (ticket && canViewTicket(s.actor, ticket)) {
        lines.push(s.texts.greetingTicket(ticket.id));
        rows.unshift([
          openButton(s.texts.openTicket(ticket.id), {
            publicUrl: runtime.publicUrl,
            ticketId: ticket.id,
            privateChat: true,
          }),
        ]);
      }
    }
    await enqueueText(s.tx, ctx.chat.id, lines.join('\n\n'), { replyMarkup: keyboard(rows) });
  });

  privateOnly.command('tickets', async (ctx) => {
    const s = senderOf(ctx);
    if (!s) return;
    const page = await s.tx.listTickets(s.actor, {
      status: 'new,open,pending,resolved',
      customer: String(s.user.id),
      limit: '10',
    });
    const rows = page.items.map((ticket) => [
      openButton(`#${ticket.id} · ${truncate(ticket.subject, 40)} · ${s.texts.status[ticket.status]}`, {
        publicUrl: runtime.publicUrl,
        ticketId: ticket.id,
        privateChat: true,
      }),
    ]);
    rows.push([openButton(s.texts.openTickets, { publicUrl: runtime.publicUrl, privateChat: true })]);
    const text = page.items.length > 0 ? s.texts.yourTickets : s.texts.noTickets;
    await enqueueText(s.tx, ctx.chat.id, text, { replyMarkup: keyboard(rows) });
  });

  privateOnly.command('new', async (ctx) => {
    const s = senderOf(ctx);
    if (!s) return;
    await s.tx.setState(pendingNewKey(s.user.id), { since: new Date().toISOString() });
    await enqueueText(s.tx, ctx.chat.id, s.texts.askProblem);
  });

  privateOnly.help(async (ctx) => {
    const s = senderOf(ctx);
    if (!s) return;
    await enqueueText(s.tx, ctx.chat.id, s.texts.help, {
      replyMarkup: keyboard([
        [openButton(s.texts.openTickets, { publicUrl: runtime.publicUrl, privateChat: true })],
      ]),
    });
  });

  // Mounted after its handlers are registered (a composer's middleware is fixed when it is used).
  bot.use(Composer.optional((ctx) => ctx.chat?.type === 'private', privateOnly));
}
