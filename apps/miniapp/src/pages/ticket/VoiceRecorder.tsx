import { useEffect, useRef, useState } from 'react';
import { t } from '../../i18n';
import {
  canRecordVoice,
  formatElapsed,
  micFailureKey,
  recordingMimeType,
  VOICE_BITS_PER_SECOND,
  VOICE_MAX_SECONDS,
  voiceFileName,
} from './voice-recording';

interface Session {
  recorder: MediaRecorder;
  stream: MediaStream;
  chunks: Blob[];
  keep: boolean;
  /** Stops the recording at VOICE_MAX_SECONDS. */
  limit?: ReturnType<typeof setTimeout>;
}

/**
 * The composer's microphone: shown only where the WebView can record. A press opens the microphone and
 * records (elapsed time, «stop and attach», «cancel»); the recording joins the message's files as
 * `voice-<time>.<ext>`, to be listened to, removed or sent like any picked file.
 */
export function VoiceRecorder({
  onRecorded,
  onError,
}: {
  onRecorded: (file: File) => void;
  onError: (text: string) => void;
}) {
  const [state, setState] = useState<'idle' | 'opening' | 'recording'>('idle');
  const [elapsed, setElapsed] = useState(0);
  const [announce, setAnnounce] = useState('');
  const session = useRef<Session | null>(null);
  const callbacks = useRef({ onRecorded, onError });
  callbacks.current = { onRecorded, onError };

  // Leaving the page mid-recording drops it and lets go of the microphone.
  useEffect(
    () => () => {
      const s = session.current;
      session.current = null;
      if (s) {
        clearTimeout(s.limit);
        s.keep = false;
        if (s.recorder.state !== 'inactive') s.recorder.stop();
        for (const track of s.stream.getTracks()) track.stop();
      }
    },
    [],
  );

  useEffect(() => {
    if (state !== 'recording') return;
    const started = Date.now();
    setElapsed(0);
    const timer = setInterval(() => setElapsed((Date.now() - started) / 1000), 250);
    return () => clearInterval(timer);
  }, [state]);

  if (!canRecordVoice(window as unknown as Parameters<typeof canRecordVoice>[0])) return null;

  const start = async () => {
    if (state !== 'idle') return;
    setState('opening');
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch (error) {
      setState('idle');
      callbacks.current.onError(t(micFailureKey(error)));
      return;
    }
    let recorder: MediaRecorder;
    try {
      const mimeType = recordingMimeType((type) => MediaRecorder.isTypeSupported(type));
      recorder = new MediaRecorder(stream, {
        ...(mimeType ? { mimeType } : {}),
        audioBitsPerSecond: VOICE_BITS_PER_SECOND,
      });
    } catch {
      for (const track of stream.getTracks()) track.stop();
      setState('idle');
      callbacks.current.onError(t('ticket.recordFailed'));
      return;
    }
    const s: Session = { recorder, stream, chunks: [], keep: false };
    session.current = s;
    recorder.ondataavailable = (e) => {
      if (e.data.size > 0) s.chunks.push(e.data);
    };
    recorder.onstop = () => {
      for (const track of stream.getTracks()) track.stop();
      if (!s.keep) return;
      const type = (recorder.mimeType || s.chunks[0]?.type || 'audio/webm').split(';')[0] as string;
      const blob = new Blob(s.chunks, { type });
      if (blob.size === 0) {
        callbacks.current.onError(t('ticket.recordFailed'));
        return;
      }
      callbacks.current.onRecorded(new File([blob], voiceFileName(type, new Date()), { type }));
      setAnnounce(t('ticket.recordingAttached'));
    };
    recorder.onerror = () => {
      s.keep = false;
      finish(false);
      callbacks.current.onError(t('ticket.recordFailed'));
    };
    recorder.start(1000);
    s.limit = setTimeout(() => finish(true), VOICE_MAX_SECONDS * 1000);
    setAnnounce(t('ticket.recording'));
    setState('recording');
  };

  /** Stops recording: `keep` attaches what was recorded, otherwise it is dropped. */
  function finish(keep: boolean) {
    const s = session.current;
    session.current = null;
    setState('idle');
    if (!s) return;
    clearTimeout(s.limit);
    s.keep = keep;
    if (s.recorder.state !== 'inactive') s.recorder.stop();
    else for (const track of s.stream.getTracks()) track.stop();
    if (!keep) setAnnounce('');
  }

  const recording = state === 'recording';
  return (
    <div className="voice-recorder" data-testid="voice-recorder">
      <button
        type="button"
        className="composer__attach"
        data-testid="record-voice"
        aria-label={t('ticket.recordVoice')}
        aria-pressed={recording}
        disabled={state === 'opening'}
        onClick={() => (recording ? finish(true) : start())}
      >
        🎤
      </button>
      {recording ? (
        <>
          <span className="voice-recorder__dot" aria-hidden="true" />
          <span
            className="voice-recorder__time"
            role="timer"
            data-testid="recording-time"
            aria-label={t('ticket.recordingElapsed', { time: formatElapsed(elapsed) })}
          >
            {formatElapsed(elapsed)}
          </span>
          <button
            type="button"
            className="voice-recorder__stop"
            data-testid="stop-recording"
            onClick={() => finish(true)}
          >
            {t('ticket.stopRecording')}
          </button>
          <button
            type="button"
            className="voice-recorder__cancel"
            data-testid="cancel-recording"
            onClick={() => finish(false)}
          >
            {t('ticket.cancelRecording')}
          </button>
        </>
      ) : null}
      <span className="visually-hidden" role="status" data-testid="voice-status">
        {announce}
      </span>
    </div>
  );
}
