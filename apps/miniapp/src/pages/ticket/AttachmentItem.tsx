import { useEffect, useState } from 'react';
import { fetchBlobUrl } from '../../api';
import { t } from '../../i18n';
import type { Attachment } from '../../types';

function formatSize(size: number | null): string {
  if (!size) return '';
  if (size < 1024) return `${size} B`;
  if (size < 1024 * 1024) return `${Math.round(size / 1024)} KB`;
  return `${(size / 1024 / 1024).toFixed(1)} MB`;
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
 * One attachment: photos load inline, everything else is fetched on demand and saved. The API serves files
 * only with the Authorization header, so they come as blobs, never as bare links.
 */
export function AttachmentItem({ attachment }: { attachment: Attachment }) {
  const [preview, setPreview] = useState<string | null>(null);
  const [failed, setFailed] = useState(false);
  const isPhoto = attachment.kind === 'photo';

  useEffect(() => {
    if (!isPhoto) return;
    let url: string | null = null;
    let cancelled = false;
    fetchBlobUrl(`/attachments/${attachment.id}`).then(
      (u) => {
        url = u;
        if (cancelled) URL.revokeObjectURL(u);
        else setPreview(u);
      },
      () => setFailed(true),
    );
    return () => {
      cancelled = true;
      if (url) URL.revokeObjectURL(url);
    };
  }, [attachment.id, isPhoto]);

  const save = async () => {
    try {
      const url = await fetchBlobUrl(`/attachments/${attachment.id}`);
      const link = document.createElement('a');
      link.href = url;
      link.download = attachment.fileName ?? `file-${attachment.id}`;
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch {
      setFailed(true);
    }
  };

  const name = attachment.fileName ?? t('ticket.attachment');
  return (
    <li className="attachment" data-testid={`attachment-${attachment.id}`}>
      {preview ? <img className="attachment__photo" src={preview} alt={name} /> : null}
      <button
        type="button"
        className="attachment__save"
        onClick={() => void save()}
        aria-label={`${t('ticket.download')}: ${name}`}
      >
        <span aria-hidden="true">{kindIcon[attachment.kind] ?? '📎'}</span> {name}{' '}
        <span className="hint">{formatSize(attachment.size)}</span>
      </button>
      {failed ? <span className="hint"> · {t('ticket.attachmentUnavailable')}</span> : null}
    </li>
  );
}
