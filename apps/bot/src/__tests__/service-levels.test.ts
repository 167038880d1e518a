import { makeTextUpdate } from '@tikethet/testkit';
import {
  type Harness,
  lastSent,
  makeAgent,
  markupOf,
  newUserId,
  PUBLIC_URL,
  startHarness,
  textOf,
} from './helpers/harness';

/**
 * Service levels in Telegram: /online and /away set an agent's availability (a customer is told it is for
 * agents), and the SLA timer job's warnings and breaches reach the assignee's DM, or the agents' chat when
 * nobody has the ticket, once, with the ticket's button.
 */
describe('bot and service levels', () => {
  let h: Harness;
  const agentsChat = -1005556667778;

  beforeAll(async () => {
    h = await startHarness('webhook', { AGENTS_CHAT_ID: String(agentsChat) }, 'service_levels');
  });
  afterAll(async () => {
    await h.close();
  });

  const availabilityOf = async (id: number) =>
    (await h.query<{ availability: string }>('select availability from users where id = $1', [id]))[0]
      ?.availability;

  async function agentInTelegram(first: string) {
    const id = await makeAgent(h, first, 'en');
    await h.send(makeTextUpdate({ from: { id, first_name: first, language_code: 'en' }, text: '/start' }));
    await lastSent(h, id);
    return id;
  }

  /**
   * A customer's ticket as if opened `ago` (default settings: Moscow business hours, normal priority's first
   * response in 240 business minutes), its timers derived again; the timer job is fired by hand here.
   */
  async function ticketOpened(subject: string, ago: string, assignee?: number) {
    const customer = newUserId();
    await h.uc.upsertUser({ id: customer, first_name: 'Ivan' });
    const { ticket } = await h.uc.createTicket({ id: customer, role: 'customer' }, { subject, body: 'help' });
    if (assignee !== undefined) await h.uc.claimTicket({ id: assignee, role: 'agent' }, ticket.id);
    await h.query(
      `update service_levels set settings = jsonb_set(settings, '{hours}',
        '{"mon":[["00:00","24:00"]],"tue":[["00:00","24:00"]],"wed":[["00:00","24:00"]],"thu":[["00:00","24:00"]],
          "fri":[["00:00","24:00"]],"sat":[["00:00","24:00"]],"sun":[["00:00","24:00"]]}')`,
    );
    await h.query(
      `update tickets set created_at = now() - $2::interval, sla_resolution_since = now() - $2::interval,
        sla_awaiting_since = now() where id = $1`,
      [ticket.id, ago],
    );
    return ticket.id;
  }

  it('/away and /online set an agent’s availability; a customer gets told it is for agents', async () => {
    const agent = await agentInTelegram('Olga');
    await h.send(
      makeTextUpdate({ from: { id: agent, first_name: 'Olga', language_code: 'en' }, text: '/away' }),
    );
    expect(textOf(await lastSent(h, agent, (m) => textOf(m).startsWith('🌙')))).toContain('away');
    expect(await availabilityOf(agent)).toBe('away');
    await h.send(
      makeTextUpdate({ from: { id: agent, first_name: 'Olga', language_code: 'en' }, text: '/online' }),
    );
    await lastSent(h, agent, (m) => textOf(m).startsWith('🟢'));
    expect(await availabilityOf(agent)).toBe('online');

    const customer = newUserId();
    await h.send(
      makeTextUpdate({ from: { id: customer, first_name: 'Ivan', language_code: 'en' }, text: '/away' }),
    );
    expect(textOf(await lastSent(h, customer))).toBe('This command is for support agents.');
    expect(await availabilityOf(customer)).toBe('online');
  });

  it('a breach on an unassigned ticket is posted once in the agents’ chat with the ticket’s button', async () => {
    const id = await ticketOpened('Unassigned and late', '30 days');
    expect((await h.uc.fireSlaTimer(id))?.sla.breachedAt).not.toBeNull();
    // The job again (a retry, another instance): nothing new.
    expect(await h.uc.fireSlaTimer(id)).toBeNull();
    // The agents' chat reads Russian.
    const post = await lastSent(h, agentsChat, (m) => textOf(m).startsWith('🔥'));
    expect(textOf(post)).toContain(`<b>#${id}</b> просрочен`);
    expect(textOf(post)).toContain('Unassigned and late');
    const button = markupOf(post)?.inline_keyboard[0]?.[0];
    expect(button?.text).toBe('Открыть');
    expect(button?.url ?? button?.web_app?.url).toContain(`ticket_${id}`);
    await new Promise((r) => setTimeout(r, 500));
    expect(
      h.api.sentMessages(agentsChat).filter((m) => textOf(m).includes(`#${id}</b> просрочен`)),
    ).toHaveLength(1);
  });

  it('a warning on an assigned ticket goes to the assignee’s DM', async () => {
    const agent = await agentInTelegram('Pavel');
    // First response due in 10 minutes: within the warning's 15.
    const id = await ticketOpened('Assigned, due soon', '230 minutes', agent);
    const warned = await h.uc.fireSlaTimer(id);
    expect(warned?.sla.breachedAt).toBeNull();
    const dm = await lastSent(h, agent, (m) => textOf(m).startsWith('⏰'));
    expect(textOf(dm)).toContain(`<b>#${id}</b> is due in 15 minutes`);
    expect(markupOf(dm)?.inline_keyboard).toEqual([
      [{ text: 'Open', web_app: { url: `${PUBLIC_URL}/?tgWebAppStartParam=ticket_${id}` } }],
    ]);
    expect(
      h.api.sentMessages(agentsChat).filter((m) => textOf(m).includes(`<b>#${id}</b>: срок`)),
    ).toHaveLength(0);
  });

  it('the out-of-hours reply reaches the customer’s chat (the job run by hand here)', async () => {
    const customer = newUserId();
    const days = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
    const other = days[(new Date().getUTCDay() + 3) % 7];
    const hours = Object.fromEntries(days.map((d) => [d, d === other ? [['09:00', '18:00']] : []]));
    await h.query(
      `update service_levels set settings = jsonb_set(jsonb_set(jsonb_set(settings, '{hours}', $1::jsonb),
        '{timezone}', '"UTC"'), '{autoReply,enabled}', 'true')`,
      [JSON.stringify(hours)],
    );
    await h.send(
      makeTextUpdate({ from: { id: customer, first_name: 'Ivan', language_code: 'en' }, text: 'Night owl' }),
    );
    const [row] = await h.query<{ id: number }>('select id from tickets where customer_id = $1', [customer]);
    const reply = await h.uc.sendAutoReply(row?.id ?? 0);
    expect(reply?.kind).toBe('system');
    expect(await h.uc.sendAutoReply(row?.id ?? 0)).toBeNull();
    const sent = await lastSent(h, customer, (m) => textOf(m).includes('09:00 UTC'));
    expect(textOf(sent)).toContain('business hours');
  });

  it('an alert names the due time in the team’s time zone, not UTC', async () => {
    await h.query(`update service_levels set settings = jsonb_set(settings, '{timezone}', '"Asia/Tokyo"')`);
    const id = await ticketOpened('Late in Tokyo', '30 days');
    const sla = (await h.uc.fireSlaTimer(id))?.sla;
    const post = await lastSent(h, agentsChat, (m) => textOf(m).includes(`<b>#${id}</b> просрочен`));
    // Tokyo is GMT+9 all year; the time shown is the Tokyo wall clock of the breached target's due instant.
    const tokyo = (at: string | null | undefined) =>
      new Intl.DateTimeFormat('ru-RU', { timeZone: 'Asia/Tokyo', hour: '2-digit', minute: '2-digit' }).format(
        new Date(at ?? 0),
      );
    const dueTimes = [sla?.firstResponseDueAt, sla?.resolutionDueAt].filter(Boolean).map(tokyo);
    expect(dueTimes.length).toBeGreaterThan(0);
    expect(textOf(post)).toContain('GMT+9');
    expect(dueTimes.some((time) => textOf(post).includes(time))).toBe(true);
    expect(textOf(post)).not.toContain('UTC');
  });
});
