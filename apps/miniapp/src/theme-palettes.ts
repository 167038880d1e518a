// Theme palettes as Telegram sends them (themeParams): the defaults the Mini App fills in for anything a theme
// leaves out, and the palettes the tests open it with. Pure data, so unit tests need no browser to load them.

/** Telegram's light palette: used for anything the theme does not give (and outside Telegram). */
export const LIGHT_THEME_DEFAULTS: Record<string, string> = {
  bg_color: '#ffffff',
  secondary_bg_color: '#efeff4',
  section_bg_color: '#ffffff',
  text_color: '#000000',
  hint_color: '#8e8e93',
  link_color: '#2481cc',
  button_color: '#2481cc',
  button_text_color: '#ffffff',
  accent_text_color: '#2481cc',
  destructive_text_color: '#ff3b30',
  section_header_text_color: '#6d6d72',
  subtitle_text_color: '#8e8e93',
  header_bg_color: '#ffffff',
  bottom_bar_bg_color: '#ffffff',
  section_separator_color: '#c8c7cc',
};

/** Telegram's dark palette (as Telegram Desktop / iOS send it). */
export const DARK_THEME_PARAMS: Record<string, string> = {
  bg_color: '#17212b',
  text_color: '#f5f5f5',
  hint_color: '#708499',
  link_color: '#6ab3f3',
  button_color: '#5288c1',
  button_text_color: '#ffffff',
  secondary_bg_color: '#232e3c',
  header_bg_color: '#17212b',
  accent_text_color: '#6ab2f2',
  section_bg_color: '#17212b',
  section_header_text_color: '#6ab3f3',
  subtitle_text_color: '#708499',
  destructive_text_color: '#ec3942',
};

/** A custom theme: warm paper, pale hint and link, a pastel button under near-white text. */
export const SEPIA_THEME_PARAMS: Record<string, string> = {
  bg_color: '#fdf6e3',
  secondary_bg_color: '#eee8d5',
  section_bg_color: '#fdf6e3',
  header_bg_color: '#fdf6e3',
  text_color: '#3b2f1e',
  hint_color: '#c9b99a',
  link_color: '#e3a37f',
  button_color: '#c3a6c0',
  button_text_color: '#fdf6e3',
  accent_text_color: '#e07a5f',
  destructive_text_color: '#ff8080',
  section_header_text_color: '#b5a88a',
  subtitle_text_color: '#c9b99a',
};
