import { useEffect, useRef, useState } from 'react';
import { api, errorText, newClientMessageId } from '../../api';
import { useRouter } from '../../app/router';
import { useMainButton, useUnsavedDraft } from '../../app/telegram';
import { t } from '../../i18n';
import { haptic } from '../../init';
import { markSeen } from '../../seen';
import type { Category } from '../../types';
import { Section } from '../../ui/common';
import { Field } from '../../ui/fields';
import { missing, useFormCheck } from '../../ui/form-check';

/** New ticket: subject, description, category cells; MainButton «Создать». */
export function NewTicketPage() {
  const { replace } = useRouter();
  const [subject, setSubject] = useState('');
  const [body, setBody] = useState('');
  const [categoryId, setCategoryId] = useState<number | null>(null);
  const [categories, setCategories] = useState<Category[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const clientMessageId = useRef(newClientMessageId());

  useEffect(() => {
    api
      .categories()
      .then((list) => setCategories(list.filter((c) => !c.archived).sort((a, b) => a.position - b.position)))
      .catch(() => setCategories([]));
  }, []);

  // Typed text is not thrown away without asking: neither by closing the Mini App nor by BackButton.
  useUnsavedDraft(subject.trim() !== '' || body.trim() !== '' ? t('app.leaveForm') : null);

  // «Создать» stays pressable: a press with a field missing names it under the field.
  const form = useFormCheck({
    subject: missing(subject, t('new.subjectMissing')),
    body: missing(body, t('new.bodyMissing')),
  });
  const create = async () => {
    if (busy || !form.check()) return;
    setBusy(true);
    setError(null);
    try {
      const ticket = await api.createTicket({
        subject: subject.trim(),
        body: body.trim(),
        ...(categoryId ? { categoryId } : {}),
        clientMessageId: clientMessageId.current,
      });
      haptic.notify('success');
      markSeen(ticket.id, ticket.lastSeq);
      setSubject('');
      setBody('');
      replace({ name: 'ticket', id: ticket.id });
    } catch (e) {
      haptic.notify('error');
      setError(
        errorText(e, { subject: t('new.subject'), body: t('new.body'), categoryId: t('new.category') }),
      );
      setBusy(false);
    }
  };

  useMainButton({ text: t('new.create'), onClick: create, progress: busy });

  return (
    <main className="page" data-testid="new-ticket">
      <h1 className="page__title">{t('new.title')}</h1>
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault();
          create();
        }}
      >
        <Section error={error}>
          <Field label={t('new.subject')} error={form.error('subject')}>
            <input
              {...form.control('subject')}
              name="subject"
              value={subject}
              maxLength={200}
              placeholder={t('new.subjectPlaceholder')}
              onChange={(e) => setSubject(e.target.value)}
              data-testid="new-subject"
            />
          </Field>
          <Field label={t('new.body')} error={form.error('body')}>
            <textarea
              {...form.control('body')}
              name="body"
              value={body}
              rows={5}
              maxLength={4000}
              placeholder={t('new.bodyPlaceholder')}
              onChange={(e) => setBody(e.target.value)}
              data-testid="new-body"
            />
          </Field>
        </Section>
        {categories.length > 0 ? (
          <fieldset className="section" data-testid="new-category">
            <legend className="section__header">{t('new.category')}</legend>
            <div className="section__body">
              {[{ id: null, name: t('new.noCategory') } as const, ...categories].map((c) => (
                <label key={c.id ?? 'none'} className="cell cell--radio">
                  <input
                    type="radio"
                    name="category"
                    checked={categoryId === c.id}
                    onChange={() => {
                      haptic.selection();
                      setCategoryId(c.id);
                    }}
                  />
                  <span className="cell__title">{c.name}</span>
                  <span className="check" aria-hidden="true">
                    ✓
                  </span>
                </label>
              ))}
            </div>
          </fieldset>
        ) : null}
      </form>
    </main>
  );
}
