import { createDb } from '@tikethet/db';
import type { InitDataUser } from '@tikethet/testkit';
import { apiAs, makeAgents } from './people';

interface Created {
  id: number;
  version: number;
}

export const DEMO = {
  admin: {
    id: 9100,
    first_name: 'Мария',
    last_name: 'Админова',
    username: 'maria_admin',
    language_code: 'ru',
  },
  agent: {
    id: 9200,
    first_name: 'Олег',
    last_name: 'Смирнов',
    username: 'oleg_support',
    language_code: 'ru',
  },
  agent2: { id: 9201, first_name: 'Ирина', last_name: 'Волкова', language_code: 'ru' },
  customer: { id: 9300, first_name: 'Анна', last_name: 'Петрова', username: 'anna_p', language_code: 'ru' },
} satisfies Record<string, InitDataUser>;

const OTHERS: InitDataUser[] = [
  { id: 9301, first_name: 'Дмитрий', last_name: 'Козлов', language_code: 'ru' },
  { id: 9302, first_name: 'Елена', language_code: 'ru' },
  { id: 9303, first_name: 'Sam', last_name: 'Taylor', language_code: 'en' },
  { id: 9304, first_name: 'Игорь', last_name: 'Лебедев', language_code: 'ru' },
];

const OTHER_SUBJECTS = [
  'Не могу оплатить картой Мир',
  'Заказ #48213 не пришёл',
  'Ошибка 502 при входе',
  'Как выгрузить счета за год?',
  'Invoice shows the wrong VAT number',
  'Приложение вылетает на Android 14',
  'Сменить e-mail для чеков',
  'Двойное списание за подписку',
  'Не работает вход через Google',
  'Вернуть деньги за отменённый заказ',
  'Где найти API-ключ?',
  'Доставка задерживается третий день',
];

export interface DemoTickets {
  /** The customer's conversation with the agent: reply, answer, internal note. */
  conversation: number;
  resolved: number;
  fresh: number;
}

/**
 * A plausible helpdesk for the screenshots: categories, staff, four weeks of tickets (back-dated in the test
 * database so the charts have history), replies, notes and ratings — all written through the API.
 */
export async function seedDemo(apiUrl: string, databaseUrl: string): Promise<DemoTickets> {
  const { admin, agent, agent2, customer } = DEMO;
  await makeAgents(apiUrl, admin, [agent, agent2]);
  const categories: number[] = [];
  for (const name of ['Оплата', 'Доступ к аккаунту', 'Доставка']) {
    categories.push((await apiAs<{ id: number }>(apiUrl, admin, 'POST', '/categories', { name })).id);
  }
  const create = (who: InitDataUser, subject: string, body: string, categoryId?: number) =>
    apiAs<Created>(apiUrl, who, 'POST', '/tickets', { subject, body, ...(categoryId ? { categoryId } : {}) });
  const say = (who: InitDataUser, id: number, body: string, internal = false) =>
    apiAs(apiUrl, who, 'POST', `/tickets/${id}/messages`, internal ? { body, internal } : { body });
  const ticket = (who: InitDataUser, id: number) => apiAs<Created>(apiUrl, who, 'GET', `/tickets/${id}`);
  const patch = async (who: InitDataUser, id: number, change: Record<string, unknown>) => {
    const { version } = await ticket(who, id);
    return apiAs<Created>(apiUrl, who, 'PATCH', `/tickets/${id}`, { ...change, version });
  };

  // Other customers' tickets, several weeks of them.
  const others: number[] = [];
  for (let i = 0; i < 18; i++) {
    const who = OTHERS[i % OTHERS.length] as InitDataUser;
    const subject = OTHER_SUBJECTS[i % OTHER_SUBJECTS.length] as string;
    const t = await create(who, subject, `${subject}. Подробности в сообщении.`, categories[i % 3]);
    others.push(t.id);
    if (i % 3 !== 0) {
      const staff = i % 2 ? agent : agent2;
      await apiAs(apiUrl, staff, 'POST', `/tickets/${t.id}/claim`);
      await say(staff, t.id, 'Здравствуйте! Уже разбираемся.');
      if (i % 4 === 1) await patch(staff, t.id, { priority: 'high' });
      if (i % 3 === 2 && i < 15) {
        await patch(staff, t.id, { status: 'resolved' });
        await apiAs(apiUrl, who, 'POST', `/tickets/${t.id}/rating`, { score: [4, 5, 3, 5, 4][i % 5] });
      }
    } else if (i % 6 === 0) {
      await patch(agent, t.id, { priority: i % 12 === 0 ? 'urgent' : 'high' });
    }
  }

  // Anna's three tickets.
  const resolved = await create(
    customer,
    'Списали деньги дважды',
    'За заказ #47710 пришло два списания.',
    categories[0],
  );
  await apiAs(apiUrl, agent, 'POST', `/tickets/${resolved.id}/claim`);
  await say(agent, resolved.id, 'Второе списание отменено, деньги вернутся в течение 3 дней.');
  await patch(agent, resolved.id, { status: 'resolved' });
  await apiAs(apiUrl, customer, 'POST', `/tickets/${resolved.id}/rating`, { score: 5 });

  const conversation = await create(
    customer,
    'Не приходит код подтверждения',
    'Пытаюсь войти с нового телефона, SMS с кодом не приходит уже 10 минут.',
    categories[1],
  );
  await apiAs(apiUrl, agent, 'POST', `/tickets/${conversation.id}/claim`);
  await say(agent, conversation.id, 'Здравствуйте, Анна! Подскажите, на какой номер должен прийти код?');
  await say(customer, conversation.id, '+7 912 ••• •• 45, оператор МТС.');
  await say(
    agent,
    conversation.id,
    'У МТС задержки с SMS с утра, переключил этот номер на резервный канал.',
    true,
  );
  await say(agent, conversation.id, 'Отправил код повторно через другой канал — проверьте, пожалуйста.');

  const fresh = await create(
    customer,
    'Как сменить номер телефона?',
    'Хочу привязать новый номер к аккаунту.',
  );

  // History for the charts: spread creation (and resolution, first response) over the last four weeks.
  const db = createDb(databaseUrl, { max: 1 });
  try {
    await db.db.$client.query(
      `update tickets
         set created_at = now() - ((id * 7 % 27) || ' days')::interval - ((id * 5 % 11) || ' hours')::interval
       where id = any($1::int[])`,
      [others],
    );
    await db.db.$client.query(
      `update tickets
         set first_response_at = case when first_response_at is null then null
               else created_at + ((5 + id * 13 % 50) || ' minutes')::interval end,
             resolved_at = case when resolved_at is null then null
               else least(now(), created_at + ((2 + id % 20) || ' hours')::interval) end
       where id = any($1::int[])`,
      [others],
    );
  } finally {
    await db.close();
  }
  return { conversation: conversation.id, resolved: resolved.id, fresh: fresh.id };
}
