import { clockTime, t } from '../../i18n';
import { AttachmentItem } from './AttachmentItem';
import type { ViewMessage } from './ticket-state';

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
            <AttachmentItem key={a.id} attachment={a} />
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
