import { type IncomingAttachment, type Language, languageFrom, type TicketStatus } from '@tikethet/domain';
import { escapeHtml } from './format';

export type { Language };
/** The one rule for picking ru or en from a Telegram `language_code` (ru, uk, be, ... read Russian) lives in domain. */
export { languageFrom };

/**
 * Words, as the Mini App uses them: a customer has «обращения» / "requests"; agents work «тикеты» / "tickets".
 * The seed's button «Открыть тикеты» / "Open tickets" keeps its name everywhere.
 * Every HTML text escapes its arguments here (the bot sends in HTML parse mode only); ticket numbers read
 * <b>#128</b> in messages and #128 in buttons and pop-ups.
 */

/** A status as the customer reads it (of «обращение», so neuter in Russian). */
const statusNames: Record<Language, Record<TicketStatus, string>> = {
  ru: {
    new: 'новое',
    open: 'в работе',
    pending: 'ждёт вашего ответа',
    resolved: 'решено',
    closed: 'закрыто',
  },
  en: {
    new: 'new',
    open: 'in progress',
    pending: 'waiting for your reply',
    resolved: 'resolved',
    closed: 'closed',
  },
};

type AttachmentKind = IncomingAttachment['kind'];

const attachmentNames: Record<Language, Record<AttachmentKind, string>> = {
  ru: {
    photo: 'Фото',
    document: 'Документ',
    video: 'Видео',
    voice: 'Голосовое сообщение',
    audio: 'Аудио',
    sticker: 'Стикер',
    video_note: 'Видеосообщение',
    animation: 'GIF',
    file: 'Файл',
  },
  en: {
    photo: 'Photo',
    document: 'Document',
    video: 'Video',
    voice: 'Voice message',
    audio: 'Audio',
    sticker: 'Sticker',
    video_note: 'Video message',
    animation: 'GIF',
    file: 'File',
  },
};

/** The agents' group reads Russian (the product was born in Russian); an agent's DMs follow their language. */
export const AGENTS_CHAT_LANGUAGE: Language = 'ru';

const n = (id: number) => `<b>#${id}</b>`;

/** What a message that is only a file says in the ticket: «[Фото]», «[Документ: log.txt]». */
const fileLine = (language: Language) => (kind: AttachmentKind, fileName?: string) =>
  `[${attachmentNames[language][kind]}${fileName ? `: ${fileName}` : ''}]`;

/** What a customer wrote on a ticket, as agents read it: «🆕 #N subject / от Ivan / text». */
const customerPost =
  (emoji: string, from: string) => (id: number, subject: string, customer: string, body: string) =>
    `${emoji} ${n(id)} ${escapeHtml(subject)}\n${from} ${escapeHtml(customer)}\n\n${escapeHtml(body)}`;

/** An agent's reply as the customer reads it, the same in both languages: «#N · Anna:\ntext». */
const agentReply = (id: number, author: string, body: string) =>
  `${n(id)} · ${escapeHtml(author)}:\n${escapeHtml(body)}`;

