import { clockTime, t } from '../../i18n';
import type { Attachment } from '../../types';
import type { ViewMessage } from './ticket-state';

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
  file: '📎',
};

function DeliveryMark({ message }: { message: ViewMessage }) {
  if (message.local === 'sending')
    return (
      <span className="tick tick--sending" role="img" aria-label={t('ticket.sending')}>
        🕓
      </span>
    );
  if (message.local === 'failed' || message.delivery === 'failed')
    return (
      <span
        className="tick tick--failed"
        role="img"
        aria-label={message.local ? t('ticket.sendFailed') : t('ticket.failed')}
      >
        !
      </span>
    );
  if (message.delivery === 'sent')
    return (
      <span className="tick tick--delivered" role="img" aria-label={t('ticket.delivered')}>
        ✓✓
      </span>
    );
  return (
    <span className="tick tick--stored" role="img" aria-label={t('ticket.stored')}>
      ✓
    </span>
  );
}

export function deliveryState(message: ViewMessage): string {
  if (message.local) return message.local;
  if (message.delivery === 'sent') return 'delivered';
  if (message.delivery === 'failed') return 'failed';
  return 'stored';
}

/** One chat bubble. The body is text (React escapes it), never HTML. */
export function MessageBubble({
  message,
  own,
  authorLabel,
  onResend,
}: {
  message: ViewMessage;
  own: boolean;
  authorLabel: string;
  onResend?: () => void;
}) {
  if (message.kind === 'system') {
    return (
      <li className="message message--system" data-testid={`message-${message.id}`}>
        {message.body}
      </li>
    );
  }
  const note = message.internal || message.kind === 'note';
  const classes = ['message', own ? 'message--own' : 'message--other'];
  if (note) classes.push('message--note');
  return (
    <li
      className={classes.join(' ')}
      data-testid={`message-${message.id}`}
      data-client-id={message.clientMessageId ?? undefined}
      data-delivery={deliveryState(message)}
      data-kind={message.kind}
    >
      {!own ? <div className="message__author">{authorLabel}</div> : null}
      {note ? <div className="message__note-badge">{t('ticket.noteBadge')}</div> : null}
      <div className="message__body">{message.body}</div>
      {message.attachments && message.attachments.length > 0 ? (
        <ul className="attachments" aria-label={t('ticket.attachments')}>
          {message.attachments.map((a) => (
            <li key={a.id} className="attachment" data-testid={`attachment-${a.id}`}>
              <span aria-hidden="true">{kindIcon[a.kind] ?? '📎'}</span>{' '}
              {a.fileName ?? t('ticket.attachment')} <span className="hint">{formatSize(a.size)}</span>
            </li>
          ))}
        </ul>
      ) : null}
      <div className="message__meta">
        {message.editedAt ? <span>{t('ticket.edited')} · </span> : null}
        <time dateTime={message.createdAt}>{clockTime(message.createdAt)}</time>
        {own ? <DeliveryMark message={message} /> : null}
      </div>
      {message.local === 'failed' && onResend ? (
        <button type="button" className="link-button" onClick={onResend}>
          {t('ticket.resend')}
        </button>
      ) : null}
    </li>
  );
}
