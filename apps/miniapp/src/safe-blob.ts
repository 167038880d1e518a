/** Raster images the page may show inline; the API serves every other file as application/octet-stream. */
const INLINE_IMAGE_TYPES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);

/**
 * The blob to put behind a blob: URL, which lives at the app's origin: a raster image keeps its type, anything
 * else (HTML, SVG, XML, whatever its sender claimed) becomes application/octet-stream, so no in-app browser can
 * open it as a page next to the user's initData. An audio or video file to play (`playAs`) gets that type.
 */
export function safeBlob(blob: Blob, playAs?: string): Blob {
  // A player's file (the API serves it as octet-stream): an audio or video type, which no browser renders as
  // a page, and nothing else.
  if (playAs && /^(audio|video)\/[a-z0-9.+-]+$/.test(playAs)) return new Blob([blob], { type: playAs });
  const type = (blob.type.split(';')[0] ?? '').trim().toLowerCase();
  if (INLINE_IMAGE_TYPES.has(type)) return blob.type === type ? blob : new Blob([blob], { type });
  return new Blob([blob], { type: 'application/octet-stream' });
}
