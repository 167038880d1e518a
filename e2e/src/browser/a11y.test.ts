import type { InitDataUser } from '@tikethet/testkit';
import type { Browser, Page } from 'playwright-core';
import {
  DARK_THEME_PARAMS,
  DEFAULT_THEME_PARAMS,
  launchBrowser,
  openAs,
  PHONE,
  pressBackButton,
  pressMainButton,
  SEPIA_THEME_PARAMS,
} from '../support/browser';
import { apiAs } from '../support/people';
import { DEMO, type DemoTickets, seedDemo } from '../support/seed';
import { type Stack, startStack } from '../support/stack';

/**
 * WCAG 2.1 AA in the built Mini App (issue #22): axe-core (its A and AA rules) on every screen — customer,
 * agent, admin, their forms with errors showing and the open controls sheet and canned-reply picker — in
 * Telegram's light and dark themes and an unusual custom one, at 320 px (what 200 % zoom leaves of a phone),
 * failing on any serious or critical violation and on any screen wider than the viewport. Then replying with
 * a canned reply and rating, with the keyboard only; new messages announced politely, typing not.
 */
const AXE = require.resolve('axe-core/axe.min.js');
const CANNED = 'Здравствуйте! Уже разбираемся с вашим вопросом.';

/** 320 px wide; the page's CSP is bypassed only so axe-core can be injected (it is never loaded otherwise). */
const NARROW = { viewport: { width: 320, height: 640 }, bypassCSP: true };
/** A phone with the reader's text at 200 % (the stylesheet sizes text in rem). */
const BIG_TEXT = { viewport: { width: 390, height: 844 }, bypassCSP: true, textScale: 2 };

type Pass = [
  string,
  Record<string, string>,
  { viewport: { width: number; height: number }; textScale?: number },
];
const PASSES: Pass[] = [
  ['the light theme at 320 px', DEFAULT_THEME_PARAMS, NARROW],
  ['the dark theme at 320 px', DARK_THEME_PARAMS, NARROW],
  ['a custom (sepia) theme at 320 px', SEPIA_THEME_PARAMS, NARROW],
  ['the light theme with 200 % text', DEFAULT_THEME_PARAMS, BIG_TEXT],
];

/** Opens the Mini App for one pass: its theme, its viewport, its text size. */
async function openFor(
  user: InitDataUser,
  theme: Record<string, string>,
  pass: Pass[2],
  startParam?: string,
) {
  const { textScale, ...contextOptions } = pass as Pass[2] & { bypassCSP: boolean };
  const context = await browser.newContext({ ...PHONE, ...contextOptions });
  if (textScale) {
    await context.addInitScript((scale) => {
      document.addEventListener('DOMContentLoaded', () => {
        const style = document.createElement('style');
        style.textContent = `html { font-size: ${17 * scale}px !important; }`;
        document.head.append(style);
      });
    }, textScale);
  }
  const opened = await openAs(browser, stack.miniappUrl, user, {
    theme,
    context,
    ...(startParam ? { startParam } : {}),
  });
  if (textScale) {
    // The larger text really applies (a cell title: 17 px by default).
    await opened.page.locator('.cell__title').first().waitFor();
    expect(
      await opened.page
        .locator('.cell__title')
        .first()
        .evaluate((el) => getComputedStyle(el).fontSize),
    ).toBe(`${17 * textScale}px`);
  }
  return opened;
}

let stack: Stack;
let browser: Browser;
let demo: DemoTickets;

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[]; failureSummary?: string }[];
}

