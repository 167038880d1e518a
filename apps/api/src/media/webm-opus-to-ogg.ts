/**
 * WebM/Opus → Ogg/Opus without re-encoding (docs/ARCHITECTURE.md §6a, "Voice notes").
 *
 * Chromium's MediaRecorder writes a voice note as WebM (Matroska) with one Opus track; Telegram takes a voice
 * message only as Ogg/Opus. The Opus packets are the same in both containers, so this moves them: it reads
 * the EBML elements, takes the Opus track's OpusHead (CodecPrivate) and its frames (SimpleBlock, or Block in
 * a BlockGroup, with any lacing), and writes Ogg pages (RFC 3533) as RFC 7845 lays out Ogg/Opus: OpusHead
 * alone on the first page, OpusTags on the second, then the audio with each page's granule position the
 * 48 kHz sample count at its last packet's end (read from each packet's TOC byte, RFC 6716 §3.1), and the
 * page CRC. Works on a whole file in memory: callers bound its size.
 */

import { writeOggOpus } from './ogg-opus';
import { WebmOpusError } from './webm-opus-error';

export { oggCrc, opusPacketSamples } from './ogg-opus';
export { WebmOpusError } from './webm-opus-error';

const ID = {
  EBML: 0x1a45dfa3,
  DocType: 0x4282,
  Segment: 0x18538067,
  Tracks: 0x1654ae6b,
  TrackEntry: 0xae,
  TrackNumber: 0xd7,
  TrackType: 0x83,
  CodecID: 0x86,
  CodecPrivate: 0x63a2,
  CodecDelay: 0x56aa,
  Audio: 0xe1,
  Channels: 0x9f,
  Cluster: 0x1f43b675,
  SimpleBlock: 0xa3,
  BlockGroup: 0xa0,
  Block: 0xa1,
  DiscardPadding: 0x75a2,
} as const;

/** Elements whose children are read in place (the rest are skipped by size). */
const CONTAINERS = new Set<number>([
  ID.Segment,
  ID.Tracks,
  ID.TrackEntry,
  ID.Audio,
  ID.Cluster,
  ID.BlockGroup,
]);
/** Elements a recorder may leave with an unknown size (written before their end is known). */
const MAY_BE_UNSIZED = new Set<number>([ID.Segment, ID.Cluster]);
const TRACK_TYPE_AUDIO = 2;

interface Vint {
  value: number;
  length: number;
  unknown: boolean;
}

/** An EBML variable-length integer at `at`: an element size (marker bit dropped) or, with `keepMarker`, an ID. */
function readVint(bytes: Uint8Array, at: number, keepMarker: boolean, what: string): Vint {
  const first = bytes[at];
  if (first === undefined) throw new WebmOpusError(`ends inside ${what}`);
  let length = 1;
  while (length <= 8 && (first & (0x80 >> (length - 1))) === 0) length++;
  if (length > (keepMarker ? 4 : 8)) throw new WebmOpusError(`has an invalid ${what} at byte ${at}`);
  if (at + length > bytes.length) throw new WebmOpusError(`ends inside ${what}`);
  let value = keepMarker ? first : first & (0xff >> length);
  let allOnes = value === 0xff >> length;
  for (let i = 1; i < length; i++) {
    const b = bytes[at + i] as number;
    if (b !== 0xff) allOnes = false;
    value = value * 256 + b;
  }
  return { value, length, unknown: !keepMarker && allOnes };
}

function readUint(bytes: Uint8Array, what: string): number {
  if (bytes.length > 6) throw new WebmOpusError(`has a ${what} too large to read`);
  let value = 0;
  for (const b of bytes) value = value * 256 + b;
  return value;
}

function readSint(bytes: Uint8Array): number {
  if (bytes.length === 0) return 0;
  const unsigned = readUint(bytes, 'number');
  const top = 2 ** (8 * bytes.length);
  return unsigned >= top / 2 ? unsigned - top : unsigned;
}

/** A short string element (DocType, CodecID, a magic): its first 64 bytes as Latin-1, trailing NULs dropped. */
const text = (bytes: Uint8Array) =>
  Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, 64))
    .toString('latin1')
    .replace(/\0+$/, '');

