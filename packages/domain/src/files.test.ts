import { attachmentKindOf, cleanMimeType, isWebmVoiceRecording, oggNameOf, sniffFile } from './files';

const png = (w: number, h: number) => {
  const b = Buffer.alloc(33);
  Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex').copy(b);
  b.writeUInt32BE(w, 16);
  b.writeUInt32BE(h, 20);
  return b;
};
/** SOI, an APP0 segment of 16 bytes, then SOF0 with height 480 and width 640. */
const jpeg = Buffer.concat([
  Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]),
  Buffer.alloc(14),
  Buffer.from([0xff, 0xc0, 0x00, 0x11, 0x08, 0x01, 0xe0, 0x02, 0x80, 0x03]),
]);
const gif = Buffer.from([...Buffer.from('GIF89a'), 0x40, 0x01, 0xf0, 0x00]);
const ogg = (codec: string) => {
  const b = Buffer.alloc(40);
  b.write('OggS', 0);
  b.write(codec, 28);
  return b;
};
const ftyp = (brand: string) => Buffer.from(`\0\0\0\x18ftyp${brand}`, 'latin1');

it.each([
  ['PNG', png(1200, 800), { mimeType: 'image/png', width: 1200, height: 800 }, 'photo'],
  ['JPEG', jpeg, { mimeType: 'image/jpeg', width: 640, height: 480 }, 'photo'],
  ['GIF', gif, { mimeType: 'image/gif', width: 320, height: 240 }, 'animation'],
  ['OGG/Opus', ogg('OpusHead'), { mimeType: 'audio/ogg; codecs=opus' }, 'voice'],
  ['OGG/Vorbis', ogg('\x01vorbis\0'), { mimeType: 'audio/ogg' }, 'document'],
  ['MP4', ftyp('isom'), { mimeType: 'video/mp4' }, 'video'],
  ['M4A', ftyp('M4A '), { mimeType: 'audio/mp4' }, 'audio'],
  ['MP3', Buffer.from('ID3\x04\0\0', 'latin1'), { mimeType: 'audio/mpeg' }, 'audio'],
  ['PDF', Buffer.from('%PDF-1.7\n'), { mimeType: 'application/pdf' }, 'document'],
  ['SVG (text)', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'), {}, 'document'],
  ['nothing', Buffer.alloc(0), {}, 'document'],
])('%s is recognised by its bytes and sent as its kind', (_name, bytes, sniffed, kind) => {
  expect(sniffFile(bytes)).toEqual(sniffed);
  expect(attachmentKindOf(sniffFile(bytes))).toBe(kind);
});

it('a declared MIME type is kept only as a bounded type/subtype', () => {
  expect(cleanMimeType(' Application/PDF; charset=x')).toBe('application/pdf');
  expect(cleanMimeType('text/html<script>')).toBeUndefined();
  expect(cleanMimeType(undefined)).toBeUndefined();
});

it('takes only the Mini App’s WebM recordings, by name, as voice notes to remux; the Ogg name keeps the rest', () => {
  expect(isWebmVoiceRecording('voice-2026-12-04T20-30-00-000Z.webm')).toBe(true);
  expect(isWebmVoiceRecording('VOICE-1.WEBM')).toBe(true);
  expect(isWebmVoiceRecording('voice-1.ogg')).toBe(false);
  expect(isWebmVoiceRecording('holiday.webm')).toBe(false);
  expect(isWebmVoiceRecording('my voice-1.webm')).toBe(false);
  expect(oggNameOf('voice-2026-12-04T20-30-00-000Z.webm')).toBe('voice-2026-12-04T20-30-00-000Z.ogg');
  expect(oggNameOf('VOICE-1.WEBM')).toBe('VOICE-1.ogg');
});
