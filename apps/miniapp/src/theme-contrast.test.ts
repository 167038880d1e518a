import {
  contrast,
  mix,
  parseColor,
  type Rgb,
  readableOn,
  readableTones,
  surfaceFor,
  TEXT_RATIO,
  toHex,
  UI_RATIO,
} from './theme-contrast';
import { DARK_THEME_PARAMS, LIGHT_THEME_DEFAULTS, SEPIA_THEME_PARAMS } from './theme-palettes';

const rgb = (hex: string) => {
  const c = parseColor(hex);
  if (!c) throw new Error(`not a colour: ${hex}`);
  return c;
};

/** Every surface the stylesheet paints text on, for a theme. */
function plainSurfaces(theme: Record<string, string>): Rgb[] {
  return ['bg_color', 'secondary_bg_color', 'section_bg_color'].map((k) => rgb(theme[k] as string));
}

const textTones = [
  '--tone-hint',
  '--tone-subtitle',
  '--tone-section-header',
  '--tone-link',
  '--tone-accent',
  '--tone-button',
  '--tone-destructive',
  '--tone-pending',
  '--tone-resolved',
];
const uiTones = [
  '--tone-hint-ui',
  '--tone-accent-ui',
  '--tone-pending-ui',
  '--tone-resolved-ui',
  '--tone-star',
];

function expectReadable(theme: Record<string, string>, dark: boolean) {
  const tones = readableTones(theme, dark);
  const surfaces = [
    ...plainSurfaces(theme),
    rgb(tones['--bubble-own'] as string),
    rgb(tones['--note-tint'] as string),
  ];
  for (const name of textTones) {
    const worst = Math.min(...surfaces.map((s) => contrast(rgb(tones[name] as string), s)));
    expect({ name, ok: worst >= TEXT_RATIO }).toEqual({ name, ok: true });
  }
  for (const name of uiTones) {
    const worst = Math.min(...surfaces.map((s) => contrast(rgb(tones[name] as string), s)));
    expect({ name, ok: worst >= UI_RATIO }).toEqual({ name, ok: true });
  }
  expect(
    contrast(rgb(tones['--tone-button-bg'] as string), rgb(tones['--tone-button-text'] as string)),
  ).toBeGreaterThanOrEqual(TEXT_RATIO);
  expect(
    contrast(
      rgb(tones['--tone-destructive-bg'] as string),
      rgb(tones['--tone-destructive-bg-text'] as string),
    ),
  ).toBeGreaterThanOrEqual(TEXT_RATIO);
  return tones;
}

describe('contrast', () => {
  it('computes WCAG ratios', () => {
    expect(contrast(rgb('#000'), rgb('#fff'))).toBeCloseTo(21, 5);
    expect(contrast(rgb('#999999'), rgb('#ffffff'))).toBeCloseTo(2.85, 2);
    expect(contrast(rgb('#777777'), rgb('#ffffff'))).toBeCloseTo(4.48, 2);
  });

  it('parses only hex colours', () => {
    expect(parseColor('#abc')).toEqual([170, 187, 204]);
    expect(parseColor('red')).toBeNull();
    expect(parseColor(undefined)).toBeNull();
    expect(toHex(mix(rgb('#000000'), rgb('#ffffff'), 0.5))).toBe('#808080');
  });
});

describe('readableOn', () => {
  it('darkens hint #999999 on white toward the text colour just to 4.5:1', () => {
    const tone = readableOn(rgb('#999999'), [rgb('#ffffff')], TEXT_RATIO, rgb('#000000'));
    expect(contrast(tone, rgb('#ffffff'))).toBeGreaterThanOrEqual(4.5);
    // Just far enough: still a grey, and not much darker than needed.
    expect(contrast(tone, rgb('#ffffff'))).toBeLessThan(5);
    expect(tone[0]).toBe(tone[1]);
  });

  it('leaves a colour that already reads alone', () => {
    expect(readableOn(rgb('#595959'), [rgb('#ffffff')], TEXT_RATIO, rgb('#000000'))).toEqual(rgb('#595959'));
  });

  it('turns to black or white when even the text colour is too faint', () => {
    const tone = readableOn(rgb('#bbbbbb'), [rgb('#ffffff')], TEXT_RATIO, rgb('#aaaaaa'));
    expect(contrast(tone, rgb('#ffffff'))).toBeGreaterThanOrEqual(4.5);
  });

  it('holds against every surface, not only the first', () => {
    const surfaces = [rgb('#ffffff'), rgb('#efeff4')];
    const tone = readableOn(rgb('#2481cc'), surfaces, TEXT_RATIO, rgb('#000000'));
    expect(contrast(tone, rgb('#ffffff'))).toBeGreaterThanOrEqual(4.5);
    expect(contrast(tone, rgb('#efeff4'))).toBeGreaterThanOrEqual(4.5);
  });
});

describe('surfaceFor', () => {
  it('darkens a button under white text until the text reads', () => {
    const { surface, text } = surfaceFor(rgb('#5288c1'), rgb('#ffffff'), TEXT_RATIO);
    expect(text).toEqual(rgb('#ffffff'));
    expect(contrast(surface, text)).toBeGreaterThanOrEqual(4.5);
  });
  it('lightens a button under dark text', () => {
    const { surface } = surfaceFor(rgb('#555555'), rgb('#000000'), TEXT_RATIO);
    expect(contrast(surface, rgb('#000000'))).toBeGreaterThanOrEqual(4.5);
  });
});

describe('readableTones', () => {
  it("fixes Telegram's light defaults (hint #8e8e93, destructive #ff3b30, our amber)", () => {
    const tones = expectReadable(LIGHT_THEME_DEFAULTS, false);
    expect(tones['--tone-hint']).not.toBe('#8e8e93');
    // The link colour reads on white already but not on the grey page: it darkens a little.
    expect(contrast(rgb(tones['--tone-link'] as string), rgb('#efeff4'))).toBeGreaterThanOrEqual(4.5);
  });

  it('with hint #999999 on white', () => {
    const tones = expectReadable(
      { ...LIGHT_THEME_DEFAULTS, hint_color: '#999999', subtitle_text_color: '#999999' },
      false,
    );
    expect(contrast(rgb(tones['--tone-hint'] as string), rgb('#ffffff'))).toBeGreaterThanOrEqual(4.5);
  });

  it("Telegram's dark theme", () => {
    const tones = expectReadable(DARK_THEME_PARAMS, true);
    // Light text on a dark page: the hint lightens (toward #f5f5f5), it does not darken.
    const [r] = rgb(tones['--tone-hint'] as string);
    expect(r).toBeGreaterThan(0x70);
  });

  it('an unusual custom theme (sepia, pale hint, pastel button under light text)', () => {
    const tones = expectReadable(SEPIA_THEME_PARAMS, false);
    expect(tones['--tone-button-bg']).not.toBe('#c3a6c0');
    expect(tones['--tone-button-text']).toBe('#fdf6e3');
  });

  it('a theme whose own text colour is too faint still gets readable tones', () => {
    expectReadable({ ...LIGHT_THEME_DEFAULTS, text_color: '#b0b0b0', hint_color: '#d0d0d0' }, false);
  });
});
