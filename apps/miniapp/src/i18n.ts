import { isStaffRole, type Role, type TicketStatus } from './types';

/**
 * Every string the Mini App shows, in Russian (first) and English. `{name}` marks a parameter. Where a
 * customer reads other words than staff, this is the staff's wording and `customerWords` has the customer's.
 */
const ru = {
  'app.title': 'TiketHet',
  'app.loading': 'Загрузка…',
  'app.retry': 'Повторить',
  'app.back': 'Назад',
  'app.connecting': 'Соединение…',
  'app.openInTelegram': 'Откройте TiketHet из Telegram: кнопка «Открыть тикеты» в чате с ботом.',
  'app.signedOut': 'Сессия истекла. Откройте приложение из Telegram заново.',
  'app.loadMore': 'Показать ещё',
  'app.save': 'Сохранить',
  'app.cancel': 'Отмена',
  'app.delete': 'Удалить',
  'app.edit': 'Изменить',
  'app.add': 'Добавить',
  'app.close': 'Закрыть',
  'app.signOut': 'Выйти',
  'app.done': 'Готово',
  'app.none': 'Нет',
  'app.leaveForm': 'Выйти из формы? Введённый текст пропадёт.',

  'signin.title': 'Вход для разработки',
  'signin.hint': 'Бот не настроен, поэтому можно войти тестовым пользователем.',
  'signin.customer': 'Войти как клиент',
  'signin.agent': 'Войти как агент',
  'signin.admin': 'Войти как администратор',
  'signin.language': 'Язык',

  'status.new': 'новый',
  'status.open': 'открыт',
  'status.pending': 'ждёт ответа',
  'status.resolved': 'решён',
  'status.closed': 'закрыт',
  'priority.low': 'низкий',
  'priority.normal': 'обычный',
  'priority.high': 'высокий',
  'priority.urgent': 'срочный',
  'role.customer': 'клиент',
  'role.agent': 'агент',
  'role.admin': 'администратор',

  'time.now': 'только что',
  'time.minutes': '{n} мин',
  'time.hours': '{n} ч',
  'time.yesterday': 'вчера',
  'duration.minutes': '{n} мин',
  'duration.hours': '{n} ч',
  'duration.days': '{n} д',

  'customer.title': 'Мои обращения',
  'customer.empty': 'Нет обращений — опишите проблему, и мы ответим здесь и в чате',
  'customer.new': 'Новое обращение',
  'customer.unread': 'Есть новые сообщения',

  'new.title': 'Новое обращение',
  'new.subject': 'Тема',
  'new.subjectPlaceholder': 'Коротко: что случилось',
  'new.body': 'Описание',
  'new.bodyPlaceholder': 'Опишите проблему подробнее',
  'new.category': 'Категория',
  'new.noCategory': 'Без категории',
  'new.create': 'Создать',
  'new.subjectMissing': 'Напишите тему',
  'new.bodyMissing': 'Опишите проблему',
  'new.created': 'Обращение #{id} создано',

  'ticket.title': 'Обращение #{id}',
  'ticket.noMessages': 'Сообщений пока нет',
  'ticket.composer': 'Сообщение',
  'ticket.composerPlaceholder': 'Напишите сообщение…',
  'ticket.composerAgentPlaceholder': 'Ответ клиенту — «/» для шаблонов',
  'ticket.notePlaceholder': 'Заметка для агентов',
  'ticket.send': 'Отправить',
  'ticket.sendNote': 'Сохранить заметку',
  'ticket.reply': 'Ответ',
  'ticket.note': 'Заметка',
  'ticket.noteBadge': 'видно только агентам',
  'ticket.sending': 'Отправляется',
  'ticket.stored': 'Сохранено',
  'ticket.delivered': 'Доставлено',
  'ticket.failed': 'Не доставлено',
  'ticket.sendFailed': 'Не отправлено',
  'ticket.resend': 'Отправить ещё раз',
  'ticket.leaveReply': 'Выйти? Неотправленное сообщение пропадёт.',
  'ticket.leaveNote': 'Выйти? Несохранённая заметка пропадёт.',
  'ticket.closeTicket': 'Закрыть обращение',
  'ticket.reopen': 'Открыть снова',
  'ticket.closedHint': 'Обращение закрыто. Откройте его снова, чтобы написать.',
  'ticket.typing': '{name} печатает…',
  'ticket.arrived': 'Новое сообщение от {name}: {text}',
  'ticket.typingNote': '{name} пишет заметку…',
  'ticket.presence': '{name} тоже смотрит этот тикет',
  'ticket.attachments': 'Вложения',
  'ticket.attachment': 'Файл',
  'ticket.download': 'Скачать',
  'ticket.attachmentUnavailable': 'файл недоступен',
  'ticket.edited': 'изменено',
  'ticket.you': 'Вы',
  'ticket.support': 'Поддержка',
  'ticket.system': 'Система',
  'ticket.conflict': 'Тикет успели изменить — показаны свежие данные, повторите действие',
  'ticket.rateTitle': 'Оцените помощь',
  'ticket.rateStar': 'Оценка {n} из 5',
  'ticket.rateComment': 'Комментарий (необязательно)',
  'ticket.rateSend': 'Оценить',
  'ticket.rateThanks': 'Спасибо за оценку!',
  'ticket.rated': 'Ваша оценка: {n} из 5',
  'ticket.controls': 'Управление тикетом',
  'ticket.status': 'Статус',
  'ticket.priority': 'Приоритет',
  'ticket.category': 'Категория',
  'ticket.assignee': 'Исполнитель',
  'ticket.unassigned': 'Не назначен',
  'ticket.me': 'Я',
  'ticket.claim': 'Взять себе',
  'ticket.openTopic': 'Тема в группе агентов',
  'ticket.claimed': 'Тикет ваш',
  'ticket.alreadyClaimed': 'Тикет уже взял другой агент',
  'ticket.canned': 'Шаблоны ответов',
  'ticket.cannedEmpty': 'Нет подходящих шаблонов',

  'card.title': 'Клиент',
  'card.language': 'Язык',
  'card.tickets': 'Тикетов',
  'card.rating': 'Средняя оценка',
  'card.noRating': 'нет оценок',

  'queue.title': 'Очередь',
  'queue.unassigned': 'Без агента',
  'queue.mine': 'Мои',
  'queue.all': 'Все',
  'queue.search': 'Поиск',
  'queue.searchPlaceholder': 'Поиск по тикетам',
  'queue.filters': 'Фильтры',
  'queue.anyStatus': 'Любой статус',
  'queue.anyPriority': 'Любой приоритет',
  'queue.anyCategory': 'Любая категория',
  'queue.empty': 'Тикетов нет — новые появятся здесь сами',
  'queue.noResults': 'Ничего не нашлось — измените фильтры',
  'queue.noResultsFor': 'По запросу «{q}» ничего не нашлось — измените запрос или фильтры',
  'queue.reset': 'Сбросить поиск и фильтры',
  'queue.sla': 'Срок',
  'queue.slaAny': 'любой',
  'queue.slaBreached': 'просрочен',
  'queue.slaDueSoon': 'истекает в течение часа',
  'queue.sort': 'Порядок',
  'queue.sortRecent': 'по активности',
  'queue.sortDue': 'по сроку',
  'queue.online': 'На связи',
  'queue.away': 'Отошёл',
  'queue.availabilityHint': 'Автоназначение: {state}',
  'sla.overdue': 'просрочен',
  'sla.dueIn': 'срок через {d}',
  'sla.title': 'Уровни сервиса',
  'day.mon': 'Пн',
  'day.tue': 'Вт',
  'day.wed': 'Ср',
  'day.thu': 'Чт',
  'day.fri': 'Пт',
  'day.sat': 'Сб',
  'day.sun': 'Вс',
  'sla.timezone': 'Часовой пояс (IANA)',
  'sla.hours': 'Рабочие часы',
  'sla.hoursHint': 'Например 09:00-18:00, 20:00-02:00 (через полночь); пусто — выходной',
  'sla.holidays': 'Праздники (ГГГГ-ММ-ДД через запятую)',
  'sla.targets': 'Цели, минуты рабочего времени',
  'sla.firstResponse': 'Первый ответ',
  'sla.nextResponse': 'Следующий ответ',
  'sla.resolution': 'Решение',
  'sla.assignment': 'Назначение',
  'sla.mode.manual': 'вручную',
  'sla.mode.round_robin': 'по очереди',
  'sla.mode.least_loaded': 'наименее загруженному',
  'sla.maxOpen': 'Не больше открытых на агента',
  'sla.autoReply': 'Автоответ вне рабочих часов',
  'sla.autoReplyOn': 'Включён',
  'sla.autoReplyText': 'Текст ({language}); {time} — когда ответим',
  'sla.saved': 'Сохранено',
  'sla.badHours': 'Часы: HH:MM-HH:MM через запятую',
  'queue.dashboard': 'Статистика и настройки',
  'queue.customer': 'Клиент {id}',

  'admin.title': 'Статистика',
  'admin.open': 'Открыто',
  'admin.pending': 'Ждут ответа',
  'admin.new': 'Новые',
  'admin.firstResponse': 'Первый ответ (медиана)',
  'admin.resolution': 'Решение (медиана)',
  'admin.csat': 'CSAT',
  'admin.csatCount': '{n} оценок',
  'admin.perDay': 'По дням',
  'admin.perWeek': 'По неделям',
  'admin.range': 'Период',
  'admin.lastDays': '{n} дн.',
  'admin.created': 'Создано',
  'admin.resolvedSeries': 'Решено',
  'admin.chartLabel': 'Создано и решено по дням',
  'admin.noData': 'нет данных',
  'admin.agents': 'Агенты',
  'admin.categories': 'Категории',
  'admin.canned': 'Шаблоны ответов',
  'admin.role': 'Роль',
  'admin.roleOf': 'Роль: {name}',
  'admin.telegramId': 'Telegram ID',
  'admin.addStaff': 'Назначить роль по Telegram ID',
  'admin.agentsEmpty': 'Агентов пока нет',
  'admin.findPeople': 'Найти по имени, @username или ID',
  'admin.nobodyFound': 'Никого не нашли',
  'admin.saved': 'Сохранено',
  'admin.name': 'Название',
  'admin.nameMissing': 'Напишите название',
  'admin.description': 'Описание',
  'admin.archived': 'в архиве',
  'admin.archive': 'В архив',
  'admin.unarchive': 'Вернуть из архива',
  'admin.categoriesEmpty': 'Категорий пока нет',
  'admin.shortcut': 'Сокращение',
  'admin.shortcutMissing': 'Напишите сокращение, например refund',
  'admin.shortcutInvalid': 'Только латинские буквы, цифры, _ и -',
  'admin.cannedTitle': 'Заголовок',
  'admin.cannedTitleMissing': 'Напишите заголовок',
  'admin.cannedBody': 'Текст ответа',
  'admin.cannedBodyMissing': 'Напишите текст ответа',
  'admin.shared': 'Доступен всем агентам',
  'admin.cannedEmpty': 'Шаблонов пока нет',
  'admin.confirmDelete': 'Удалить «{name}»?',

  'error.network': 'Нет связи с сервером. Проверьте интернет и повторите.',
  'error.unauthorized': 'Не удалось подтвердить вход через Telegram. Откройте приложение заново.',
  'error.forbidden': 'Недостаточно прав для этого действия.',
  'error.not_found': 'Не найдено или нет доступа.',
  'error.conflict': 'Данные успели измениться. Обновите и повторите.',
  'error.taken': '{field}: такое уже есть — выберите другое',
  'error.too_large': 'Слишком большой запрос.',
  'error.rate_limited': 'Слишком много запросов. Подождите немного.',
  'error.validation': 'Проверьте поля: {fields}',
  'error.server': 'Ошибка сервера. Повторите позже.',
  'error.generic': 'Что-то пошло не так.',
} as const;