beforeAll(async () => {
  stack = await startStack('e2e_a11y', { adminIds: [DEMO.admin.id] });
  demo = await seedDemo(stack.apiUrl, stack.databaseUrl);
  await apiAs(stack.apiUrl, DEMO.admin, 'POST', '/canned-replies', {
    shortcut: 'hello',
    title: 'Приветствие',
    body: CANNED,
    shared: true,
  });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

/** A ticket of the demo customer's that an agent has answered and resolved: the rating is offered. */
async function resolvedUnrated(subject: string): Promise<number> {
  const { id } = await apiAs<{ id: number }>(stack.apiUrl, DEMO.customer, 'POST', '/tickets', {
    subject,
    body: 'Не приходит код подтверждения',
  });
  await apiAs(stack.apiUrl, DEMO.agent, 'POST', `/tickets/${id}/claim`);
  await apiAs(stack.apiUrl, DEMO.agent, 'POST', `/tickets/${id}/messages`, {
    body: 'Отправили код ещё раз, проверьте папку «Спам».',
  });
  const { version } = await apiAs<{ version: number }>(stack.apiUrl, DEMO.agent, 'GET', `/tickets/${id}`);
  await apiAs(stack.apiUrl, DEMO.agent, 'PATCH', `/tickets/${id}`, { status: 'resolved', version });
  return id;
}

/**
 * Runs axe-core's WCAG 2.1 A/AA rules on what is on screen once nothing visible is loading; returns the
 * serious and critical violations (and a layout wider than the viewport) as readable lines.
 */
async function audit(page: Page, screen: string): Promise<string[]> {
  await page.waitForFunction(() =>
    Array.from(document.querySelectorAll('.loading')).every((el) => !el.checkVisibility()),
  );
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE });
  const violations = (await page.evaluate(async () => {
    const axe = (
      window as unknown as { axe: { run(c: unknown, o: unknown): Promise<{ violations: unknown }> } }
    ).axe;
    const result = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return result.violations;
  })) as AxeViolation[];
  const found = violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) =>
      v.nodes.map(
        (n) => `${screen}: ${v.id} (${v.impact}) ${JSON.stringify(n.target)} — ${n.failureSummary ?? v.help}`,
      ),
    );
  // Reflow: nothing on screen reaches past its right edge (a clipped grid would not widen the page itself).
  const outside = await page.evaluate(() =>
    Array.from(document.body.querySelectorAll('*'))
      .filter((el) => el.checkVisibility() && el.getBoundingClientRect().right > window.innerWidth + 1)
      .slice(0, 3)
      .map((el) => `${el.tagName.toLowerCase()}.${el.className} «${(el.textContent ?? '').slice(0, 30)}»`),
  );
  for (const what of outside) found.push(`${screen}: ${what} reaches past the screen's edge`);
  return found;
}

describe.each(PASSES)('every screen passes axe-core in %s', (name, theme, pass) => {
  test('customer: the list, a new ticket with its errors, a conversation, the rating', async () => {
    const ratable = await resolvedUnrated(`Код не приходит (${name})`);
    const found: string[] = [];
    const { page, context } = await openFor(DEMO.customer, theme, pass);
    await page.getByTestId(`ticket-row-${demo.conversation}`).waitFor();
    // Zoom is the reader's: the viewport neither caps the scale nor forbids scaling.
    const viewport = await page.locator('meta[name="viewport"]').getAttribute('content');
    expect(viewport).not.toMatch(/maximum-scale|user-scalable\s*=\s*(no|0)/);
    found.push(...(await audit(page, 'customer list')));

    await pressMainButton(page);
    await page.getByTestId('new-ticket').waitFor();
    found.push(...(await audit(page, 'new ticket')));
    await pressMainButton(page);
    await page.getByTestId('new-ticket').getByRole('alert').first().waitFor();
    found.push(...(await audit(page, 'new ticket with errors')));
    await pressBackButton(page);

    await page.getByTestId(`ticket-row-${demo.conversation}`).click();
    await page.getByTestId('messages').getByText('через другой канал').waitFor();
    found.push(...(await audit(page, 'customer conversation')));
    await pressBackButton(page);

    await page.getByTestId(`ticket-row-${ratable}`).click();
    await page.getByTestId('rating').waitFor();
    found.push(...(await audit(page, 'rating')));
    await context.close();
    expect(found).toEqual([]);
  });

  test('agent: the queue with filters, a ticket with notes, the controls sheet, the canned picker', async () => {
    const found: string[] = [];
    const { page, context } = await openFor(DEMO.agent, theme, pass);
    await page.getByTestId('queue-list').waitFor();
    await page.getByTestId(`ticket-row-${demo.fresh}`).waitFor();
    found.push(...(await audit(page, 'queue')));
    await page.getByTestId('filters-toggle').click();
    await page.getByTestId('filters').waitFor();
    found.push(...(await audit(page, 'queue filters')));

    await page.getByTestId('tab-me').click();
    await page.getByTestId(`ticket-row-${demo.conversation}`).click();
    await page.getByTestId('customer-card').waitFor();
    await page.locator('.message--note').waitFor();
    found.push(...(await audit(page, 'agent ticket')));
    await page.getByTestId('controls-toggle').click();
    await page.getByTestId('controls-sheet').waitFor();
    found.push(...(await audit(page, 'controls sheet')));
    await page.getByTestId('controls-toggle').click();
    await page.getByTestId('composer').fill('/');
    await page.getByTestId('canned-hello').waitFor();
    found.push(...(await audit(page, 'canned picker')));
    await page.getByTestId('composer').fill('');
    await page.getByTestId('mode-note').click();
    found.push(...(await audit(page, 'note composer')));
    await context.close();
    expect(found).toEqual([]);
  });

  test('admin: stats, agents, categories and canned replies with their forms', async () => {
    const found: string[] = [];
    const { page, context } = await openFor(DEMO.admin, theme, pass);
    await page.getByTestId('open-dashboard').click();
    await page.getByTestId('stats-chart').waitFor();
    found.push(...(await audit(page, 'stats')));
    for (const [button, testId] of [
      [/Агенты/, 'agents-page'],
      [/Категории/, 'categories-page'],
      [/Шаблоны ответов/, 'canned-page'],
    ] as const) {
      await page.getByRole('button', { name: button }).click();
      await page.getByTestId(testId).waitFor();
      found.push(...(await audit(page, testId)));
      if (testId !== 'agents-page') {
        // The add form, submitted empty: its errors showing.
        await pressMainButton(page);
        await page.getByTestId(testId).getByRole('alert').first().waitFor();
        found.push(...(await audit(page, `${testId} form with errors`)));
      }
      await pressBackButton(page);
      await page.getByTestId('dashboard').waitFor();
    }
    await context.close();
    expect(found).toEqual([]);
  });
});

