/**
 * What the composer's voice recorder decides without a microphone: whether this WebView can record, which
 * container to ask for, and the recording's file name (docs/ARCHITECTURE.md §6a, "Voice notes").
 */

/** Telegram's voice messages are Ogg/Opus: asked for first; Chromium's WebM/Opus the API remuxes into it. */
const PREFERRED_TYPES = ['audio/ogg;codecs=opus', 'audio/webm;codecs=opus', 'audio/webm', 'audio/mp4'];

/** The bit rate asked of the recorder: plenty for speech, about 4 KB a second. */
export const VOICE_BITS_PER_SECOND = 32_000;
/** A recording stops by itself after this long (15 minutes, about 3.6 MB: well under the API's 8 MiB cap). */
export const VOICE_MAX_SECONDS = 15 * 60;

interface RecordingPlatform {
  navigator?: { mediaDevices?: { getUserMedia?: unknown } };
  MediaRecorder?: unknown;
}

/** True where the WebView has a microphone API and MediaRecorder (not every Telegram client's does). */
export function canRecordVoice(platform: RecordingPlatform): boolean {
  return (
    typeof platform.navigator?.mediaDevices?.getUserMedia === 'function' &&
    typeof platform.MediaRecorder === 'function'
  );
}

/** The first container the recorder takes, Ogg/Opus preferred; undefined lets it choose its own. */
export function recordingMimeType(isTypeSupported: (type: string) => boolean): string | undefined {
  return PREFERRED_TYPES.find((type) => {
    try {
      return isTypeSupported(type);
    } catch {
      return false;
    }
  });
}

/** `voice-<UTC time>.<ext>`: the name the API knows a recording by (a `.webm` one is remuxed to Ogg). */
export function voiceFileName(mimeType: string, at: Date): string {
  const type = mimeType.toLowerCase();
  const ext = type.includes('ogg')
    ? 'ogg'
    : type.includes('webm')
      ? 'webm'
      : type.includes('mp4') || type.includes('aac')
        ? 'm4a'
        : 'audio';
  return `voice-${at.toISOString().replace(/[:.]/g, '-')}.${ext}`;
}

/** Elapsed recording time as m:ss. */
export function formatElapsed(seconds: number): string {
  const whole = Math.max(0, Math.floor(seconds));
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, '0')}`;
}

/** The message for a microphone that could not be opened: denied, missing, or anything else. */
export function micFailureKey(
  error: unknown,
): 'ticket.micDenied' | 'ticket.micMissing' | 'ticket.recordFailed' {
  const name = error instanceof Error || error instanceof DOMException ? error.name : '';
  if (name === 'NotAllowedError' || name === 'SecurityError') return 'ticket.micDenied';
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return 'ticket.micMissing';
  return 'ticket.recordFailed';
}