export type MessageKey = keyof typeof ru;
export type Dictionary = Record<MessageKey, string>;

const en: Dictionary = {
  'app.title': 'TiketHet',
  'app.loading': 'Loading…',
  'app.retry': 'Retry',
  'app.back': 'Back',
  'app.connecting': 'Connecting…',
  'app.openInTelegram': 'Open TiketHet from Telegram: the “Open tickets” button in the chat with the bot.',
  'app.signedOut': 'Your session has expired. Open the app from Telegram again.',
  'app.loadMore': 'Show more',
  'app.save': 'Save',
  'app.cancel': 'Cancel',
  'app.delete': 'Delete',
  'app.edit': 'Edit',
  'app.add': 'Add',
  'app.close': 'Close',
  'app.signOut': 'Sign out',
  'app.done': 'Done',
  'app.none': 'None',
  'app.leaveForm': 'Leave this form? What you have typed will be lost.',

  'signin.title': 'Development sign-in',
  'signin.hint': 'No bot is configured, so you can sign in as a test user.',
  'signin.customer': 'Sign in as customer',
  'signin.agent': 'Sign in as agent',
  'signin.admin': 'Sign in as admin',
  'signin.language': 'Language',

  'status.new': 'new',
  'status.open': 'open',
  'status.pending': 'pending',
  'status.resolved': 'resolved',
  'status.closed': 'closed',
  'priority.low': 'low',
  'priority.normal': 'normal',
  'priority.high': 'high',
  'priority.urgent': 'urgent',
  'role.customer': 'customer',
  'role.agent': 'agent',
  'role.admin': 'admin',

  'time.now': 'just now',
  'time.minutes': '{n} min',
  'time.hours': '{n} h',
  'time.yesterday': 'yesterday',
  'duration.minutes': '{n} min',
  'duration.hours': '{n} h',
  'duration.days': '{n} d',

  'customer.title': 'My requests',
  'customer.empty': 'No requests yet — describe your problem and we will answer here and in the chat',
  'customer.new': 'New request',
  'customer.unread': 'New messages',

  'new.title': 'New request',
  'new.subject': 'Subject',
  'new.subjectPlaceholder': 'In short: what happened',
  'new.body': 'Description',
  'new.bodyPlaceholder': 'Describe the problem in detail',
  'new.category': 'Category',
  'new.noCategory': 'No category',
  'new.create': 'Create',
  'new.subjectMissing': 'Enter a subject',
  'new.bodyMissing': 'Describe the problem',
  'new.created': 'Request #{id} created',

  'ticket.title': 'Request #{id}',
  'ticket.noMessages': 'No messages yet',
  'ticket.composer': 'Message',
  'ticket.composerPlaceholder': 'Write a message…',
  'ticket.composerAgentPlaceholder': 'Reply to the customer — “/” for templates',
  'ticket.notePlaceholder': 'Note for agents',
  'ticket.send': 'Send',
  'ticket.sendNote': 'Save note',
  'ticket.reply': 'Reply',
  'ticket.note': 'Note',
  'ticket.noteBadge': 'visible to agents only',
  'ticket.sending': 'Sending',
  'ticket.stored': 'Saved',
  'ticket.delivered': 'Delivered',
  'ticket.failed': 'Not delivered',
  'ticket.sendFailed': 'Not sent',
  'ticket.resend': 'Send again',
  'ticket.leaveReply': 'Leave? Your unsent message will be lost.',
  'ticket.leaveNote': 'Leave? Your unsaved note will be lost.',
  'ticket.closeTicket': 'Close request',
  'ticket.reopen': 'Reopen',
  'ticket.closedHint': 'This request is closed. Reopen it to write.',
  'ticket.typing': '{name} is typing…',
  'ticket.arrived': 'New message from {name}: {text}',
  'ticket.typingNote': '{name} is writing a note…',
  'ticket.presence': '{name} is also viewing this ticket',
  'ticket.attachments': 'Attachments',
  'ticket.attachment': 'File',
  'ticket.download': 'Download',
  'ticket.attachmentUnavailable': 'file unavailable',
  'ticket.edited': 'edited',
  'ticket.you': 'You',
  'ticket.support': 'Support',
  'ticket.system': 'System',
  'ticket.conflict': 'The ticket was changed meanwhile — fresh data is shown, please repeat',
  'ticket.rateTitle': 'Rate the help you got',
  'ticket.rateStar': 'Rating {n} of 5',
  'ticket.rateComment': 'Comment (optional)',
  'ticket.rateSend': 'Rate',
  'ticket.rateThanks': 'Thank you for your rating!',
  'ticket.rated': 'Your rating: {n} of 5',
  'ticket.controls': 'Ticket controls',
  'ticket.status': 'Status',
  'ticket.priority': 'Priority',
  'ticket.category': 'Category',
  'ticket.assignee': 'Assignee',
  'ticket.unassigned': 'Unassigned',
  'ticket.me': 'Me',
  'ticket.claim': 'Take it',
  'ticket.openTopic': "Open in the agents' group",
  'ticket.claimed': 'The ticket is yours',
  'ticket.alreadyClaimed': 'Another agent has already taken this ticket',
  'ticket.canned': 'Canned replies',
  'ticket.cannedEmpty': 'No matching templates',

  'card.title': 'Customer',
  'card.language': 'Language',
  'card.tickets': 'Tickets',
  'card.rating': 'Average rating',
  'card.noRating': 'no ratings',

  'queue.title': 'Queue',
  'queue.unassigned': 'Unassigned',
  'queue.mine': 'Mine',
  'queue.all': 'All',
  'queue.search': 'Search',
  'queue.searchPlaceholder': 'Search tickets',
  'queue.filters': 'Filters',
  'queue.anyStatus': 'Any status',
  'queue.anyPriority': 'Any priority',
  'queue.anyCategory': 'Any category',
  'queue.empty': 'No tickets — new ones will appear here by themselves',
  'queue.noResults': 'Nothing matches — change the filters',
  'queue.noResultsFor': 'Nothing found for “{q}” — change the search or the filters',
  'queue.reset': 'Clear search and filters',
  'queue.sla': 'Due',
  'queue.slaAny': 'any',
  'queue.slaBreached': 'overdue',
  'queue.slaDueSoon': 'due within an hour',
  'queue.sort': 'Order',
  'queue.sortRecent': 'by activity',
  'queue.sortDue': 'by due time',
  'queue.online': 'Online',
  'queue.away': 'Away',
  'queue.availabilityHint': 'Auto-assignment: {state}',
  'sla.overdue': 'overdue',
  'sla.dueIn': 'due in {d}',
  'sla.title': 'Service levels',
  'day.mon': 'Mon',
  'day.tue': 'Tue',
  'day.wed': 'Wed',
  'day.thu': 'Thu',
  'day.fri': 'Fri',
  'day.sat': 'Sat',
  'day.sun': 'Sun',
  'sla.timezone': 'Time zone (IANA)',
  'sla.hours': 'Business hours',
  'sla.hoursHint': 'E.g. 09:00-18:00, 20:00-02:00 (past midnight); empty is a day off',
  'sla.holidays': 'Holidays (YYYY-MM-DD, comma-separated)',
  'sla.targets': 'Targets, business minutes',
  'sla.firstResponse': 'First response',
  'sla.nextResponse': 'Next response',
  'sla.resolution': 'Resolution',
  'sla.assignment': 'Assignment',
  'sla.mode.manual': 'manual',
  'sla.mode.round_robin': 'round robin',
  'sla.mode.least_loaded': 'least loaded',
  'sla.maxOpen': 'Open tickets per agent at most',
  'sla.autoReply': 'Out-of-hours auto-reply',
  'sla.autoReplyOn': 'On',
  'sla.autoReplyText': 'Text ({language}); {time} is when we answer',
  'sla.saved': 'Saved',
  'sla.badHours': 'Hours: HH:MM-HH:MM, comma-separated',
  'queue.dashboard': 'Stats and settings',
  'queue.customer': 'Customer {id}',

  'admin.title': 'Statistics',
  'admin.open': 'Open',
  'admin.pending': 'Pending',
  'admin.new': 'New',
  'admin.firstResponse': 'First reply (median)',
  'admin.resolution': 'Resolution (median)',
  'admin.csat': 'CSAT',
  'admin.csatCount': '{n} ratings',
  'admin.perDay': 'Per day',
  'admin.perWeek': 'Per week',
  'admin.range': 'Period',
  'admin.lastDays': '{n} days',
  'admin.created': 'Created',
  'admin.resolvedSeries': 'Resolved',
  'admin.chartLabel': 'Created and resolved per day',
  'admin.noData': 'no data',
  'admin.agents': 'Agents',
  'admin.categories': 'Categories',
  'admin.canned': 'Canned replies',
  'admin.role': 'Role',
  'admin.roleOf': 'Role: {name}',
  'admin.telegramId': 'Telegram ID',
  'admin.addStaff': 'Set a role by Telegram ID',
  'admin.agentsEmpty': 'No agents yet',
  'admin.findPeople': 'Find by name, @username or ID',
  'admin.nobodyFound': 'Nobody found',
  'admin.saved': 'Saved',
  'admin.name': 'Name',
  'admin.nameMissing': 'Enter a name',
  'admin.description': 'Description',
  'admin.archived': 'archived',
  'admin.archive': 'Archive',
  'admin.unarchive': 'Restore',
  'admin.categoriesEmpty': 'No categories yet',
  'admin.shortcut': 'Shortcut',
  'admin.shortcutMissing': 'Enter a shortcut, e.g. refund',
  'admin.shortcutInvalid': 'Only Latin letters, digits, _ and -',
  'admin.cannedTitle': 'Title',
  'admin.cannedTitleMissing': 'Enter a title',
  'admin.cannedBody': 'Reply text',
  'admin.cannedBodyMissing': 'Enter the reply text',
  'admin.shared': 'Shared with all agents',
  'admin.cannedEmpty': 'No templates yet',
  'admin.confirmDelete': 'Delete “{name}”?',

  'error.network': 'Cannot reach the server. Check the connection and retry.',
  'error.unauthorized': 'Could not verify your Telegram sign-in. Open the app again.',
  'error.forbidden': 'You are not allowed to do this.',
  'error.not_found': 'Not found or not accessible.',
  'error.conflict': 'The data has changed meanwhile. Refresh and retry.',
  'error.taken': '{field}: this one is already taken — choose another',
  'error.too_large': 'The request is too large.',
  'error.rate_limited': 'Too many requests. Please wait a little.',
  'error.validation': 'Check the fields: {fields}',
  'error.server': 'Server error. Please try later.',
  'error.generic': 'Something went wrong.',
};

