import type { UseCases } from '@tikethet/db';
import type { FakeBotApi } from '@tikethet/testkit';
import type { Person } from './people';

let counter = 0;
/** A unique suffix for names and shortcuts. */
export function unique(prefix = 'x'): string {
  counter += 1;
  return `${prefix}${process.pid % 1000}${counter}`;
}

/** A fresh ticket of `customer` with one message. */
export async function ticketOf(uc: UseCases, customer: Person, subject = `Ticket ${unique('t')}`) {
  const { ticket } = await uc.createTicket(customer, { subject, body: 'first message' });
  return ticket;
}

/** A fresh ticket moved to `resolved` by an agent (rateable). */
export async function resolvedTicketOf(uc: UseCases, customer: Person, agent: Person) {
  const ticket = await ticketOf(uc, customer);
  return uc.updateTicket(agent, ticket.id, { status: 'resolved', version: ticket.version });
}

/** A file id Telegram holds (the fake Bot API refuses getFile for ids it never gave). */
export function telegramFile(
  bot: Pick<FakeBotApi, 'putFile'>,
  prefix: string,
  type: 'photo' | 'document',
): string {
  const id = `${prefix}-${unique()}`;
  bot.putFile(id, { path: `${type}s/${id}.bin`, content: Buffer.from(`bytes of ${id}`), type });
  return id;
}

/** A ticket with a photo and a document from Telegram, and an internal note with a file. */
export async function ticketWithFiles(
  uc: UseCases,
  bot: Pick<FakeBotApi, 'putFile'>,
  customer: Person,
  agent: Person,
) {
  const { ticket, message } = await uc.createTicket(
    customer,
    { subject: `Files ${unique('f')}`, body: 'see attached' },
    {
      source: 'bot',
      attachments: [
        { kind: 'photo', telegramFileId: telegramFile(bot, 'photo', 'photo'), width: 10, height: 10 },
        {
          kind: 'document',
          telegramFileId: telegramFile(bot, 'doc', 'document'),
          fileName: 'page.html',
          mimeType: 'text/html',
        },
      ],
    },
  );
  const note = await uc.postMessage(
    agent,
    ticket.id,
    { body: 'internal with file', internal: true },
    {
      attachments: [
        { kind: 'document', telegramFileId: telegramFile(bot, 'note', 'document'), fileName: 'n.pdf' },
      ],
    },
  );
  const [photo, doc] = message.attachments;
  const noteFile = note.message.attachments[0];
  if (!photo || !doc || !noteFile) throw new Error('attachments were not stored');
  return { ticket, photo, doc, noteFile };
}