/** Presses Tab until the focused element matches `selector`; each stop must show its focus. */
async function tabTo(page: Page, selector: string): Promise<void> {
  for (let i = 0; i < 60; i++) {
    await page.keyboard.press('Tab');
    const stop = await page.evaluate((sel) => {
      const el = document.activeElement as HTMLElement | null;
      if (!el || el === document.body) return { match: false, visible: true, what: 'body' };
      // The focus ring may be drawn by the element or by the cell around it (:focus-within / :has()).
      let ring = false;
      for (let node: HTMLElement | null = el; node && !ring; node = node.parentElement) {
        const style = getComputedStyle(node);
        ring = style.outlineStyle !== 'none' && Number.parseFloat(style.outlineWidth) > 0;
      }
      return { match: el.matches(sel), visible: ring, what: el.outerHTML.slice(0, 120) };
    }, selector);
    expect({ focused: stop.what, visibleFocus: stop.visible }).toEqual({
      focused: stop.what,
      visibleFocus: true,
    });
    if (stop.match) return;
  }
  throw new Error(`Tab never reached ${selector}`);
}

test('controls are named for screen readers: icon buttons, the reply/note switch, the picker, the stars', async () => {
  const agent = await openAs(browser, stack.miniappUrl, DEMO.agent);
  const queue = agent.page.getByTestId('queue');
  await queue.getByRole('button', { name: 'Статистика и настройки' }).waitFor();
  await queue.getByRole('button', { name: 'Фильтры' }).waitFor();
  await agent.page.getByTestId('tab-me').click();
  await agent.page.getByTestId(`ticket-row-${demo.conversation}`).click();
  const ticket = agent.page.getByTestId('ticket-page');
  await ticket.getByRole('tab', { name: 'Ответ', selected: true }).waitFor();
  await ticket.getByRole('tab', { name: 'Заметка', selected: false }).waitFor();
  await ticket.getByRole('button', { name: 'Управление тикетом' }).waitFor();
  await ticket.getByRole('textbox', { name: 'Сообщение' }).fill('/');
  await ticket
    .getByRole('listbox', { name: 'Шаблоны ответов' })
    .getByRole('option', { name: /hello/ })
    .waitFor();
  await agent.context.close();

  const id = await resolvedUnrated('Названия звёзд');
  const customer = await openAs(browser, stack.miniappUrl, DEMO.customer, { startParam: `ticket_${id}` });
  const stars = customer.page.getByRole('radiogroup', { name: 'Оцените помощь' });
  for (let n = 1; n <= 5; n++) await stars.getByRole('radio', { name: `Оценка ${n} из 5` }).waitFor();
  await customer.context.close();
});