export type Language = 'ru' | 'en';
export const dictionaries: Record<Language, Dictionary> = { ru, en };

/**
 * Who reads a text. A customer's ticket is «обращение» / "request" — neuter in Russian, so its statuses are
 * too — while staff work «тикеты» / "tickets": the words the bot writes to each (apps/bot/src/i18n.ts).
 */
export type Audience = 'customer' | 'staff';

export function audienceOf(role: Role | undefined): Audience {
  return isStaffRole(role) ? 'staff' : 'customer';
}

/** What a customer reads instead of the (staff's) dictionary entry; the same keys in both languages. */
export const customerWords: Record<Language, Partial<Dictionary>> = {
  ru: {
    'status.new': 'новое',
    'status.open': 'в работе',
    'status.pending': 'ждёт вашего ответа',
    'status.resolved': 'решено',
    'status.closed': 'закрыто',
    'ticket.conflict': 'Обращение успели изменить — показаны свежие данные, повторите действие',
  },
  en: {
    'status.new': 'new',
    'status.open': 'in progress',
    'status.pending': 'waiting for your reply',
    'status.resolved': 'resolved',
    'status.closed': 'closed',
    'ticket.conflict': 'The request was changed meanwhile — fresh data is shown, please repeat',
  },
};

let current: Language = 'ru';

