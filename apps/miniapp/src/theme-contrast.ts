/**
 * Readable tones from whatever theme Telegram sends (WCAG 2.1 AA). Telegram's own colours are not always
 * readable where we draw them (its light `hint_color` #999999 on white is 2.8:1), and a custom theme can be
 * anything, so nothing is hard-coded: each tone is the theme's colour, mixed toward `text_color` only as far
 * as it takes to reach the ratio against every surface it is drawn on — 4.5:1 for text, 3:1 for large text
 * and the parts of controls (stars, borders, the focus ring).
 */

export type Rgb = readonly [number, number, number];

export const TEXT_RATIO = 4.5;
export const UI_RATIO = 3;

const BLACK: Rgb = [0, 0, 0];
const WHITE: Rgb = [255, 255, 255];

/** `#rgb` or `#rrggbb` (Telegram sends the latter); null for anything else. */
export function parseColor(value: string | undefined): Rgb | null {
  const m = /^#?([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(value?.trim() ?? '');
  if (!m?.[1]) return null;
  const hex = m[1].length === 3 ? [...m[1]].map((c) => c + c).join('') : m[1];
  const n = Number.parseInt(hex, 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

export function toHex(rgb: Rgb): string {
  return `#${rgb.map((c) => Math.round(c).toString(16).padStart(2, '0')).join('')}`;
}

/** `a` with `share` (0..1) of `b` mixed in, rounded to whole channels as the browser paints it. */
export function mix(a: Rgb, b: Rgb, share: number): Rgb {
  return [0, 1, 2].map((i) =>
    Math.round((a[i] ?? 0) + ((b[i] ?? 0) - (a[i] ?? 0)) * share),
  ) as unknown as Rgb;
}

/** WCAG relative luminance. */
export function luminance(rgb: Rgb): number {
  const [r, g, b] = rgb.map((c) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG contrast ratio, 1..21. */
export function contrast(a: Rgb, b: Rgb): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

const worst = (fg: Rgb, surfaces: readonly Rgb[]) => Math.min(...surfaces.map((s) => contrast(fg, s)));

/** Black or white, whichever reads better on every surface. */
function extreme(surfaces: readonly Rgb[]): Rgb {
  return worst(BLACK, surfaces) >= worst(WHITE, surfaces) ? BLACK : WHITE;
}

/**
 * `fg`, mixed toward `toward` (the theme's text colour) just far enough to reach `ratio` on every one of
 * `surfaces`. When even `toward` does not reach it (a theme with low-contrast text), toward black or white.
 */
export function readableOn(fg: Rgb, surfaces: readonly Rgb[], ratio: number, toward: Rgb): Rgb {
  if (worst(fg, surfaces) >= ratio) return fg;
  const target = worst(toward, surfaces) >= ratio ? toward : extreme(surfaces);
  for (let step = 1; step <= 50; step++) {
    const tone = mix(fg, target, step / 50);
    if (worst(tone, surfaces) >= ratio) return tone;
  }
  return target;
}

/**
 * A filled surface (a button) under `text`: the surface darkened or lightened (away from the text) just far
 * enough for `text` to reach `ratio`. Returns the text too: when no surface of that hue can carry it, the
 * text turns black or white instead.
 */
export function surfaceFor(surface: Rgb, text: Rgb, ratio: number): { surface: Rgb; text: Rgb } {
  if (contrast(surface, text) >= ratio) return { surface, text };
  const away = luminance(text) > 0.5 ? BLACK : WHITE;
  for (let step = 1; step <= 50; step++) {
    const tone = mix(surface, away, step / 50);
    if (contrast(tone, text) >= ratio) return { surface: tone, text };
  }
  return { surface, text: extreme([surface]) };
}

/** Alpha-composites `color` at `alpha` over `under` (what `rgba()` / `color-mix(… transparent)` paint). */
const over = (color: Rgb, alpha: number, under: Rgb) => mix(under, color, alpha);

/** Our own status colours (the only ones not from the theme), as bases to derive from. */
const STATUS = {
  light: { pending: '#e8a100', resolved: '#2ea84a', star: '#f5b400' },
  dark: { pending: '#ffc340', resolved: '#4cd964', star: '#f5b400' },
} as const;

/**
 * Every CSS custom property the stylesheet reads for text and control colours, derived from `theme` (Telegram's
 * theme params with the defaults filled in). Text tones hold 4.5:1 on every surface the app paints (page,
 * sections, own and note bubbles, tinted badges); `-ui` tones hold 3:1.
 */
export function readableTones(theme: Record<string, string>, dark: boolean): Record<string, string> {
  const color = (key: string, fallback: Rgb) => parseColor(theme[key]) ?? fallback;
  const bg = color('bg_color', WHITE);
  const text = color('text_color', extreme([bg]));
  const secondary = color('secondary_bg_color', bg);
  const section = color('section_bg_color', bg);
  const button = color('button_color', [36, 129, 204]);
  const status = dark ? STATUS.dark : STATUS.light;
  const pendingBase = parseColor(status.pending) as Rgb;

  const noteAlpha = dark ? 0.14 : 0.12;
  const bubbleOwn = mix(bg, button, dark ? 0.45 : 0.18);
  const plain = [bg, secondary, section];
  const surfaces: Rgb[] = [
    ...plain,
    bubbleOwn,
    over(pendingBase, noteAlpha, section),
    over(pendingBase, noteAlpha, secondary),
    // The open badge's tint, in list cells and in the conversation's header on the page.
    over(button, 0.12, section),
    over(button, 0.12, secondary),
  ];
  const tone = (fg: Rgb, ratio = TEXT_RATIO) => toHex(readableOn(fg, surfaces, ratio, text));
  const hint = color('hint_color', [142, 142, 147]);
  const filled = surfaceFor(button, color('button_text_color', WHITE), TEXT_RATIO);
  const destructive = color('destructive_text_color', [255, 59, 48]);
  const danger = surfaceFor(destructive, WHITE, TEXT_RATIO);

  return {
    '--tone-hint': tone(hint),
    '--tone-hint-ui': tone(hint, UI_RATIO),
    '--tone-subtitle': tone(color('subtitle_text_color', hint)),
    '--tone-section-header': tone(color('section_header_text_color', hint)),
    '--tone-link': tone(color('link_color', button)),
    '--tone-accent': tone(color('accent_text_color', button)),
    '--tone-accent-ui': tone(color('accent_text_color', button), UI_RATIO),
    '--tone-button': tone(button),
    '--tone-destructive': tone(destructive),
    '--tone-pending': tone(pendingBase),
    '--tone-pending-ui': tone(pendingBase, UI_RATIO),
    '--tone-resolved': tone(parseColor(status.resolved) as Rgb),
    '--tone-resolved-ui': tone(parseColor(status.resolved) as Rgb, UI_RATIO),
    '--tone-star': tone(parseColor(status.star) as Rgb, UI_RATIO),
    '--tone-button-bg': toHex(filled.surface),
    '--tone-button-text': toHex(filled.text),
    '--tone-destructive-bg': toHex(danger.surface),
    '--tone-destructive-bg-text': toHex(danger.text),
    '--bubble-own': toHex(bubbleOwn),
    // Notes, the note composer and the warning banner lie on the page (secondary) background.
    '--note-tint': toHex(over(pendingBase, noteAlpha, secondary)),
  };
}