interface Track {
  number?: number;
  type?: number;
  codec?: string;
  codecPrivate?: Uint8Array;
  codecDelayNs?: number;
  channels?: number;
}

interface Demuxed {
  opusHead: Uint8Array;
  packets: Uint8Array[];
  /** Samples (48 kHz) to drop from the end, from the last block's DiscardPadding. */
  endTrim: number;
}

/** The frames of a block's payload (after track number, timecode and flags), split by its lacing. */
function framesOf(payload: Uint8Array, lacing: number): Uint8Array[] {
  if (lacing === 0) return [payload];
  if (payload.length === 0) throw new WebmOpusError('has a laced block without a frame count');
  const count = (payload[0] as number) + 1;
  let at = 1;
  const sizes: number[] = [];
  if (lacing === 1) {
    // Xiph lacing: each size but the last as a run of 255s and a final byte below 255.
    for (let i = 0; i < count - 1; i++) {
      let size = 0;
      let b: number;
      do {
        b = payload[at++] ?? -1;
        if (b < 0) throw new WebmOpusError('ends inside a block’s lacing');
        size += b;
      } while (b === 255);
      sizes.push(size);
    }
  } else if (lacing === 3) {
    // EBML lacing: the first size as a vint, the others as signed differences from the one before.
    const first = readVint(payload, at, false, 'a block’s lacing');
    at += first.length;
    sizes.push(first.value);
    for (let i = 1; i < count - 1; i++) {
      const diff = readVint(payload, at, false, 'a block’s lacing');
      at += diff.length;
      const bias = 2 ** (7 * diff.length - 1) - 1;
      sizes.push((sizes[i - 1] as number) + diff.value - bias);
    }
  } else {
    // Fixed-size lacing: the rest divided evenly.
    const rest = payload.length - at;
    if (rest % count !== 0) throw new WebmOpusError('has a fixed-size laced block that does not divide');
    for (let i = 0; i < count - 1; i++) sizes.push(rest / count);
  }
  const known = sizes.reduce((a, b) => a + b, 0);
  if (sizes.some((s) => s < 0) || at + known > payload.length) {
    throw new WebmOpusError('has a block whose lacing is longer than the block');
  }
  sizes.push(payload.length - at - known);
  const frames: Uint8Array[] = [];
  for (const size of sizes) {
    frames.push(payload.subarray(at, at + size));
    at += size;
  }
  return frames;
}