export function setLanguage(language: Language): void {
  current = language;
  if (typeof document !== 'undefined') document.documentElement.lang = language;
}

export function getLanguage(): Language {
  return current;
}

/**
 * Translates `key` in the current language, filling `{name}` parameters; for `audience` 'customer' in the
 * customer's words where they differ (`customerWords`).
 */
export function t(key: MessageKey, params?: Record<string, string | number>, audience?: Audience): string {
  const template =
    (audience === 'customer' ? customerWords[current][key] : undefined) ??
    dictionaries[current][key] ??
    dictionaries.ru[key] ??
    key;
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    params[name] === undefined ? whole : String(params[name]),
  );
}

/** A ticket's status as `audience` reads it: «новое», «в работе» for the customer; «новый», «открыт» for staff. */
export function statusLabel(status: TicketStatus, audience: Audience): string {
  return t(`status.${status}`, undefined, audience);
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** «только что», «5 мин», «3 ч», «вчера», or a short date. */
export function relativeTime(iso: string, now: number = Date.now()): string {
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return '';
  const diff = Math.max(0, now - then);
  if (diff < MINUTE) return t('time.now');
  if (diff < HOUR) return t('time.minutes', { n: Math.floor(diff / MINUTE) });
  const date = new Date(then);
  const today = new Date(now);
  today.setHours(0, 0, 0, 0);
  if (then >= today.getTime()) return t('time.hours', { n: Math.floor(diff / HOUR) });
  if (then >= today.getTime() - DAY) return t('time.yesterday');
  return date.toLocaleDateString(current === 'ru' ? 'ru-RU' : 'en-GB', { day: 'numeric', month: 'short' });
}

/** A duration in ms in words: «6 мин», «2 ч», «3 д». */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < HOUR) return t('duration.minutes', { n: Math.max(1, Math.round(ms / MINUTE)) });
  if (ms < DAY) return t('duration.hours', { n: Math.round((ms / HOUR) * 10) / 10 });
  return t('duration.days', { n: Math.round((ms / DAY) * 10) / 10 });
}

export function clockTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return d.toLocaleTimeString(current === 'ru' ? 'ru-RU' : 'en-GB', { hour: '2-digit', minute: '2-digit' });
}
