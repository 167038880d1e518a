import { useState } from 'react';
import { api, errorText } from '../../api';
import { t } from '../../i18n';
import { haptic } from '../../init';
import type { Ticket } from '../../types';
import { Stars } from '../../ui/common';

/** Five large stars and an optional comment after resolution; a thank-you state once sent. */
export function RatingBlock({ ticket, onRated }: { ticket: Ticket; onRated: (score: number) => void }) {
  const [score, setScore] = useState(0);
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const [thanks, setThanks] = useState(false);
  const [error, setError] = useState<string | null>(null);

  if (thanks) {
    return (
      <section className="rating" data-testid="rating-thanks" role="status">
        <Stars score={ticket.rating ?? score} />
        <p>{t('ticket.rateThanks')}</p>
      </section>
    );
  }
  if (ticket.rating) {
    return (
      <section className="rating" data-testid="rating-done">
        <Stars score={ticket.rating} />
        <p className="hint">{t('ticket.rated', { n: ticket.rating })}</p>
      </section>
    );
  }

  const submit = async () => {
    if (!score) return;
    setBusy(true);
    setError(null);
    try {
      await api.rate(ticket.id, score, comment.trim() || undefined);
      haptic.notify('success');
      setThanks(true);
      onRated(score);
    } catch (e) {
      haptic.notify('error');
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="rating" data-testid="rating">
      <h2 className="section__header">{t('ticket.rateTitle')}</h2>
      <div className="rating__stars" role="radiogroup" aria-label={t('ticket.rateTitle')}>
        {[1, 2, 3, 4, 5].map((n) => (
          <label key={n} className={n <= score ? 'star is-on' : 'star'}>
            <input
              type="radio"
              name={`rating-${ticket.id}`}
              value={n}
              checked={score === n}
              aria-label={t('ticket.rateStar', { n })}
              onChange={() => {
                haptic.selection();
                setScore(n);
              }}
            />
            <span aria-hidden="true">★</span>
          </label>
        ))}
      </div>
      <label className="field">
        <span className="field__label">{t('ticket.rateComment')}</span>
        <textarea rows={2} maxLength={1000} value={comment} onChange={(e) => setComment(e.target.value)} />
      </label>
      <button type="button" className="button" disabled={!score || busy} onClick={submit}>
        {t('ticket.rateSend')}
      </button>
      {error ? (
        <p className="error-text" role="alert">
          {error}
        </p>
      ) : null}
    </section>
  );
}
