import { addFiles, MAX_FILE_MB, MAX_FILES, releaseFiles } from './ComposerFiles';

const file = (name: string, size: number, type = 'application/pdf') =>
  new File([new Uint8Array(size)], name, { type });

describe('files picked in the composer', () => {
  const created: string[] = [];
  const revoked: string[] = [];
  beforeAll(() => {
    URL.createObjectURL = () => {
      created.push(`blob:${created.length}`);
      return created.at(-1) as string;
    };
    URL.revokeObjectURL = (url: string) => {
      revoked.push(url);
    };
  });

  it('keeps at most ten and says so; images get a preview, other files none', () => {
    const first = addFiles([], [file('shot.png', 10, 'image/png'), file('a.pdf', 10)]);
    expect(first.refused).toBeUndefined();
    expect(first.files.map((f) => [f.file.name, f.preview !== null])).toEqual([
      ['shot.png', true],
      ['a.pdf', false],
    ]);
    const many = addFiles(
      first.files,
      Array.from({ length: 12 }, (_, i) => file(`f${i}.pdf`, 1)),
    );
    expect(many.files).toHaveLength(MAX_FILES);
    expect(many.refused).toMatch(/10/);
    releaseFiles(many.files);
    expect(revoked).toEqual(created);
  });

  it('gives a recording or other audio file a preview to listen to', () => {
    const { files } = addFiles(
      [],
      [file('voice-1.webm', 10, 'audio/webm'), file('notes.txt', 3, 'text/plain')],
    );
    expect(files.map((f) => [f.file.name, f.preview !== null])).toEqual([
      ['voice-1.webm', true],
      ['notes.txt', false],
    ]);
    releaseFiles(files);
  });

  it('refuses a file over the size limit by name and keeps the others', () => {
    const big = { ...file('huge.iso', 1), size: MAX_FILE_MB * 1024 * 1024 + 1, name: 'huge.iso' } as File;
    const result = addFiles([], [big, file('ok.pdf', 5)]);
    expect(result.files.map((f) => f.file.name)).toEqual(['ok.pdf']);
    expect(result.refused).toContain('huge.iso');
  });
});
