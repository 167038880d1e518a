/** The last seq a person saw per ticket (this device), for the unread dot. */
const KEY = 'tikethet.seen';

function read(): Record<string, number> {
  try {
    return JSON.parse(localStorage.getItem(KEY) ?? '{}') as Record<string, number>;
  } catch {
    return {};
  }
}

export function markSeen(ticketId: number, seq: number): void {
  const all = read();
  if ((all[ticketId] ?? -1) >= seq) return;
  all[ticketId] = seq;
  try {
    localStorage.setItem(KEY, JSON.stringify(all));
  } catch {
    // storage full or unavailable: the dot just stays
  }
}

export function seenSeq(ticketId: number): number | undefined {
  return read()[ticketId];
}
