import { type Language, languageFrom, type TicketStatus } from '@tikethet/domain';
import { escapeHtml } from './format';

export type { Language };
export { languageFrom };

const statusNames: Record<Language, Record<TicketStatus, string>> = {
  ru: { new: 'новый', open: 'в работе', pending: 'ждёт вашего ответа', resolved: 'решён', closed: 'закрыт' },
  en: {
    new: 'new',
    open: 'in progress',
    pending: 'waiting for your reply',
    resolved: 'resolved',
    closed: 'closed',
  },
};

/** Every text the bot shows, in Russian and English. Arguments are escaped here (HTML parse mode). */
export const texts = {
  ru: {
    description: 'TiketHet - Современная система тикетов поддержки с real-time чатом и Mini App интерфейсом',
    shortDescription: 'Поддержка в Telegram: тикеты, чат и Mini App',
    commands: {
      start: 'Начать и открыть тикеты',
      tickets: 'Мои открытые тикеты',
      new: 'Новый тикет',
      help: 'Что умеет бот',
    },
    openTickets: 'Открыть тикеты',
    openTicket: (id: number) => `Открыть тикет #${id}`,
    open: 'Открыть',
    take: 'Взять',
    greeting: (name: string) =>
      `Здравствуйте, ${escapeHtml(name)}! Это поддержка TiketHet.\nНапишите сюда свой вопрос — мы создадим тикет и ответим здесь же. Все тикеты — в Mini App.`,
    greetingTicket: (id: number) => `Тикет #${id} — по кнопке ниже.`,
    help: [
      '<b>TiketHet</b> — поддержка прямо в Telegram.',
      '',
      '• Просто напишите сообщение, фото или файл — оно попадёт в ваш открытый тикет или откроет новый.',
      '• Чтобы дописать в конкретный тикет, ответьте (reply) на сообщение бота о нём.',
      '/new — новый тикет',
      '/tickets — ваши открытые тикеты',
      '/start — открыть Mini App',
    ].join('\n'),
    noTickets: 'Открытых тикетов нет. Напишите сообщение, чтобы создать тикет.',
    yourTickets: 'Ваши открытые тикеты:',
    askProblem: 'Опишите проблему одним сообщением — первая строка станет темой тикета.',
    created: (id: number, subject: string) =>
      `Тикет <b>#${id}</b> создан: ${escapeHtml(subject)}\nМы ответим здесь. Чтобы дописать, ответьте на это сообщение.`,
    agentReply: (id: number, author: string, body: string) =>
      `<b>#${id}</b> · ${escapeHtml(author)}:\n${escapeHtml(body)}`,
    statusChanged: (id: number, status: TicketStatus) =>
      `Статус тикета <b>#${id}</b>: ${statusNames.ru[status]}.`,
    rateAsk: (id: number) => `Тикет <b>#${id}</b> решён. Оцените, пожалуйста, помощь от 1 до 5:`,
    rated: (score: number) => `Спасибо за оценку: ${score}!`,
    newTicket: (id: number, subject: string, customer: string, body: string) =>
      `🆕 <b>#${id}</b> ${escapeHtml(subject)}\nот ${escapeHtml(customer)}\n\n${escapeHtml(body)}`,
    taken: (id: number) => `Тикет #${id} теперь ваш`,
    alreadyTaken: 'Тикет уже взят',
    agentsOnly: 'Только для агентов поддержки',
    failed: 'Не получилось, попробуйте ещё раз',
    status: statusNames.ru,
    attachment: 'Вложение',
  },
  en: {
    description: 'TiketHet - A modern support ticket system with real-time chat and a Mini App interface',
    shortDescription: 'Support in Telegram: tickets, chat and a Mini App',
    commands: {
      start: 'Start and open tickets',
      tickets: 'My open tickets',
      new: 'New ticket',
      help: 'What the bot does',
    },
    openTickets: 'Open tickets',
    openTicket: (id: number) => `Open ticket #${id}`,
    open: 'Open',
    take: 'Take',
    greeting: (name: string) =>
      `Hello, ${escapeHtml(name)}! This is TiketHet support.\nWrite your question here — we will open a ticket and answer right here. All your tickets are in the Mini App.`,
    greetingTicket: (id: number) => `Ticket #${id} is one tap away below.`,
    help: [
      '<b>TiketHet</b> — support right inside Telegram.',
      '',
      '• Just send a message, photo or file: it goes to your open ticket or opens a new one.',
      '• To add to a particular ticket, reply to the bot’s message about it.',
      '/new — new ticket',
      '/tickets — your open tickets',
      '/start — open the Mini App',
    ].join('\n'),
    noTickets: 'No open tickets. Send a message to open one.',
    yourTickets: 'Your open tickets:',
    askProblem: 'Describe the problem in one message — its first line becomes the ticket subject.',
    created: (id: number, subject: string) =>
      `Ticket <b>#${id}</b> opened: ${escapeHtml(subject)}\nWe will answer here. Reply to this message to add more.`,
    agentReply: (id: number, author: string, body: string) =>
      `<b>#${id}</b> · ${escapeHtml(author)}:\n${escapeHtml(body)}`,
    statusChanged: (id: number, status: TicketStatus) =>
      `Ticket <b>#${id}</b> is now ${statusNames.en[status]}.`,
    rateAsk: (id: number) => `Ticket <b>#${id}</b> is resolved. Please rate the help from 1 to 5:`,
    rated: (score: number) => `Thank you for rating: ${score}!`,
    newTicket: (id: number, subject: string, customer: string, body: string) =>
      `🆕 <b>#${id}</b> ${escapeHtml(subject)}\nfrom ${escapeHtml(customer)}\n\n${escapeHtml(body)}`,
    taken: (id: number) => `Ticket #${id} is yours now`,
    alreadyTaken: 'Already taken',
    agentsOnly: 'For support agents only',
    failed: 'That did not work, please try again',
    status: statusNames.en,
    attachment: 'Attachment',
  },
} as const;

export type Texts = (typeof texts)[Language];

export function t(language: Language): Texts {
  return texts[language];
}
