import { useCallback, useEffect, useRef } from 'react';
import { useBackClosesOverlay } from '../../app/telegram';
import { t } from '../../i18n';

/**
 * A photo full-screen, as a modal dialog: focus moves to its close button, Escape, Back or a tap on the
 * backdrop close it, and focus returns to the photo that opened it.
 */
export function PhotoViewer({ src, alt, onClose }: { src: string; alt: string; onClose: () => void }) {
  const closeRef = useRef<HTMLButtonElement>(null);
  const close = useCallback(() => onClose(), [onClose]);
  useBackClosesOverlay(close);
  useEffect(() => {
    const opener = document.activeElement as HTMLElement | null;
    closeRef.current?.focus();
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') {
        event.preventDefault();
        close();
      } else if (event.key === 'Tab') {
        // The close button is the dialog's one control: focus stays on it.
        event.preventDefault();
        closeRef.current?.focus();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('keydown', onKey);
      opener?.focus();
    };
  }, [close]);
  return (
    // biome-ignore lint/a11y/useKeyWithClickEvents: Escape is handled on the document; the backdrop tap is a shortcut for the close button.
    <div
      className="photo-viewer"
      role="dialog"
      aria-modal="true"
      aria-label={alt}
      data-testid="photo-viewer"
      onClick={(event) => {
        if (event.target === event.currentTarget) close();
      }}
    >
      <img className="photo-viewer__img" src={src} alt={alt} />
      <button ref={closeRef} type="button" className="photo-viewer__close" onClick={close}>
        <span aria-hidden="true">✕</span> {t('ticket.closeViewer')}
      </button>
    </div>
  );
}
