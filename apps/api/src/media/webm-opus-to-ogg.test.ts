import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { attachmentKindOf, sniffFile } from '@tikethet/domain';
import fc from 'fast-check';
import { oggCrc, opusPacketSamples, WebmOpusError, webmOpusToOgg } from './webm-opus-to-ogg';

/** 1.2 s recorded by Chromium 156's MediaRecorder (`audio/webm;codecs=opus`, 32 kbps) from its fake microphone. */
const CHROMIUM = readFileSync(join(__dirname, '__fixtures__/chromium-voice.webm'));

interface OggPage {
  flags: number;
  granule: bigint;
  serial: number;
  sequence: number;
  crcOk: boolean;
  packets: Buffer[];
}

/** Reads an Ogg file page by page, checking what RFC 3533 fixes; packets here never span pages. */
function readOgg(bytes: Buffer): OggPage[] {
  const pages: OggPage[] = [];
  let at = 0;
  while (at < bytes.length) {
    expect(bytes.toString('latin1', at, at + 4)).toBe('OggS');
    expect(bytes[at + 4]).toBe(0);
    const count = bytes[at + 26] as number;
    const lacing = [...bytes.subarray(at + 27, at + 27 + count)];
    const size = 27 + count + lacing.reduce((a, b) => a + b, 0);
    const page = Buffer.from(bytes.subarray(at, at + size));
    const crc = page.readUInt32LE(22);
    page.writeUInt32LE(0, 22);
    const packets: Buffer[] = [];
    let start = at + 27 + count;
    let length = 0;
    for (const l of lacing) {
      length += l;
      if (l < 255) {
        packets.push(bytes.subarray(start, start + length));
        start += length;
        length = 0;
      }
    }
    expect(length).toBe(0);
    pages.push({
      flags: bytes[at + 5] as number,
      granule: bytes.readBigInt64LE(at + 6),
      serial: bytes.readUInt32LE(at + 14),
      sequence: bytes.readUInt32LE(at + 18),
      crcOk: oggCrc(page) === crc,
      packets,
    });
    at += size;
  }
  expect(at).toBe(bytes.length);
  return pages;
}

