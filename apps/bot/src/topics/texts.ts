import type { Language, TicketPriority, TicketStatus } from '@tikethet/domain';
import { escapeHtml } from '../format';

const e = escapeHtml;

const statuses: Record<Language, Record<TicketStatus, string>> = {
  ru: { new: 'новый', open: 'в работе', pending: 'ждёт клиента', resolved: 'решён', closed: 'закрыт' },
  en: {
    new: 'new',
    open: 'open',
    pending: 'waiting for the customer',
    resolved: 'resolved',
    closed: 'closed',
  },
};
const priorities: Record<Language, Record<TicketPriority, string>> = {
  ru: { low: 'низкий', normal: 'обычный', high: 'высокий', urgent: 'срочный' },
  en: { low: 'low', normal: 'normal', high: 'high', urgent: 'urgent' },
};

/** What the bot writes in a ticket's topic (the agents' group language). */
export function topicTexts(language: Language) {
  const ru = language === 'ru';
  const by = (actor: string | null) => (actor ? ` — ${e(actor)}` : '');
  return {
    status: (status: TicketStatus, actor: string | null) =>
      `ℹ️ ${ru ? 'Статус' : 'Status'}: <b>${statuses[language][status]}</b>${by(actor)}`,
    priority: (priority: TicketPriority, actor: string | null) =>
      `ℹ️ ${ru ? 'Приоритет' : 'Priority'}: <b>${priorities[language][priority]}</b>${by(actor)}`,
    assigned: (assignee: string | null, actor: string | null) =>
      assignee
        ? `ℹ️ ${ru ? 'Назначен' : 'Assigned to'}: <b>${e(assignee)}</b>${by(actor)}`
        : `ℹ️ ${ru ? 'Снят с агента' : 'Unassigned'}${by(actor)}`,
    rated: (score: number) =>
      `⭐ ${ru ? 'Оценка клиента' : 'Customer rating'}: ${'★'.repeat(score)}${'☆'.repeat(5 - score)}`,
    customerWrote: (customer: string, body: string) => `👤 <b>${e(customer)}</b>: ${e(body)}`,
    edited: (author: string, body: string) =>
      `✏️ <b>${e(author)}</b> ${ru ? 'исправил(а) сообщение' : 'edited their message'}: ${e(body)}`,
    agentWrote: (agent: string, body: string) =>
      `💬 <b>${e(agent)}</b> → ${ru ? 'клиенту' : 'customer'}: ${e(body)}`,
    note: (agent: string, body: string) => `📝 <b>${ru ? 'Заметка' : 'Note'}</b> — ${e(agent)}: ${e(body)}`,
    recap: (id: number, subject: string, customer: string, status: TicketStatus, assignee: string | null) =>
      [
        `🔁 <b>#${id}</b> ${e(subject)}`,
        ru ? 'Тема была удалена и создана заново.' : 'The topic was deleted and has been created again.',
        `${ru ? 'Клиент' : 'Customer'}: ${e(customer)} · ${ru ? 'статус' : 'status'}: ${statuses[language][status]}${
          assignee ? ` · ${ru ? 'агент' : 'agent'}: ${e(assignee)}` : ''
        }`,
      ].join('\n'),
    agentsOnly: ru
      ? 'Отвечать клиенту из темы могут только агенты поддержки.'
      : 'Only support agents can answer the customer from this topic.',
    noteSaved: ru
      ? '📝 Заметка сохранена, клиент её не увидит.'
      : '📝 Note saved; the customer will not see it.',
    noteEmpty: ru ? 'Напишите текст заметки после /note.' : 'Write the note after /note.',
    usage: (command: string) =>
      ru ? `Не понял команду. Пример: ${e(command)}` : `I did not understand that. Example: ${e(command)}`,
    unknownAgent: (username: string) =>
      ru ? `Агент @${e(username)} не найден.` : `No agent @${e(username)} found.`,
    notNow: (reason: string) => `⚠️ ${e(reason)}`,
    alreadyTaken: ru ? 'Тикет уже взят.' : 'The ticket is already taken.',
    notDelivered: ru ? 'Сообщение не принято тикетом.' : 'The ticket did not take the message.',
  };
}
export type TopicTexts = ReturnType<typeof topicTexts>;
