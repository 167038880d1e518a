import {
  DEFAULT_THEME_PARAMS,
  type InitDataUser,
  launchHash,
  signInitData,
  TEST_BOT_TOKEN,
} from '@tikethet/testkit';
import {
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  chromium,
  type Page,
} from 'playwright-core';
import { recordTraffic, type Traffic } from './traffic';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** Chromium as the browser tests run it; `extraArgs` add switches (a fake microphone, say). */
export function launchBrowser(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: [...CHROMIUM_ARGS, ...extraArgs] });
}

/** A phone: the viewport screenshots are taken at. */
export const PHONE: BrowserContextOptions = {
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
};

export { DARK_THEME_PARAMS, SEPIA_THEME_PARAMS } from '../../../apps/miniapp/src/theme-palettes';

export { DEFAULT_THEME_PARAMS };

/** One `postEvent` the Mini App sent to the (emulated) Telegram client. */
export interface ClientEvent {
  type: string;
  data: Record<string, unknown> | null;
}

declare global {
  interface Window {
    __telegramEvents?: ClientEvent[];
    TelegramWebviewProxy?: { postEvent(type: string, data: string): void };
  }
}

/**
 * The Telegram client's side of the bridge, as the mobile clients provide it: `TelegramWebviewProxy.postEvent`
 * receives the app's calls (recorded in `window.__telegramEvents`); the test answers with
 * `Telegram.WebView.receiveEvent` (see `clientEvent`).
 */
function telegramClientBridge(): void {
  const events: ClientEvent[] = [];
  window.__telegramEvents = events;
  window.TelegramWebviewProxy = {
    postEvent(type: string, data: string) {
      let parsed: Record<string, unknown> | null = null;
      try {
        parsed = data ? (JSON.parse(data) as Record<string, unknown>) : null;
      } catch {
        parsed = null;
      }
      events.push({ type, data: parsed });
    },
  };
}

export interface OpenOptions {
  theme?: Record<string, string>;
  startParam?: string;
  /** Overrides the user's language_code. */
  language?: string;
  /** Open a fresh context (default) or reuse one. */
  context?: BrowserContext;
  contextOptions?: BrowserContextOptions;
}

export interface Opened {
  context: BrowserContext;
  page: Page;
  /** The launch URL (origin + Telegram's launch hash). */
  url: string;
  /** What the page received from the server since it opened. */
  traffic: Traffic;
}

export function launchUrl(baseUrl: string, user: InitDataUser, options: OpenOptions = {}): string {
  const signed = { ...user, ...(options.language ? { language_code: options.language } : {}) };
  const initData = signInitData({
    botToken: TEST_BOT_TOKEN,
    user: signed,
    ...(options.startParam ? { startParam: options.startParam } : {}),
  });
  return `${baseUrl}/${launchHash(initData, options.theme ?? DEFAULT_THEME_PARAMS, options.startParam)}`;
}

/** Opens the Mini App as Telegram does: launch parameters with signed initData in the URL hash. */
export async function openAs(
  browser: Browser,
  baseUrl: string,
  user: InitDataUser,
  options: OpenOptions = {},
): Promise<Opened> {
  const context = options.context ?? (await browser.newContext({ ...PHONE, ...options.contextOptions }));
  await context.addInitScript(telegramClientBridge);
  const page = await context.newPage();
  const traffic = recordTraffic(page);
  const url = launchUrl(baseUrl, user, options);
  await page.goto(url);
  return { context, page, url, traffic };
}

/** Sends an event from the Telegram client to the app, e.g. `main_button_pressed`, `back_button_pressed`. */
export async function clientEvent(page: Page, type: string, data?: Record<string, unknown>): Promise<void> {
  await page.evaluate(
    ([t, d]) => {
      const tg = (
        window as unknown as { Telegram?: { WebView?: { receiveEvent(t: string, d?: unknown): void } } }
      ).Telegram;
      if (!tg?.WebView) throw new Error('Telegram.WebView is not there');
      tg.WebView.receiveEvent(t as string, d ?? undefined);
    },
    [type, data ?? null] as const,
  );
}

/** The last `postEvent` of `type` the app sent to the client (e.g. `web_app_setup_main_button`). */
export function lastClientEvent(page: Page, type: string): Promise<ClientEvent | null> {
  return page.evaluate((t) => {
    const events = window.__telegramEvents ?? [];
    for (let i = events.length - 1; i >= 0; i--) if (events[i]?.type === t) return events[i] ?? null;
    return null;
  }, type);
}

/** Every `postEvent` of `type` the app sent to the client, oldest first. */
export function clientEvents(page: Page, type: string): Promise<ClientEvent[]> {
  return page.evaluate((t) => (window.__telegramEvents ?? []).filter((e) => e.type === t), type);
}

/** The messages of the popups the app asked Telegram to show, oldest first. */
export async function popups(page: Page): Promise<unknown[]> {
  return (await clientEvents(page, 'web_app_open_popup')).map((e) => e.data?.message);
}

/** The MainButton as the client shows it: visible, active, text. */
export async function mainButton(page: Page): Promise<{ visible: boolean; active: boolean; text: string }> {
  const event = await lastClientEvent(page, 'web_app_setup_main_button');
  return {
    visible: event?.data?.is_visible === true,
    active: event?.data?.is_active !== false,
    text: typeof event?.data?.text === 'string' ? event.data.text : '',
  };
}

/** Presses Telegram's MainButton. */
export const pressMainButton = (page: Page) => clientEvent(page, 'main_button_pressed');
/** Presses Telegram's BackButton. */
export const pressBackButton = (page: Page) => clientEvent(page, 'back_button_pressed');

/** Telegram's BackButton state as the SDK knows it. */
export function backButtonVisible(page: Page): Promise<boolean> {
  return page.evaluate(
    () =>
      (window as unknown as { Telegram: { WebApp: { BackButton: { isVisible: boolean } } } }).Telegram.WebApp
        .BackButton.isVisible,
  );
}

/** Waits until the client shows the MainButton visible and active (its text, if given, containing `text`). */
export async function waitMainButtonActive(page: Page, text?: string): Promise<void> {
  await page.waitForFunction((want) => {
    const events = window.__telegramEvents ?? [];
    for (let i = events.length - 1; i >= 0; i--) {
      const e = events[i];
      if (e?.type !== 'web_app_setup_main_button') continue;
      const d = e.data ?? {};
      return d.is_visible === true && d.is_active !== false && (!want || String(d.text).includes(want));
    }
    return false;
  }, text ?? null);
}

/** Waits until the SDK's BackButton.isVisible is `visible`. */
export async function waitBackButton(page: Page, visible: boolean): Promise<void> {
  await page.waitForFunction(
    (want) =>
      (window as unknown as { Telegram: { WebApp: { BackButton: { isVisible: boolean } } } }).Telegram.WebApp
        .BackButton.isVisible === want,
    visible,
  );
}