test('keyboard only: the agent replies with a canned reply', async () => {
  const { page, context } = await openAs(browser, stack.miniappUrl, DEMO.agent, {
    startParam: `ticket_${demo.conversation}`,
  });
  await page.getByTestId('customer-card').waitFor();
  await tabTo(page, '[data-testid="composer"]');
  await page.keyboard.type('/hel');
  const option = page.getByTestId('canned-hello');
  await option.waitFor();
  expect(await option.getAttribute('aria-selected')).toBe('true');
  // The composer points screen readers at the highlighted option.
  expect(await page.getByTestId('composer').getAttribute('aria-activedescendant')).toBe(
    await option.getAttribute('id'),
  );
  await page.keyboard.press('Enter');
  await page.getByTestId('canned-picker').waitFor({ state: 'detached' });
  expect(await page.getByTestId('composer').inputValue()).toBe(CANNED);
  await page.keyboard.press('Enter');
  // Stored (a tick, not the clock of an optimistic send) before asking the API.
  await page
    .getByTestId('messages')
    .locator('.message--own')
    .filter({ hasText: CANNED })
    .locator('.tick--stored, .tick--delivered')
    .waitFor();
  type Stored = { body: string; internal: boolean };
  const listed = await apiAs<Stored[] | { items: Stored[] }>(
    stack.apiUrl,
    DEMO.agent,
    'GET',
    `/tickets/${demo.conversation}/messages?limit=200`,
  );
  const messages = Array.isArray(listed) ? listed : listed.items;
  expect(messages.some((m) => m.body === CANNED && !m.internal)).toBe(true);
  await context.close();
});

test('keyboard only: the customer rates four stars; new messages are announced, typing is not', async () => {
  const id = await resolvedUnrated('Оценка с клавиатуры');
  const { page, context } = await openAs(browser, stack.miniappUrl, DEMO.customer, {
    startParam: `ticket_${id}`,
  });
  const rating = page.getByTestId('rating');
  await rating.waitFor();

  // While the ticket is open, the agent writes: the polite region says so; «печатает…» is not a live region.
  const announcer = page.getByTestId('message-announcer');
  expect(await announcer.getAttribute('aria-live')).toBe('polite');
  await apiAs(stack.apiUrl, DEMO.agent, 'POST', `/tickets/${id}/messages`, {
    body: 'Будем рады вашей оценке',
  });
  await page.waitForFunction(() =>
    document.querySelector('[data-testid="message-announcer"]')?.textContent?.includes('вашей оценке'),
  );
  expect(await announcer.textContent()).toBe('Новое сообщение от Олег Смирнов: Будем рады вашей оценке');
  // The only live regions on the conversation are that one and the voice recorder's, silent until a
  // recording starts: neither the list nor «печатает…» speaks up.
  const live = page.getByTestId('ticket-page').locator('[aria-live], [role="status"], [role="log"]');
  expect(await live.evaluateAll((els) => els.map((el) => el.getAttribute('data-testid')))).toEqual([
    'message-announcer',
    'voice-status',
  ]);
  expect(await page.getByTestId('voice-status').textContent()).toBe('');

  await tabTo(page, 'input[type="radio"]');
  await page.keyboard.press('Space');
  for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight');
  expect(await rating.getByLabel('Оценка 4 из 5').isChecked()).toBe(true);
  await tabTo(page, '.rating textarea');
  await page.keyboard.type('Спасибо');
  await tabTo(page, '.rating .button');
  await page.keyboard.press('Enter');
  await page.getByTestId('rating-thanks').waitFor();
  const stored = await apiAs<{ rating: number | null }>(stack.apiUrl, DEMO.customer, 'GET', `/tickets/${id}`);
  expect(stored.rating).toBe(4);
  await context.close();
});

/** How the stylesheet animates the loading spinner on `page` (a probe element, removed again). */
function spinnerAnimation(page: Page): Promise<string> {
  return page.evaluate(() => {
    const probe = document.createElement('div');
    probe.className = 'spinner';
    document.body.append(probe);
    const name = getComputedStyle(probe).animationName;
    probe.remove();
    return name;
  });
}

test('with reduced motion asked for, nothing spins (and without, it does)', async () => {
  for (const [reducedMotion, expected] of [
    ['reduce', 'none'],
    ['no-preference', 'spin'],
  ] as const) {
    const context = await browser.newContext({ ...PHONE, reducedMotion });
    const { page } = await openAs(browser, stack.miniappUrl, DEMO.agent, { context });
    await page.getByTestId('queue-list').waitFor();
    expect(await spinnerAnimation(page)).toBe(expected);
    await context.close();
  }
});
