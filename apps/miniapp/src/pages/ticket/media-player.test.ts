import { playableTypeOf, presentationOf } from './media-player';

describe('how the thread shows a file', () => {
  it.each([
    ['photo', 'image'],
    ['voice', 'audio'],
    ['audio', 'audio'],
    ['video', 'video'],
    ['video_note', 'video'],
    ['animation', 'video'],
    ['document', 'file'],
    ['sticker', 'file'],
    ['file', 'file'],
  ] as const)('%s → %s', (kind, shown) => {
    expect(presentationOf({ kind })).toBe(shown);
  });

  it('plays a file as its stored type when that is of its kind, else as the kind’s usual type', () => {
    expect(playableTypeOf({ kind: 'voice', mimeType: 'audio/ogg; codecs=opus' })).toBe('audio/ogg');
    expect(playableTypeOf({ kind: 'audio', mimeType: 'audio/mpeg' })).toBe('audio/mpeg');
    expect(playableTypeOf({ kind: 'video', mimeType: 'video/mp4' })).toBe('video/mp4');
    // A claimed type of another sort never makes a player's blob a page.
    expect(playableTypeOf({ kind: 'video', mimeType: 'text/html' })).toBe('video/mp4');
    expect(playableTypeOf({ kind: 'voice', mimeType: null })).toBe('audio/ogg');
    expect(playableTypeOf({ kind: 'photo', mimeType: 'image/png' })).toBeUndefined();
    expect(playableTypeOf({ kind: 'document', mimeType: 'audio/ogg' })).toBeUndefined();
  });
});
