import type { Attachment } from '../../types';

/**
 * How the thread shows a file: a photo inline (and full-screen on tap), voice and audio in an audio player,
 * videos (round ones and GIFs too) in a video player; anything else as a row to save.
 */
export type Presentation = 'image' | 'audio' | 'video' | 'file';

export function presentationOf(attachment: Pick<Attachment, 'kind'>): Presentation {
  switch (attachment.kind) {
    case 'photo':
      return 'image';
    case 'voice':
    case 'audio':
      return 'audio';
    case 'video':
    case 'video_note':
    case 'animation':
      return 'video';
    default:
      return 'file';
  }
}

/** The type a player's blob is given when the API did not name one it can play (it reads kinds from bytes). */
const FALLBACK_TYPE: Record<Presentation, string | undefined> = {
  image: undefined,
  audio: 'audio/ogg',
  video: 'video/mp4',
  file: undefined,
};

/** The media type to play a file as: its stored type when it is one of its kind, else the kind's usual. */
export function playableTypeOf(attachment: Pick<Attachment, 'kind' | 'mimeType'>): string | undefined {
  const presentation = presentationOf(attachment);
  if (presentation !== 'audio' && presentation !== 'video') return undefined;
  const type = (attachment.mimeType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  return type.startsWith(`${presentation}/`) ? type : FALLBACK_TYPE[presentation];
}
