import { canViewTicket, displayName, isStaff } from '@tikethet/domain';
import { Composer } from 'telegraf';
import { truncate } from '../format';
import { keyboard, openButton } from '../links';
import { enqueueText } from '../outbound/enqueue';
import type { BotRuntime } from '../runtime';
import { type BotContext, senderOf } from './context';

/** How many tickets /tickets lists as buttons. */
const TICKETS_LISTED = 10;

export const pendingNewKey = (userId: number) => `bot:new:${userId}`;

/** /start [ticket_<id>], /tickets, /new, /online, /away, /help — private chats only. */
export function registerCommands(bot: Composer<BotContext>, runtime: BotRuntime): void {
  const privateOnly = new Composer<BotContext>();

  privateOnly.start(async (ctx) => {
    const s = senderOf(ctx);
    if (!s) return;
    const staff = isStaff(s.user.role);
    // As stored (cleaned): Telegram's own first_name may hold what Postgres refuses, here in the outbox payload.
    const name = s.user.firstName || displayName(s.user);
    const lines = [staff ? s.texts.staffGreeting(name) : s.texts.greeting(name)];
    const rows = [[openButton(s.texts.openTickets, { publicUrl: runtime.publicUrl, privateChat: true })]];
    const match = /^ticket_([1-9][0-9]{0,9})$/.exec(ctx.payload.trim());
    if (match) {
      const id = Number(match[1]);
      const ticket = await s.tx.findTicket(id);
      // Someone else's ticket reads like a missing one (as the API's 404 does).
      if (ticket && canViewTicket(s.actor, ticket)) {
        lines.push(staff ? s.texts.staffGreetingTicket(id) : s.texts.greetingTicket(id));
        rows.unshift([
          openButton(s.texts.openTicket(id), {
            publicUrl: runtime.publicUrl,
            ticketId: id,
            privateChat: true,
          }),
        ]);
      } else {
        lines.push(s.texts.ticketNotFound(id));
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
      limit: String(TICKETS_LISTED),
    });
    // Newest activity first; the rest are a tap away in the Mini App.
    const rows = page.items.map((ticket) => [
      openButton(`#${ticket.id} · ${truncate(ticket.subject, 40)} · ${s.texts.status[ticket.status]}`, {
        publicUrl: runtime.publicUrl,
        ticketId: ticket.id,
        privateChat: true,
      }),
    ]);
    rows.push([openButton(s.texts.openTickets, { publicUrl: runtime.publicUrl, privateChat: true })]);
    const text =
      page.items.length === 0
        ? s.texts.noTickets
        : page.nextCursor
          ? s.texts.yourLatestTickets(page.items.length)
          : s.texts.yourTickets;
    await enqueueText(s.tx, ctx.chat.id, text, { replyMarkup: keyboard(rows) });
  });

  privateOnly.command('new', async (ctx) => {
    const s = senderOf(ctx);
    if (!s) return;
    await s.tx.setState(pendingNewKey(s.user.id), { since: new Date().toISOString() });
    await enqueueText(s.tx, ctx.chat.id, s.texts.askProblem);
  });

  // Staff availability for auto-assignment (the Mini App's toggle does the same: PUT /me/availability).
  for (const status of ['online', 'away'] as const) {
    privateOnly.command(status, async (ctx) => {
      const s = senderOf(ctx);
      if (!s) return;
      if (!isStaff(s.user.role)) {
        await enqueueText(s.tx, ctx.chat.id, s.texts.staffOnly);
        return;
      }
      await s.tx.setAvailability(s.actor, status);
      await enqueueText(s.tx, ctx.chat.id, s.texts.availability(status === 'online'));
    });
  }

  privateOnly.help(async (ctx) => {
    const s = senderOf(ctx);
    if (!s) return;
    const help = isStaff(s.user.role) ? `${s.texts.help}\n${s.texts.staffHelp}` : s.texts.help;
    await enqueueText(s.tx, ctx.chat.id, help, {
      replyMarkup: keyboard([
        [openButton(s.texts.openTickets, { publicUrl: runtime.publicUrl, privateChat: true })],
      ]),
    });
  });

  // Mounted after its handlers are registered (a composer's middleware is fixed when it is used).
  bot.use(Composer.optional((ctx) => ctx.chat?.type === 'private', privateOnly));
}
