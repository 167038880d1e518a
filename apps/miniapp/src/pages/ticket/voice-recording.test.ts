import {
  canRecordVoice,
  formatElapsed,
  micFailureKey,
  recordingMimeType,
  voiceFileName,
} from './voice-recording';

describe('voice recording in the composer', () => {
  it('is offered only where both getUserMedia and MediaRecorder exist', () => {
    const getUserMedia = () => undefined;
    class MediaRecorder {}
    expect(canRecordVoice({ navigator: { mediaDevices: { getUserMedia } }, MediaRecorder })).toBe(true);
    expect(canRecordVoice({ navigator: { mediaDevices: { getUserMedia } } })).toBe(false);
    expect(canRecordVoice({ navigator: {}, MediaRecorder })).toBe(false);
    expect(canRecordVoice({ MediaRecorder })).toBe(false);
  });

  it('asks for Ogg/Opus first, then WebM/Opus, then MP4, else leaves the choice to the recorder', () => {
    const supports =
      (...types: string[]) =>
      (type: string) =>
        types.includes(type);
    expect(recordingMimeType(supports('audio/webm;codecs=opus', 'audio/ogg;codecs=opus'))).toBe(
      'audio/ogg;codecs=opus',
    );
    expect(recordingMimeType(supports('audio/webm;codecs=opus', 'audio/mp4'))).toBe('audio/webm;codecs=opus');
    expect(recordingMimeType(supports('audio/mp4'))).toBe('audio/mp4');
    expect(recordingMimeType(supports())).toBeUndefined();
    expect(
      recordingMimeType(() => {
        throw new Error('old WebView');
      }),
    ).toBeUndefined();
  });

  it('names a recording voice-<UTC time> with the extension of what was recorded', () => {
    const at = new Date('2026-12-04T20:30:05.123Z');
    expect(voiceFileName('audio/webm', at)).toBe('voice-2026-12-04T20-30-05-123Z.webm');
    expect(voiceFileName('audio/ogg', at)).toBe('voice-2026-12-04T20-30-05-123Z.ogg');
    expect(voiceFileName('audio/mp4', at)).toBe('voice-2026-12-04T20-30-05-123Z.m4a');
    expect(voiceFileName('', at)).toBe('voice-2026-12-04T20-30-05-123Z.audio');
  });

  it('shows elapsed time as m:ss', () => {
    expect(formatElapsed(0)).toBe('0:00');
    expect(formatElapsed(9.9)).toBe('0:09');
    expect(formatElapsed(75)).toBe('1:15');
    expect(formatElapsed(900)).toBe('15:00');
  });

  it('tells a denied microphone from a missing one and from anything else', () => {
    const named = (name: string) => Object.assign(new Error(name), { name });
    expect(micFailureKey(named('NotAllowedError'))).toBe('ticket.micDenied');
    expect(micFailureKey(named('NotFoundError'))).toBe('ticket.micMissing');
    expect(micFailureKey(named('NotReadableError'))).toBe('ticket.recordFailed');
    expect(micFailureKey('nonsense')).toBe('ticket.recordFailed');
  });
});
