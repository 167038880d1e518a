import { api } from '../../api';
import type { CannedReply } from '../../types';

let cached: Promise<CannedReply[]> | null = null;

/** Canned replies, read once per session (the admin screen resets it after edits). */
export function loadCanned(): Promise<CannedReply[]> {
  if (!cached) {
    cached = api.cannedReplies().catch((e) => {
      cached = null;
      throw e;
    });
  }
  return cached;
}

export function resetCanned(): void {
  cached = null;
}

export function filterCanned(list: CannedReply[], query: string): CannedReply[] {
  const q = query.toLowerCase();
  return list
    .filter((c) => c.shortcut.toLowerCase().startsWith(q) || c.title.toLowerCase().includes(q))
    .slice(0, 8);
}
