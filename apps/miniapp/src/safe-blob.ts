/** Raster images the page may show inline; the API serves every other file as application/octet-stream. */
const INLINE_IMAGE_TYPES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);

/**
 * The blob to put behind a blob: URL, which lives at the app's origin: a raster image keeps its type, anything
 * else (HTML, SVG, XML, whatever its sender claimed) becomes application/octet-stream, so no in-app browser can
 * open it as a page next to the user's initData.
 */
export function safeBlob(blob: Blob): Blob {
  const type = (blob.type.split(';')[0] ?? '').trim().toLowerCase();
  if (INLINE_IMAGE_TYPES.has(type)) return blob.type === type ? blob : new Blob([blob], { type });
  return new Blob([blob], { type: 'application/octet-stream' });
}
