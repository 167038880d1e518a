import type { BusMessage } from '@tikethet/domain';

/**
 * How many shard channels ticket messages are spread over on Redis Cluster. Fixed: every process must agree,
 * and 16 channels spread over any number of masters up to 16 (their slots land 6/6/4 on three masters).
 */
export const BUS_SHARDS = 16;

/** Role changes (every subscriber needs them) travel on one sharded channel of their own. */
export const CONTROL_CHANNEL = 'tikethet:ctl';

export function shardOf(ticketId: number): number {
  return ticketId % BUS_SHARDS;
}

/** `tikethet:ev:{n}`: the braces make the channel's hash slot that of `n` alone. */
export function shardChannel(shard: number): string {
  return `tikethet:ev:{${shard}}`;
}

export const ALL_SHARD_CHANNELS: readonly string[] = Array.from({ length: BUS_SHARDS }, (_, n) =>
  shardChannel(n),
);

/** The channel a message travels on: its ticket's shard, or the control channel. */
export function channelOf(message: BusMessage): string {
  switch (message.kind) {
    case 'event':
      return shardChannel(shardOf(message.event.ticketId));
    case 'role_changed':
      return CONTROL_CHANNEL;
    default:
      return shardChannel(shardOf(message.ticketId));
  }
}

/** CRC16/XMODEM, the checksum Redis Cluster maps keys to slots with. */
function crc16(bytes: Uint8Array): number {
  let crc = 0;
  for (const byte of bytes) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit++)
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

/** The hash slot of a key or shard channel: only the part inside the first non-empty `{…}` counts. */
export function hashSlot(key: string): number {
  const open = key.indexOf('{');
  const close = open >= 0 ? key.indexOf('}', open + 1) : -1;
  const hashed = close > open + 1 ? key.slice(open + 1, close) : key;
  return crc16(Buffer.from(hashed, 'utf8')) % 16384;
}
