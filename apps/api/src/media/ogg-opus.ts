/** Writing Ogg/Opus (RFC 3533 pages, RFC 7845 headers) from Opus packets; see webm-opus-to-ogg.ts. */
import { WebmOpusError } from './webm-opus-error';

/** The largest packet one Ogg page can hold whole (255 lacing values); an Opus packet is at most 61,440. */
const MAX_PACKET_BYTES = 255 * 255 - 1;
/** Audio bytes after which a page is closed: small pages keep a player's seeking and streaming smooth. */
const PAGE_TARGET_BYTES = 4096;
const VENDOR = 'TiketHet';
/** The Ogg logical stream serial number; a file has one stream, so any fixed value will do. */
const SERIAL = 0x546b4874;

/** 48 kHz samples one Opus packet decodes to, from its TOC byte and frame count (RFC 6716 §3.1). */
export function opusPacketSamples(packet: Uint8Array): number {
  const toc = packet[0];
  if (toc === undefined) throw new WebmOpusError('has an empty Opus packet');
  const config = toc >> 3;
  const frameSamples =
    config < 12
      ? ([480, 960, 1920, 2880][config % 4] as number)
      : config < 16
        ? ([480, 960][config % 2] as number)
        : ([120, 240, 480, 960][config % 4] as number);
  const code = toc & 3;
  let frames = code === 0 ? 1 : 2;
  if (code === 3) {
    const count = packet[1];
    if (count === undefined || (count & 0x3f) === 0)
      throw new WebmOpusError('has an Opus packet without a frame count');
    frames = count & 0x3f;
  }
  const samples = frames * frameSamples;
  if (samples > 5760) throw new WebmOpusError('has an Opus packet longer than 120 ms');
  return samples;
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let r = i << 24;
    for (let j = 0; j < 8; j++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
    table[i] = r >>> 0;
  }
  return table;
})();

/** The Ogg page checksum: CRC-32, polynomial 0x04c11db7, not reflected, initial value and final XOR 0. */
export function oggCrc(bytes: Uint8Array): number {
  let crc = 0;
  for (const b of bytes) crc = ((crc << 8) ^ (CRC_TABLE[((crc >>> 24) ^ b) & 0xff] as number)) >>> 0;
  return crc;
}

const FLAG_BOS = 0x02;
const FLAG_EOS = 0x04;

/** One Ogg page of whole packets (each at most MAX_PACKET_BYTES, together at most 255 lacing values). */
function oggPage(packets: Uint8Array[], granule: bigint, sequence: number, flags: number): Buffer {
  const lacing: number[] = [];
  for (const p of packets) {
    for (let left = p.length; ; left -= 255) {
      lacing.push(Math.min(left, 255));
      if (left < 255) break;
    }
  }
  const header = Buffer.alloc(27 + lacing.length);
  header.write('OggS', 0, 'latin1');
  header[4] = 0;
  header[5] = flags;
  header.writeBigInt64LE(granule, 6);
  header.writeUInt32LE(SERIAL, 14);
  header.writeUInt32LE(sequence, 18);
  header[26] = lacing.length;
  header.set(lacing, 27);
  const page = Buffer.concat([header, ...packets]);
  page.writeUInt32LE(oggCrc(page), 22);
  return page;
}

const lacingValues = (packet: Uint8Array) => Math.floor(packet.length / 255) + 1;

function opusTags(): Buffer {
  const tags = Buffer.alloc(8 + 4 + VENDOR.length + 4);
  tags.write('OpusTags', 0, 'latin1');
  tags.writeUInt32LE(VENDOR.length, 8);
  tags.write(VENDOR, 12, 'latin1');
  return tags;
}

/**
 * An Ogg/Opus file (RFC 7845) of these packets: OpusHead alone on the first page, OpusTags on the second, then
 * the audio in pages of about PAGE_TARGET_BYTES, each page's granule position the 48 kHz sample count at its
 * last packet's end, less `endTrim` samples on the last page.
 */
export function writeOggOpus(opusHead: Uint8Array, packets: Uint8Array[], endTrim: number): Buffer {
  const pages: Buffer[] = [oggPage([opusHead], 0n, 0, FLAG_BOS), oggPage([opusTags()], 0n, 1, 0)];
  let granule = 0;
  let page: Uint8Array[] = [];
  let pageBytes = 0;
  let pageLacing = 0;
  const flush = (last: boolean) => {
    const end = last ? Math.max(0, granule - endTrim) : granule;
    pages.push(oggPage(page, BigInt(end), pages.length, last ? FLAG_EOS : 0));
    page = [];
    pageBytes = 0;
    pageLacing = 0;
  };
  for (const packet of packets) {
    if (packet.length > MAX_PACKET_BYTES) throw new WebmOpusError('has an Opus packet too large to be one');
    const samples = opusPacketSamples(packet);
    if (page.length > 0 && (pageLacing + lacingValues(packet) > 255 || pageBytes >= PAGE_TARGET_BYTES)) {
      flush(false);
    }
    page.push(packet);
    pageBytes += packet.length;
    pageLacing += lacingValues(packet);
    granule += samples;
  }
  flush(true);
  return Buffer.concat(pages);
}