/** Every text the bot shows, in Russian and English. */
export const texts = {
  ru: {
    description: 'TiketHet - Современная система тикетов поддержки с real-time чатом и Mini App интерфейсом',
    shortDescription: 'Поддержка в Telegram: тикеты, чат и Mini App',
    commands: {
      start: 'Начать и открыть тикеты',
      tickets: 'Мои открытые обращения',
      new: 'Новое обращение',
      help: 'Что умеет бот',
    },
    openTickets: 'Открыть тикеты',
    openTicket: (id: number) => `Открыть обращение #${id}`,
    open: 'Открыть',
    take: 'Взять',
    support: 'Поддержка',

    greeting: (name: string) =>
      `Здравствуйте, ${escapeHtml(name)}! Это поддержка TiketHet.\nНапишите сюда свой вопрос — мы создадим обращение и ответим здесь же. Все ваши обращения — по кнопке «Открыть тикеты».`,
    greetingTicket: (id: number) => `Обращение ${n(id)} — по кнопке ниже.`,
    ticketNotFound: (id: number) => `Обращение ${n(id)} не найдено: возможно, ссылка устарела.`,
    help: [
      '<b>TiketHet</b> — поддержка прямо в Telegram.',
      '',
      '• Напишите вопрос или пришлите фото, видео, файл, голосовое — сообщение попадёт в ваше открытое обращение, а если его нет, мы откроем новое.',
      '• Чтобы дописать в определённое обращение, ответьте на сообщение бота о нём («Ответить»).',
      '• Все обращения и переписка — по кнопке «Открыть тикеты».',
      '',
      '/new — новое обращение',
      '/tickets — ваши открытые обращения',
      '/start — приветствие и кнопка «Открыть тикеты»',
    ].join('\n'),
    noTickets: 'Открытых обращений нет. Напишите сюда свой вопрос — мы откроем новое обращение.',
    yourTickets: 'Ваши открытые обращения:',
    yourLatestTickets: (shown: number) =>
      `Ваши открытые обращения — последние ${shown}, остальные по кнопке «Открыть тикеты»:`,
    askProblem:
      'Опишите проблему одним сообщением — первая строка станет темой обращения. Можно приложить фото или файл с подписью.',
    created: (id: number, subject: string) =>
      `Обращение ${n(id)} создано: ${escapeHtml(subject)}\nМы ответим здесь. Чтобы дописать, просто напишите ещё или ответьте на это сообщение.`,
    closedSoNew: (closedId: number) => `Обращение ${n(closedId)} уже закрыто, поэтому мы открыли новое.`,
    mergedInto: (id: number, into: number) =>
      `Обращение ${n(id)} объединено с ${n(into)}: переписка продолжается там. Отвечать можно на любое из сообщений.`,
    askContact: 'Поделитесь, пожалуйста, номером телефона — кнопка ниже. Так мы быстрее найдём ваши данные.',
    shareContact: '📱 Поделиться номером',
    contactSaved: 'Спасибо, номер сохранён.',
    describeInWords:
      'Чтобы открыть обращение, опишите проблему словами — к тексту можно приложить фото или файл.',
    unsupported:
      'Такие сообщения бот не принимает. Напишите текстом или пришлите фото, видео, файл или голосовое сообщение.',
    unknownCommand: 'Такой команды нет. Что умеет бот — /help',
    agentReply,
    statusChanged: (id: number, status: TicketStatus) =>
      ({
        new: `Обращение ${n(id)}: ${statusNames.ru.new}.`,
        open: `Обращение ${n(id)} в работе.`,
        pending: `По обращению ${n(id)} ждём вашего ответа — напишите сюда или ответьте на это сообщение.`,
        resolved: `Обращение ${n(id)} решено.`,
        closed: `Обращение ${n(id)} закрыто. Если понадобится помощь — просто напишите сюда, и мы откроем новое.`,
      })[status],
    rateAsk: (id: number) =>
      `Обращение ${n(id)} решено. Оцените, пожалуйста, нашу помощь от 1 до 5.\nЕсли вопрос остался — просто напишите сюда, и обращение откроется снова.`,
    rated: (score: number) => `Спасибо! Ваша оценка: ${score} из 5`,
    ratedNotice: (id: number, score: number) =>
      `Обращение ${n(id)} решено. Ваша оценка: ${score} из 5 — спасибо!\nЕсли вопрос остался — просто напишите сюда.`,
    rateNotNow: 'Обращение снова в работе — оценить его можно будет, когда вопрос решится.',
    status: statusNames.ru,
    fileLine: fileLine('ru'),

    // Agents (the agents' group is Russian).
    staffGreeting: (name: string) =>
      `Здравствуйте, ${escapeHtml(name)}! Вы в команде поддержки TiketHet.\nО новых тикетах бот пишет с кнопками «Взять» и «Открыть»; чтобы ответить клиенту прямо из Telegram, ответьте на такое сообщение. Очередь и все тикеты — по кнопке «Открыть тикеты».`,
    staffGreetingTicket: (id: number) => `Тикет ${n(id)} — по кнопке ниже.`,
    staffHelp: [
      '',
      '<b>Для агентов</b>',
      '• «Взять» под сообщением о новом тикете назначает тикет на вас.',
      '• Ответ на такое сообщение уходит клиенту от вашего имени.',
      '• Когда клиент пишет в ваш тикет или вам назначают тикет, бот пишет вам сюда; ответ на такое сообщение тоже уходит клиенту.',
      '• /online — новые тикеты могут назначаться на вас автоматически; /away — новых не будет, ваши остаются у вас.',
    ].join('\n'),
    availability: (online: boolean) =>
      online
        ? '🟢 Вы на связи: новые тикеты могут назначаться на вас.'
        : '🌙 Вы отошли: новые тикеты на вас не назначаются, ваши остаются у вас.',
    staffOnly: 'Эта команда — для агентов поддержки.',
    newTicket: customerPost('🆕', 'от'),
    customerWrote: customerPost('💬', 'от'),
    assignedToYou: (id: number, subject: string, by: string | null) =>
      `📌 Вам назначен тикет ${n(id)}: ${escapeHtml(subject)}${by === null ? '' : `\nНазначил(а): ${escapeHtml(by)}`}`,
    assignee: (name: string) => `✅ Исполнитель: ${name}`,
    slaAlert: (id: number, subject: string, breach: boolean, dueAt: string) =>
      breach
        ? `🔥 Тикет ${n(id)} просрочен (срок: ${dueAt}): ${escapeHtml(subject)}`
        : `⏰ Тикет ${n(id)}: срок через 15 минут (${dueAt}): ${escapeHtml(subject)}`,
    taken: (id: number) => `Тикет #${id} теперь ваш`,
    alreadyTaken: 'Тикет уже взят',
    agentsOnly: 'Только для агентов поддержки',
    failed: 'Не получилось, попробуйте ещё раз',
  },
  en: {
    description: 'TiketHet - A modern support ticket system with real-time chat and a Mini App interface',
    shortDescription: 'Support in Telegram: tickets, chat and a Mini App',
    commands: {
      start: 'Start and open tickets',
      tickets: 'My open requests',
      new: 'New request',
      help: 'What the bot does',
    },
    openTickets: 'Open tickets',
    openTicket: (id: number) => `Open request #${id}`,
    open: 'Open',
    take: 'Take',
    support: 'Support',

    greeting: (name: string) =>
      `Hello, ${escapeHtml(name)}! This is TiketHet support.\nWrite your question here — we will open a request and answer right here. Tap “Open tickets” to see all your requests.`,
    greetingTicket: (id: number) => `Request ${n(id)} is one tap away below.`,
    ticketNotFound: (id: number) => `Request ${n(id)} was not found: the link may be out of date.`,
    help: [
      '<b>TiketHet</b> — support right inside Telegram.',
      '',
      '• Write your question or send a photo, video, file or voice message: it goes to your open request, or opens a new one if there is none.',
      '• To add to a particular request, reply to the bot’s message about it.',
      '• All your requests and the whole conversation are behind the “Open tickets” button.',
      '',
      '/new — new request',
      '/tickets — your open requests',
      '/start — greeting and the “Open tickets” button',
    ].join('\n'),
    noTickets: 'You have no open requests. Write your question here and we will open one.',
    yourTickets: 'Your open requests:',
    yourLatestTickets: (shown: number) =>
      `Your open requests — the latest ${shown}; tap “Open tickets” for the rest:`,
    askProblem:
      'Describe the problem in one message — its first line becomes the subject of the request. You can attach a photo or a file with a caption.',
    created: (id: number, subject: string) =>
      `Request ${n(id)} created: ${escapeHtml(subject)}\nWe will answer here. To add more, just write again or reply to this message.`,
    closedSoNew: (closedId: number) => `Request ${n(closedId)} is already closed, so we opened a new one.`,
    mergedInto: (id: number, into: number) =>
      `Request ${n(id)} is merged into ${n(into)}: the conversation goes on there. You can reply to any of its messages.`,
    askContact: 'Please share your phone number with the button below: it helps us find your details faster.',
    shareContact: '📱 Share my number',
    contactSaved: 'Thank you, your number is saved.',
    describeInWords:
      'To open a request, please describe the problem in words — you can attach a photo or a file.',
    unsupported:
      'The bot does not take this kind of message. Please write text or send a photo, video, file or voice message.',
    unknownCommand: 'There is no such command. See /help for what the bot can do.',
    agentReply,
    statusChanged: (id: number, status: TicketStatus) =>
      ({
        new: `Request ${n(id)} is ${statusNames.en.new}.`,
        open: `Request ${n(id)} is in progress.`,
        pending: `Request ${n(id)} is waiting for your reply — write here or reply to this message.`,
        resolved: `Request ${n(id)} is resolved.`,
        closed: `Request ${n(id)} is closed. If you need help again, just write here and we will open a new one.`,
      })[status],
    rateAsk: (id: number) =>
      `Request ${n(id)} is resolved. Please rate our help from 1 to 5.\nIf the problem is still there, just write here and the request will be reopened.`,
    rated: (score: number) => `Thank you! Your rating: ${score} of 5`,
    ratedNotice: (id: number, score: number) =>
      `Request ${n(id)} is resolved. Your rating: ${score} of 5 — thank you!\nIf the problem is still there, just write here.`,
    rateNotNow: 'This request is open again — you can rate it once it is resolved.',
    status: statusNames.en,
    fileLine: fileLine('en'),

    staffGreeting: (name: string) =>
      `Hello, ${escapeHtml(name)}! You are on the TiketHet support team.\nThe bot posts new tickets with Take and Open buttons; reply to such a post to answer the customer right from Telegram. Tap “Open tickets” for the queue and all tickets.`,
    staffGreetingTicket: (id: number) => `Ticket ${n(id)} is one tap away below.`,
    staffHelp: [
      '',
      '<b>For agents</b>',
      '• Take under a new-ticket post assigns the ticket to you.',
      '• A reply to such a post goes to the customer as your message.',
      '• When a customer writes on your ticket or a ticket is assigned to you, the bot tells you here; a reply to that message goes to the customer too.',
      '• /online — new tickets may be assigned to you automatically; /away — none new, you keep yours.',
    ].join('\n'),
    availability: (online: boolean) =>
      online
        ? '🟢 You are online: new tickets may be assigned to you.'
        : '🌙 You are away: no new tickets are assigned to you; you keep yours.',
    staffOnly: 'This command is for support agents.',
    newTicket: customerPost('🆕', 'from'),
    customerWrote: customerPost('💬', 'from'),
    assignedToYou: (id: number, subject: string, by: string | null) =>
      `📌 Ticket ${n(id)} is assigned to you: ${escapeHtml(subject)}${by === null ? '' : `\nAssigned by ${escapeHtml(by)}`}`,
    assignee: (name: string) => `✅ Assignee: ${name}`,
    slaAlert: (id: number, subject: string, breach: boolean, dueAt: string) =>
      breach
        ? `🔥 Ticket ${n(id)} is overdue (due ${dueAt}): ${escapeHtml(subject)}`
        : `⏰ Ticket ${n(id)} is due in 15 minutes (${dueAt}): ${escapeHtml(subject)}`,
    taken: (id: number) => `Ticket #${id} is yours now`,
    alreadyTaken: 'Already taken',
    agentsOnly: 'For support agents only',
    failed: 'That did not work, please try again',
  },
} as const;

export type Texts = (typeof texts)[Language];

export function t(language: Language): Texts {
  return texts[language];
}
