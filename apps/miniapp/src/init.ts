/**
 * Telegram WebApp SDK set-up, in one place: ready/expand, theme -> CSS variables (with Telegram's light
 * defaults outside Telegram), safe areas, and thin wrappers for MainButton, BackButton, haptics and the
 * closing confirmation that do nothing where the client does not support them.
 */
import WebApp from '@twa-dev/sdk';
import { type LaunchParams, parseLaunchHash } from './launch';
import { readableTones } from './theme-contrast';
import { LIGHT_THEME_DEFAULTS } from './theme-palettes';

let launch: LaunchParams = parseLaunchHash('');

/** Inside a real Telegram client (not a browser that only got launch params in the hash). */
export function inTelegram(): boolean {
  return WebApp.platform !== undefined && WebApp.platform !== 'unknown';
}

function supports(version: string): boolean {
  try {
    return inTelegram() && WebApp.isVersionAtLeast(version);
  } catch {
    return false;
  }
}

function luminance(hex: string): number {
  const m = /^#?([0-9a-f]{6})$/i.exec(hex.trim());
  if (!m?.[1]) return 1;
  const n = Number.parseInt(m[1], 16);
  return (0.299 * ((n >> 16) & 255) + 0.587 * ((n >> 8) & 255) + 0.114 * (n & 255)) / 255;
}

export function applyTheme(): void {
  const root = document.documentElement;
  // The SDK's themeParams are the live ones (replaced on every themeChanged); the launch hash's are only a
  // fallback for before the SDK has any, so a stale launch colour never mixes into a newer theme.
  const given: Record<string, string> = {};
  for (const [key, value] of Object.entries(
    (WebApp.themeParams ?? {}) as unknown as Record<string, unknown>,
  )) {
    if (typeof value === 'string' && value) given[key] = value;
  }
  if (Object.keys(given).length === 0) Object.assign(given, launch.themeParams);
  const theme: Record<string, string> = { ...LIGHT_THEME_DEFAULTS, ...given };
  // A dark theme that lacks some keys: derive them from what it has rather than mixing in light ones.
  const bg = theme.bg_color ?? '#ffffff';
  const dark = luminance(bg) < 0.5;
  if (dark) {
    theme.secondary_bg_color = given.secondary_bg_color ?? bg;
    theme.section_bg_color = given.section_bg_color ?? bg;
  }
  for (const [key, value] of Object.entries(theme)) {
    root.style.setProperty(`--tg-theme-${key.replace(/_/g, '-')}`, value);
  }
  // Telegram's colours as given do not always read (hint on white): the stylesheet draws with these tones.
  for (const [name, value] of Object.entries(readableTones(theme, dark))) root.style.setProperty(name, value);
  root.dataset.scheme = dark ? 'dark' : 'light';
  root.style.colorScheme = dark ? 'dark' : 'light';
}

function applySafeArea(): void {
  const root = document.documentElement;
  const safe = (WebApp as { safeAreaInset?: Record<string, number> }).safeAreaInset;
  const content = (WebApp as { contentSafeAreaInset?: Record<string, number> }).contentSafeAreaInset;
  for (const side of ['top', 'bottom', 'left', 'right']) {
    const total = (safe?.[side] ?? 0) + (content?.[side] ?? 0);
    root.style.setProperty(`--app-safe-${side}`, `${total}px`);
  }
}

/** Runs once before React renders. */
export function initTelegram(): LaunchParams {
  launch = parseLaunchHash(typeof location === 'undefined' ? '' : location.hash);
  try {
    WebApp.ready();
    if (inTelegram()) WebApp.expand();
  } catch {
    // Outside Telegram the SDK only logs.
  }
  applyTheme();
  applySafeArea();
  try {
    WebApp.onEvent('themeChanged', applyTheme);
    if (supports('8.0')) {
      WebApp.onEvent('safeAreaChanged', applySafeArea);
      WebApp.onEvent('contentSafeAreaChanged', applySafeArea);
    }
  } catch {
    // ignore
  }
  return launch;
}

/** initData: the SDK's, else the hash's (browser tests), else empty. */
export function telegramInitData(): string {
  return WebApp.initData || launch.initData || '';
}

export function telegramStartParam(): string | null {
  return WebApp.initDataUnsafe?.start_param ?? launch.startParam ?? null;
}

export function telegramLanguageCode(): string | undefined {
  return WebApp.initDataUnsafe?.user?.language_code ?? launch.user?.languageCode;
}

export const haptic = {
  impact(style: 'light' | 'medium' | 'heavy' = 'light'): void {
    if (supports('6.1')) WebApp.HapticFeedback.impactOccurred(style);
  },
  notify(type: 'success' | 'error' | 'warning'): void {
    if (supports('6.1')) WebApp.HapticFeedback.notificationOccurred(type);
  },
  selection(): void {
    if (supports('6.1')) WebApp.HapticFeedback.selectionChanged();
  },
};

export function setClosingConfirmation(enabled: boolean): void {
  if (!supports('6.2')) return;
  if (enabled) WebApp.enableClosingConfirmation();
  else WebApp.disableClosingConfirmation();
}

export interface MainButtonState {
  text: string;
  onClick: () => void;
  disabled?: boolean;
  progress?: boolean;
}

let mainClick: (() => void) | null = null;

/** Shows (or hides, with null) Telegram's MainButton. */
export function setTelegramMainButton(state: MainButtonState | null): void {
  if (!inTelegram()) return;
  const button = WebApp.MainButton;
  if (mainClick) button.offClick(mainClick);
  mainClick = null;
  if (!state) {
    button.hideProgress();
    button.hide();
    return;
  }
  mainClick = state.onClick;
  button.onClick(mainClick);
  // Progress first and is_active last: the SDK's hideProgress() makes the button active again, which
  // turned every disabled MainButton (an empty composer's «Отправить») into a live one.
  if (state.progress) button.showProgress(false);
  else if (button.isProgressVisible) button.hideProgress();
  button.setParams({ text: state.text, is_active: !state.disabled && !state.progress, is_visible: true });
}

let backClick: (() => void) | null = null;

export function setTelegramBackButton(onBack: (() => void) | null): void {
  if (!supports('6.1')) return;
  if (backClick) WebApp.BackButton.offClick(backClick);
  backClick = onBack;
  if (onBack) {
    WebApp.BackButton.onClick(onBack);
    WebApp.BackButton.show();
  } else {
    WebApp.BackButton.hide();
  }
}

/** Telegram's confirm popup (the browser's outside Telegram); false when it cannot be shown (one is already up). */
export function confirmDialog(message: string): Promise<boolean> {
  if (supports('6.2')) {
    return new Promise((resolve) => {
      try {
        WebApp.showConfirm(message, (ok) => resolve(ok));
      } catch {
        resolve(false);
      }
    });
  }
  return Promise.resolve(typeof window !== 'undefined' ? window.confirm(message) : true);
}

/** Whether this client can share the user's phone with the bot (`requestContact`, Bot API 6.9). */
export function canRequestContact(): boolean {
  return supports('6.9');
}

/**
 * Asks Telegram to share the user's own phone with the bot: the bot receives it as their own contact and
 * stores it as verified. Resolves whether the user agreed.
 */
export function requestContact(): Promise<boolean> {
  if (!canRequestContact()) return Promise.resolve(false);
  return new Promise((resolve) => {
    try {
      WebApp.requestContact((shared) => resolve(shared));
    } catch {
      resolve(false);
    }
  });
}
