import { TelegramError } from 'telegraf';

export type SendFailure =
  | { kind: 'rate_limited'; retryAfterMs: number }
  | { kind: 'transient'; message: string }
  | { kind: 'permanent'; message: string };

/** 429 -> wait retry_after; 5xx and network errors -> retry with backoff; any other API error is final. */
export function classifySendError(error: unknown): SendFailure {
  if (error instanceof TelegramError) {
    const message = `${error.code}: ${error.description}`;
    if (error.code === 429) {
      const seconds = error.parameters?.retry_after ?? 1;
      return { kind: 'rate_limited', retryAfterMs: Math.max(1, seconds) * 1000 };
    }
    if (error.code >= 500 || error.code === 409) return { kind: 'transient', message };
    return { kind: 'permanent', message };
  }
  return { kind: 'transient', message: error instanceof Error ? error.message : String(error) };
}

/** Bot API methods that send a message (and so count against Telegram's message limits). */
export const MESSAGE_METHODS = new Set([
  'sendMessage',
  'sendPhoto',
  'sendDocument',
  'sendVideo',
  'sendAudio',
  'sendVoice',
  'sendSticker',
  'sendAnimation',
  'sendVideoNote',
  'sendMediaGroup',
  'copyMessage',
  'copyMessages',
  'forwardMessage',
]);
