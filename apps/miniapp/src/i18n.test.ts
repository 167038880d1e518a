import {
  audienceOf,
  customerWords,
  dictionaries,
  formatDuration,
  relativeTime,
  setLanguage,
  statusLabel,
  t,
} from './i18n';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('i18n', () => {
  it('has every key in both languages, non-empty, with the same placeholders', () => {
    const ru = Object.keys(dictionaries.ru).sort();
    const en = Object.keys(dictionaries.en).sort();
    expect(en).toEqual(ru);
    for (const key of ru as (keyof typeof dictionaries.ru)[]) {
      expect(dictionaries.ru[key].trim()).not.toBe('');
      expect(dictionaries.en[key].trim()).not.toBe('');
      expect(placeholders(dictionaries.en[key])).toEqual(placeholders(dictionaries.ru[key]));
    }
  });

  it('gives customers their own words for the same keys in both languages', () => {
    expect(Object.keys(customerWords.en).sort()).toEqual(Object.keys(customerWords.ru).sort());
    for (const language of ['ru', 'en'] as const)
      for (const [key, text] of Object.entries(customerWords[language]) as [
        keyof typeof dictionaries.ru,
        string,
      ][])
        expect(placeholders(text)).toEqual(placeholders(dictionaries.ru[key]));
  });

  it('names a status as the bot does: neuter «обращение» for the customer, «тикет» for staff', () => {
    setLanguage('ru');
    expect(audienceOf('customer')).toBe('customer');
    expect(audienceOf('agent')).toBe('staff');
    expect(audienceOf('admin')).toBe('staff');
    const statuses = ['new', 'open', 'pending', 'resolved', 'closed'] as const;
    expect(statuses.map((s) => statusLabel(s, 'customer'))).toEqual([
      'новое',
      'в работе',
      'ждёт вашего ответа',
      'решено',
      'закрыто',
    ]);
    expect(statuses.map((s) => statusLabel(s, 'staff'))).toEqual([
      'новый',
      'открыт',
      'ждёт ответа',
      'решён',
      'закрыт',
    ]);
    expect(t('ticket.conflict', undefined, 'customer')).toMatch(/^Обращение успели изменить/);
    expect(t('ticket.conflict')).toMatch(/^Тикет успели изменить/);
    setLanguage('en');
    expect(statuses.map((s) => statusLabel(s, 'customer'))).toEqual([
      'new',
      'in progress',
      'waiting for your reply',
      'resolved',
      'closed',
    ]);
    expect(statusLabel('open', 'staff')).toBe('open');
    expect(t('ticket.conflict', undefined, 'customer')).toMatch(/^The request was changed/);
    setLanguage('ru');
  });

  it('says «тикет» / "ticket" on the screens only staff see: the queue, the customer card, the dashboard', () => {
    const staffOnly = (Object.keys(dictionaries.ru) as (keyof typeof dictionaries.ru)[]).filter((key) =>
      /^(queue|card|admin)\./.test(key),
    );
    for (const key of staffOnly) {
      expect([key, dictionaries.ru[key]]).not.toEqual([key, expect.stringMatching(/обращени/i)]);
      expect([key, dictionaries.en[key]]).not.toEqual([key, expect.stringMatching(/\brequests?\b/i)]);
    }
    setLanguage('ru');
    expect(t('queue.searchPlaceholder')).toBe('Поиск по тикетам');
    expect(t('card.tickets')).toBe('Тикетов');
    expect(t('queue.empty')).toBe('Тикетов нет — новые появятся здесь сами');
    setLanguage('en');
    expect(t('queue.searchPlaceholder')).toBe('Search tickets');
    expect(t('card.tickets')).toBe('Tickets');
    setLanguage('ru');
  });

  it('keeps the seed wording in Russian', () => {
    setLanguage('ru');
    expect(t('customer.empty')).toBe('Нет обращений — опишите проблему, и мы ответим здесь и в чате');
    expect(t('signin.customer')).toBe('Войти как клиент');
    expect(t('ticket.presence', { name: 'Олег' })).toBe('Олег тоже смотрит этот тикет');
    expect(t('app.connecting')).toBe('Соединение…');
  });

  it('fills parameters and formats time in the chosen language', () => {
    setLanguage('en');
    expect(t('ticket.typing', { name: 'Anna' })).toBe('Anna is typing…');
    const now = Date.parse('2025-03-10T12:00:00Z');
    expect(relativeTime('2025-03-10T11:58:00Z', now)).toBe('2 min');
    expect(formatDuration(6 * 60_000)).toBe('6 min');
    setLanguage('ru');
    expect(relativeTime('2025-03-10T11:59:50Z', now)).toBe('только что');
    expect(formatDuration(null)).toBe('—');
  });
});