/** Reads the EBML tree in one pass: the Opus track and its packets in file order. */
function demux(bytes: Uint8Array): Demuxed {
  const header = readVint(bytes, 0, true, 'the EBML header');
  if (header.value !== ID.EBML) throw new WebmOpusError('is not WebM (no EBML header)');
  const headerSize = readVint(bytes, header.length, false, 'the EBML header');
  const headerEnd = header.length + headerSize.length + headerSize.value;
  if (headerSize.unknown || headerEnd > bytes.length) throw new WebmOpusError('ends inside the EBML header');
  let docType = '';
  for (let at = header.length + headerSize.length; at < headerEnd; ) {
    const id = readVint(bytes, at, true, 'an element ID');
    const size = readVint(bytes, at + id.length, false, 'an element size');
    const start = at + id.length + size.length;
    if (size.unknown || start + size.value > headerEnd) throw new WebmOpusError('has a broken EBML header');
    if (id.value === ID.DocType) docType = text(bytes.subarray(start, start + size.value));
    at = start + size.value;
  }
  if (docType !== 'webm' && docType !== 'matroska') {
    throw new WebmOpusError(`is not WebM (document type "${docType}")`);
  }

  const tracks: Track[] = [];
  let opus: Track | undefined;
  const packets: Uint8Array[] = [];
  let endTrim = 0;
  let lastBlockWasOurs = false;
  const opusTrack = (): Track => {
    if (opus) return opus;
    opus = tracks.find((t) => t.type === TRACK_TYPE_AUDIO && t.codec === 'A_OPUS' && t.number !== undefined);
    if (!opus) throw new WebmOpusError('has no Opus audio track');
    return opus;
  };

  for (let at = headerEnd; at < bytes.length; ) {
    const id = readVint(bytes, at, true, 'an element ID');
    const size = readVint(bytes, at + id.length, false, 'an element size');
    const start = at + id.length + size.length;
    if (CONTAINERS.has(id.value)) {
      if (size.unknown && !MAY_BE_UNSIZED.has(id.value)) {
        throw new WebmOpusError(`has an element 0x${id.value.toString(16)} of unknown size`);
      }
      if (id.value === ID.TrackEntry) tracks.push({});
      at = start;
      continue;
    }
    if (size.unknown) throw new WebmOpusError(`has an element 0x${id.value.toString(16)} of unknown size`);
    const end = start + size.value;
    if (end > bytes.length) throw new WebmOpusError(`ends inside an element 0x${id.value.toString(16)}`);
    const data = bytes.subarray(start, end);
    const track = tracks.at(-1);
    switch (id.value) {
      case ID.TrackNumber:
        if (track) track.number = readUint(data, 'track number');
        break;
      case ID.TrackType:
        if (track) track.type = readUint(data, 'track type');
        break;
      case ID.CodecID:
        if (track) track.codec = text(data);
        break;
      case ID.CodecPrivate:
        if (track) track.codecPrivate = data;
        break;
      case ID.CodecDelay:
        if (track) track.codecDelayNs = readUint(data, 'codec delay');
        break;
      case ID.Channels:
        if (track) track.channels = readUint(data, 'channel count');
        break;
      case ID.SimpleBlock:
      case ID.Block: {
        const number = readVint(data, 0, false, 'a block’s track number');
        if (data.length < number.length + 3) throw new WebmOpusError('has a block shorter than its header');
        lastBlockWasOurs = number.value === opusTrack().number;
        if (!lastBlockWasOurs) break;
        const flags = data[number.length + 2] as number;
        for (const frame of framesOf(data.subarray(number.length + 3), (flags >> 1) & 3)) packets.push(frame);
        endTrim = 0;
        break;
      }
      case ID.DiscardPadding:
        // Nanoseconds of the block's end that are padding: trimmed by the last page's granule position.
        if (lastBlockWasOurs) endTrim = Math.max(0, Math.round((readSint(data) * 48_000) / 1e9));
        break;
    }
    at = end;
  }

  const track = opusTrack();
  if (packets.length === 0) throw new WebmOpusError('has no audio in its Opus track');
  return { opusHead: opusHeadOf(track), packets, endTrim };
}

/** The track's OpusHead (RFC 7845 §5.1) as given in CodecPrivate, or built from its channels and delay. */
function opusHeadOf(track: Track): Uint8Array {
  const given = track.codecPrivate;
  if (given && given.length > 0) {
    if (given.length < 19 || text(given.subarray(0, 8)) !== 'OpusHead') {
      throw new WebmOpusError('has an Opus track whose CodecPrivate is not an OpusHead');
    }
    const version = given[8] as number;
    const channels = given[9] as number;
    const family = given[18] as number;
    if (version >> 4 !== 0 || channels === 0 || (family !== 0 && given.length < 21 + channels)) {
      throw new WebmOpusError('has an OpusHead this version cannot carry');
    }
    return given;
  }
  const channels = track.channels ?? 1;
  if (channels < 1 || channels > 2)
    throw new WebmOpusError('has an Opus track of more than 2 channels without an OpusHead');
  const head = Buffer.alloc(19);
  head.write('OpusHead', 0, 'latin1');
  head[8] = 1;
  head[9] = channels;
  head.writeUInt16LE(Math.round(((track.codecDelayNs ?? 0) * 48_000) / 1e9), 10);
  head.writeUInt32LE(48_000, 12);
  return head;
}

/** Remuxes a WebM/Opus file's bytes into an Ogg/Opus file; a file that is not one throws WebmOpusError. */
export function webmOpusToOgg(webm: Uint8Array): Buffer {
  const { opusHead, packets, endTrim } = demux(webm);
  return writeOggOpus(opusHead, packets, endTrim);
}