/** Checks an Ogg/Opus file as RFC 7845 lays it out and returns its audio packets and pages. */
function checkOggOpus(ogg: Buffer) {
  const pages = readOgg(ogg);
  expect(pages.length).toBeGreaterThanOrEqual(3);
  expect(pages.every((p) => p.crcOk)).toBe(true);
  expect(pages.map((p) => p.sequence)).toEqual(pages.map((_, i) => i));
  expect(new Set(pages.map((p) => p.serial)).size).toBe(1);
  expect(pages.map((p) => p.flags)).toEqual([2, ...Array(pages.length - 2).fill(0), 4]);
  const [head, tags, ...audio] = pages as [OggPage, OggPage, ...OggPage[]];
  expect(head.packets).toHaveLength(1);
  expect(head.granule).toBe(0n);
  expect(head.packets[0]?.toString('latin1', 0, 8)).toBe('OpusHead');
  expect(tags.packets).toHaveLength(1);
  expect(tags.granule).toBe(0n);
  expect(tags.packets[0]?.toString('latin1', 0, 8)).toBe('OpusTags');
  const packets = audio.flatMap((p) => p.packets);
  let samples = 0n;
  for (const page of audio) {
    samples += BigInt(page.packets.reduce((n, p) => n + opusPacketSamples(p), 0));
    expect(page.granule).toBeLessThanOrEqual(samples);
    if (page !== audio.at(-1)) expect(page.granule).toBe(samples);
  }
  const granules = audio.map((p) => p.granule);
  expect([...granules].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(granules);
  return { opusHead: head.packets[0] as Buffer, packets, pages, samples };
}

// A tiny EBML writer, to build WebM files the recorders of today do not write (laced blocks, no OpusHead).
function vint(n: number): Buffer {
  for (let length = 1; length <= 8; length++) {
    if (n < 2 ** (7 * length) - 1) {
      const out = Buffer.alloc(length);
      let v = n;
      for (let i = length - 1; i >= 0; i--) {
        out[i] = v % 256;
        v = Math.floor(v / 256);
      }
      out[0] = (out[0] as number) | (0x80 >> (length - 1));
      return out;
    }
  }
  throw new Error('too large');
}
function el(id: number, ...children: Array<Buffer | string | number>): Buffer {
  const body = Buffer.concat(
    children.map((c) =>
      typeof c === 'string' ? Buffer.from(c, 'latin1') : typeof c === 'number' ? Buffer.from([c]) : c,
    ),
  );
  return Buffer.concat([Buffer.from(id.toString(16), 'hex'), vint(body.length), body]);
}
const UNKNOWN_SIZE = Buffer.from('01ffffffffffffff', 'hex');
const ebmlHeader = (docType = 'webm') => el(0x1a45dfa3, el(0x4282, docType));
/** A CELT packet of 20 ms (config 31, one frame) with `size - 1` payload bytes. */
const celt20 = (size: number, fill: number) =>
  Buffer.concat([Buffer.from([0xf8]), Buffer.alloc(size - 1, fill)]);
const block = (track: number, flags: number, ...rest: Buffer[]) =>
  el(0xa3, vint(track), Buffer.from([0, 0, flags]), ...rest);

describe('webmOpusToOgg', () => {
  it('moves a Chromium recording into Ogg/Opus packet for packet, with its OpusHead, granules and CRCs', () => {
    expect(CHROMIUM.toString('latin1').includes('A_OPUS')).toBe(true);
    const ogg = webmOpusToOgg(CHROMIUM);
    const { opusHead, packets, samples, pages } = checkOggOpus(ogg);
    // The OpusHead is Chromium's CodecPrivate, byte for byte: mono, 48 kHz input.
    const privateAt = CHROMIUM.indexOf('OpusHead');
    expect(opusHead.equals(CHROMIUM.subarray(privateAt, privateAt + 19))).toBe(true);
    expect(opusHead[9]).toBe(1);
    expect(opusHead.readUInt32LE(12)).toBe(48_000);
    // Every packet is one of the recording's frames, in order, unchanged: nothing was re-encoded.
    let from = 0;
    for (const p of packets) {
      const at = CHROMIUM.indexOf(p, from);
      expect(at).toBeGreaterThan(from);
      from = at + p.length;
    }
    expect(packets.length).toBeGreaterThan(15);
    // 1.2 s asked of the recorder; it stops on a frame boundary a little after.
    expect(Number(samples) / 48_000).toBeGreaterThanOrEqual(1.2);
    expect(Number(samples) / 48_000).toBeLessThan(2);
    expect(pages.at(-1)?.granule).toBe(samples);
    // What the API then reads from the bytes: an Ogg/Opus voice note.
    const sniffed = sniffFile(ogg);
    expect(sniffed.mimeType).toBe('audio/ogg; codecs=opus');
    expect(attachmentKindOf(sniffed)).toBe('voice');
  });

  it('splits Xiph, EBML and fixed-size laced blocks into their packets and keeps long packets whole', () => {
    const a = celt20(300, 1); // more than 255 bytes: lacing 255, 45
    const b = celt20(255, 2); // exactly 255: lacing 255, 0
    const c = celt20(10, 3);
    const d = celt20(12, 4);
    const xiph = block(1, 0x82, Buffer.from([2, 255, 45, 255, 0]), a, b, c);
    // EBML lacing: first size 12, then 10 - 12 = -2 as a 1-byte signed vint (bias 63).
    const ebml = block(1, 0x86, Buffer.from([2]), vint(12), Buffer.from([0x80 | (63 - 2)]), d, c, d);
    const fixed = block(1, 0x84, Buffer.from([1]), c, c);
    const plain = block(2, 0x80, celt20(20, 9)); // another track's block is left out
    const webm = Buffer.concat([
      ebmlHeader(),
      el(
        0x18538067,
        el(
          0x1654ae6b,
          el(0xae, el(0xd7, 2), el(0x83, 1), el(0x86, 'V_VP8')),
          el(0xae, el(0xd7, 1), el(0x83, 2), el(0x86, 'A_OPUS'), el(0x56aa, Buffer.from('6422c0', 'hex'))),
        ),
        el(0x1f43b675, el(0xe7, 0), plain, xiph, ebml, fixed),
      ),
    ]);
    const { opusHead, packets, samples } = checkOggOpus(webmOpusToOgg(webm));
    expect(packets.map((p) => p.length)).toEqual([300, 255, 10, 12, 10, 12, 10, 10]);
    expect(packets[0]?.equals(a) && packets[1]?.equals(b) && packets[3]?.equals(d)).toBe(true);
    expect(samples).toBe(8n * 960n);
    // No CodecPrivate: an OpusHead is built, its pre-skip from CodecDelay (6,562,500 ns = 315 samples).
    expect(opusHead.length).toBe(19);
    expect(opusHead[9]).toBe(1);
    expect(opusHead.readUInt16LE(10)).toBe(315);
  });

  it('reads unknown-size Segment and Clusters, BlockGroups, and trims the end by DiscardPadding', () => {
    const head = Buffer.concat([
      Buffer.from('OpusHead', 'latin1'),
      Buffer.from([1, 2, 0x38, 1]),
      Buffer.alloc(7),
    ]);
    head.writeUInt32LE(48_000, 12);
    const frames = Array.from({ length: 300 }, (_, i) => celt20(40, i % 256));
    const tracks = el(0x1654ae6b, el(0xae, el(0xd7, 1), el(0x83, 2), el(0x86, 'A_OPUS'), el(0x63a2, head)));
    const cluster = (from: number, to: number) =>
      Buffer.concat([
        Buffer.from('1f43b675', 'hex'),
        UNKNOWN_SIZE,
        el(0xe7, 0),
        ...frames.slice(from, to).map((f) => block(1, 0x80, f)),
      ]);
    const last = celt20(40, 7);
    const webm = Buffer.concat([
      ebmlHeader(),
      Buffer.from('18538067', 'hex'),
      UNKNOWN_SIZE,
      el(0x1549a966, el(0x2ad7b1, Buffer.from('0f4240', 'hex'))),
      tracks,
      cluster(0, 150),
      cluster(150, 300),
      // 10 ms of padding: 480 samples off the end.
      el(0xa0, el(0xa1, vint(1), Buffer.from([0, 0, 0]), last), el(0x75a2, Buffer.from('00989680', 'hex'))),
      el(0x1c53bb6b, el(0xbb, el(0xb3, 0))),
    ]);
    const { opusHead, packets, samples, pages } = checkOggOpus(webmOpusToOgg(webm));
    expect(opusHead.equals(head)).toBe(true);
    expect(packets).toHaveLength(301);
    expect(samples).toBe(301n * 960n);
    expect(pages.at(-1)?.granule).toBe(301n * 960n - 480n);
    // 12 KB of audio spread over pages of about 4 KB.
    expect(pages.length).toBeGreaterThan(4);
  });

  it('says what is wrong with a file that is not WebM/Opus', () => {
    const cases: Array<[Buffer, RegExp]> = [
      [Buffer.from('OggS and then some'), /is not WebM \(no EBML header\)/],
      [Buffer.alloc(0), /ends inside the EBML header/],
      [ebmlHeader('mkv3d'), /document type "mkv3d"/],
      [CHROMIUM.subarray(0, CHROMIUM.length - 5), /ends inside/],
      [CHROMIUM.subarray(0, 0x92), /no audio/],
      [
        Buffer.concat([
          ebmlHeader(),
          el(0x18538067, el(0x1654ae6b, el(0xae, el(0xd7, 1), el(0x83, 2), el(0x86, 'A_VORBIS')))),
          el(0x1f43b675, block(1, 0x80, celt20(10, 1))),
        ]),
        /no Opus audio track/,
      ],
      [
        Buffer.concat([
          ebmlHeader(),
          el(
            0x18538067,
            el(0x1654ae6b, el(0xae, el(0xd7, 1), el(0x83, 2), el(0x86, 'A_OPUS'), el(0x63a2, 'x'))),
          ),
          el(0x1f43b675, block(1, 0x80, celt20(10, 1))),
        ]),
        /CodecPrivate is not an OpusHead/,
      ],
      [
        Buffer.concat([
          ebmlHeader(),
          el(0x18538067, el(0x1654ae6b, el(0xae, el(0xd7, 1), el(0x83, 2), el(0x86, 'A_OPUS')))),
          el(0x1f43b675, block(1, 0x80, Buffer.from([0xfb, 0]))),
        ]),
        /Opus packet without a frame count/,
      ],
    ];
    for (const [bytes, message] of cases) {
      expect(() => webmOpusToOgg(bytes)).toThrow(WebmOpusError);
      expect(() => webmOpusToOgg(bytes)).toThrow(message);
    }
  });

  it('answers any damaged recording with a WebmOpusError or a valid Ogg/Opus file, never anything else', () => {
    fc.assert(
      fc.property(
        fc.nat(CHROMIUM.length - 1),
        fc.array(fc.tuple(fc.nat(CHROMIUM.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
        (cut, flips) => {
          const bytes = Buffer.from(CHROMIUM.subarray(0, Math.max(cut, 1)));
          for (const [at, value] of flips) if (at < bytes.length) bytes[at] = value;
          let ogg: Buffer;
          try {
            ogg = webmOpusToOgg(bytes);
          } catch (error) {
            expect(error).toBeInstanceOf(WebmOpusError);
            return;
          }
          checkOggOpus(ogg);
        },
      ),
      { numRuns: 300, seed: 15 },
    );
  });
});

describe('opusPacketSamples', () => {
  it('reads SILK, hybrid and CELT frame sizes and the frame count codes', () => {
    expect(opusPacketSamples(Buffer.from([0 << 3]))).toBe(480); // SILK 10 ms
    expect(opusPacketSamples(Buffer.from([(3 << 3) | 1]))).toBe(2 * 2880); // SILK 60 ms, two frames
    expect(opusPacketSamples(Buffer.from([13 << 3]))).toBe(960); // hybrid 20 ms
    expect(opusPacketSamples(Buffer.from([16 << 3]))).toBe(120); // CELT 2.5 ms
    expect(opusPacketSamples(Buffer.from([(31 << 3) | 3, 6]))).toBe(6 * 960); // CELT 20 ms, six frames
    expect(() => opusPacketSamples(Buffer.from([(31 << 3) | 3, 7]))).toThrow(/longer than 120 ms/);
  });
});
