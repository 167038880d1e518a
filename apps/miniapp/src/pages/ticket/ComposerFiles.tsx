import { t } from '../../i18n';
import { formatSize } from './file-size';

/** Files one message may carry, and the largest the API takes by default (it answers 413 past its own). */
export const MAX_FILES = 10;
export const MAX_FILE_MB = 20;

/** A file picked, pasted or recorded into the composer, with a preview when it is an image or audio. */
export interface PickedFile {
  key: string;
  file: File;
  preview: string | null;
}

let nextKey = 0;

/** Adds `incoming` to `current`: at most MAX_FILES, none over MAX_FILE_MB; says what was refused. */
export function addFiles(current: PickedFile[], incoming: File[]): { files: PickedFile[]; refused?: string } {
  const files = [...current];
  let refused: string | undefined;
  for (const file of incoming) {
    if (files.length >= MAX_FILES) {
      refused = t('ticket.tooManyFiles', { max: MAX_FILES });
      break;
    }
    if (file.size > MAX_FILE_MB * 1024 * 1024) {
      refused = t('ticket.fileTooBig', { name: file.name, max: MAX_FILE_MB });
      continue;
    }
    nextKey += 1;
    const preview = /^(image\/(png|jpeg|gif|webp)|audio\/.+)$/.test(file.type)
      ? URL.createObjectURL(file)
      : null;
    files.push({ key: `f${nextKey}`, file, preview });
  }
  return refused === undefined ? { files } : { files, refused };
}

/** Lets go of the previews' object URLs. */
export function releaseFiles(files: PickedFile[]): void {
  for (const f of files) if (f.preview) URL.revokeObjectURL(f.preview);
}

/**
 * The files waiting in the composer: a thumbnail, or a player for a recording or other audio, and name and
 * size each, removable until sent.
 */
export function ComposerFiles({ files, onRemove }: { files: PickedFile[]; onRemove: (key: string) => void }) {
  if (files.length === 0) return null;
  return (
    <ul className="composer__files" data-testid="composer-files">
      {files.map((f) => (
        <li key={f.key} className="composer__file">
          {f.preview && f.file.type.startsWith('audio/') ? (
            // biome-ignore lint/a11y/useMediaCaption: a recording about to be sent has no captions to offer.
            <audio
              className="composer__audio"
              controls
              preload="metadata"
              src={f.preview}
              aria-label={t('ticket.voicePreview', { name: f.file.name })}
            />
          ) : f.preview ? (
            <img className="composer__thumb" src={f.preview} alt="" />
          ) : (
            <span aria-hidden="true">📎</span>
          )}
          <span className="composer__file-name">{f.file.name}</span>
          <span className="hint">{formatSize(f.file.size)}</span>
          <button
            type="button"
            className="composer__file-remove"
            aria-label={`${t('ticket.removeFile')}: ${f.file.name}`}
            onClick={() => onRemove(f.key)}
          >
            ✕
          </button>
        </li>
      ))}
    </ul>
  );
}
