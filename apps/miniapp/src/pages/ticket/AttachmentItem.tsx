import { useCallback, useEffect, useState } from 'react';
import { ApiError, fetchBlobUrl } from '../../api';
import { t } from '../../i18n';
import type { Attachment } from '../../types';
import { formatSize } from './file-size';
import { playableTypeOf, presentationOf } from './media-player';
import { PhotoViewer } from './PhotoViewer';

/** Why a file could not be fetched: over the Bot API's 20 MB (open it in Telegram), or anything else. */
function failureOf(error: unknown): 'too_big' | 'unavailable' {
  return error instanceof ApiError && error.code === 'file_too_big' ? 'too_big' : 'unavailable';
}

const kindIcon: Record<Attachment['kind'], string> = {
  photo: '🖼',
  document: '📄',
  video: '🎬',
  voice: '🎤',
  audio: '🎵',
  sticker: '🏷',
  video_note: '🎥',
  animation: '🎞',
  file: '📎',
};

/**
 * One attachment: photos load inline and open full-screen on tap, voice and audio play in an audio player,
 * videos in a video player; every file can be saved. The API serves files
 * only with the Authorization header, so they come as blobs, never as bare links.
 */
export function AttachmentItem({ attachment }: { attachment: Attachment }) {
  const [preview, setPreview] = useState<string | null>(null);
  const [failed, setFailed] = useState<false | 'too_big' | 'unavailable'>(false);
  const [viewing, setViewing] = useState(false);
  const closeViewer = useCallback(() => setViewing(false), []);
  const shown = presentationOf(attachment);
  const playAs = playableTypeOf(attachment);

  useEffect(() => {
    if (shown === 'file') return;
    let url: string | null = null;
    let cancelled = false;
    fetchBlobUrl(`/attachments/${attachment.id}`, playAs).then(
      (u) => {
        url = u;
        if (cancelled) URL.revokeObjectURL(u);
        else setPreview(u);
      },
      (error) => setFailed(failureOf(error)),
    );
    return () => {
      cancelled = true;
      if (url) URL.revokeObjectURL(url);
    };
  }, [attachment.id, shown, playAs]);

  const save = async () => {
    try {
      const url = await fetchBlobUrl(`/attachments/${attachment.id}`);
      const link = document.createElement('a');
      link.href = url;
      link.download = attachment.fileName ?? `file-${attachment.id}`;
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (error) {
      setFailed(failureOf(error));
    }
  };

  const name = attachment.fileName ?? t('ticket.attachment');
  return (
    <li className="attachment" data-testid={`attachment-${attachment.id}`}>
      {preview && shown === 'image' ? (
        <button
          type="button"
          className="attachment__open"
          onClick={() => setViewing(true)}
          aria-label={`${t('ticket.openPhoto')}: ${name}`}
        >
          <img className="attachment__photo" src={preview} alt={name} />
        </button>
      ) : null}
      {preview && shown === 'audio' ? (
        // biome-ignore lint/a11y/useMediaCaption: a customer's voice message has no captions to offer.
        <audio className="attachment__audio" controls preload="metadata" src={preview} aria-label={name} />
      ) : null}
      {preview && shown === 'video' ? (
        // biome-ignore lint/a11y/useMediaCaption: files people send have no caption tracks.
        <video
          className="attachment__video"
          controls
          playsInline
          preload="metadata"
          src={preview}
          aria-label={name}
        />
      ) : null}
      {viewing && preview ? <PhotoViewer src={preview} alt={name} onClose={closeViewer} /> : null}
      <button
        type="button"
        className="attachment__save"
        onClick={() => void save()}
        aria-label={`${t('ticket.download')}: ${name}`}
      >
        <span aria-hidden="true">{kindIcon[attachment.kind] ?? '📎'}</span> {name}{' '}
        <span className="hint">{formatSize(attachment.size)}</span>
      </button>
      {failed ? (
        <span className="hint">
          {' · '}
          {failed === 'too_big' ? t('ticket.attachmentTooBig') : t('ticket.attachmentUnavailable')}
        </span>
      ) : null}
    </li>
  );
}
