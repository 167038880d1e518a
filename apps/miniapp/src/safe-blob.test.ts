import { safeBlob } from './safe-blob';

/** A file's MIME type is its sender's choice: a blob URL at the app's origin must never render as a page. */
describe('safeBlob', () => {
  it.each([
    'text/html',
    'text/html; charset=utf-8',
    'image/svg+xml',
    'application/xhtml+xml',
    'text/xml',
    'application/pdf',
    'text/plain',
    '',
  ])('makes %j an application/octet-stream blob with the same bytes', async (type) => {
    const blob = new Blob(['<script>alert(1)</script>'], { type });
    const safe = safeBlob(blob);
    expect(safe.type).toBe('application/octet-stream');
    expect(await safe.text()).toBe('<script>alert(1)</script>');
  });

  it.each(['image/jpeg', 'image/png', 'image/gif', 'image/webp', 'IMAGE/PNG'])(
    'keeps the raster image type %s',
    (type) => {
      expect(safeBlob(new Blob(['x'], { type })).type).toBe(type.toLowerCase());
    },
  );

  it('gives a player its audio or video type, and never a type of another sort', async () => {
    const bytes = new Blob(['OggS'], { type: 'application/octet-stream' });
    expect(safeBlob(bytes, 'audio/ogg').type).toBe('audio/ogg');
    expect(safeBlob(bytes, 'video/mp4').type).toBe('video/mp4');
    expect(await safeBlob(bytes, 'audio/ogg').text()).toBe('OggS');
    expect(safeBlob(bytes, 'text/html').type).toBe('application/octet-stream');
    expect(safeBlob(bytes, 'image/svg+xml').type).toBe('application/octet-stream');
  });
});
