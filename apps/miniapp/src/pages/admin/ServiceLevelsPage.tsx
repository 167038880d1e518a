import { useCallback, useEffect, useState } from 'react';
import { api, errorText } from '../../api';
import { useMainButton } from '../../app/telegram';
import { type MessageKey, t } from '../../i18n';
import { haptic } from '../../init';
import { formatSpans, parseSpans } from '../../sla';
import { PRIORITIES, type ServiceLevels } from '../../types';
import { ErrorState, Section, Spinner, Toast } from '../../ui/common';
import { Field, SelectField } from '../../ui/fields';

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const TARGETS = ['firstResponseMin', 'nextResponseMin', 'resolutionMin'] as const;
const TARGET_LABEL: Record<(typeof TARGETS)[number], MessageKey> = {
  firstResponseMin: 'sla.firstResponse',
  nextResponseMin: 'sla.nextResponse',
  resolutionMin: 'sla.resolution',
};

/** The form's text of the settings: hours and holidays as the admin types them. */
interface Draft {
  settings: ServiceLevels;
  hours: Record<(typeof DAYS)[number], string>;
  holidays: string;
}

function draftOf(settings: ServiceLevels): Draft {
  return {
    settings,
    hours: Object.fromEntries(DAYS.map((d) => [d, formatSpans(settings.hours[d])])) as Draft['hours'],
    holidays: settings.holidays.join(', '),
  };
}

/** The settings to send, or the day whose hours do not read as spans. */
function settingsOf(draft: Draft): { settings: ServiceLevels } | { badDay: string } {
  const hours = {} as ServiceLevels['hours'];
  for (const d of DAYS) {
    const spans = parseSpans(draft.hours[d]);
    if (!spans) return { badDay: d };
    hours[d] = spans;
  }
  const holidays = draft.holidays
    .split(/[\s,]+/)
    .map((h) => h.trim())
    .filter(Boolean);
  return { settings: { ...draft.settings, hours, holidays } };
}

/** Admins: business hours, SLA targets per priority, auto-assignment and the out-of-hours reply. */
export function ServiceLevelsPage() {
  const [draft, setDraft] = useState<Draft | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [saveError, setSaveError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [toast, setToast] = useState<string | null>(null);

  const load = useCallback(() => {
    setLoadError(null);
    api
      .serviceLevels()
      .then((s) => setDraft(draftOf(s)))
      .catch(setLoadError);
  }, []);
  useEffect(load, [load]);

  const save = async () => {
    if (!draft) return;
    const built = settingsOf(draft);
    if ('badDay' in built) {
      setSaveError(`${t(`day.${built.badDay}` as MessageKey)}: ${t('sla.badHours')}`);
      haptic.notify('error');
      return;
    }
    setSaving(true);
    setSaveError(null);
    try {
      setDraft(draftOf(await api.saveServiceLevels(built.settings)));
      setToast(t('sla.saved'));
      haptic.notify('success');
    } catch (e) {
      // A 400 names the fields (`targets.high.firstResponseMin`, `timezone`, …).
      setSaveError(errorText(e));
      haptic.notify('error');
    } finally {
      setSaving(false);
    }
  };

  useMainButton(draft ? { text: t('app.save'), progress: saving, onClick: save } : null);

  if (loadError) return <ErrorState error={loadError} onRetry={load} />;
  if (!draft) return <Spinner />;
  const s = draft.settings;
  const set = (patch: Partial<ServiceLevels>) => setDraft({ ...draft, settings: { ...s, ...patch } });

  return (
    <main className="page" data-testid="service-levels-page">
      <h1 className="page__title">{t('sla.title')}</h1>
      {toast ? <Toast text={toast} onDone={() => setToast(null)} /> : null}
      <Section title={t('sla.hours')} footer={t('sla.hoursHint')} error={saveError}>
        <Field label={t('sla.timezone')}>
          <input
            value={s.timezone}
            data-testid="sla-timezone"
            maxLength={64}
            onChange={(e) => set({ timezone: e.target.value })}
          />
        </Field>
        {DAYS.map((d) => (
          <Field key={d} row label={t(`day.${d}` as MessageKey)}>
            <input
              value={draft.hours[d]}
              data-testid={`sla-hours-${d}`}
              placeholder="—"
              onChange={(e) => setDraft({ ...draft, hours: { ...draft.hours, [d]: e.target.value } })}
            />
          </Field>
        ))}
        <Field label={t('sla.holidays')}>
          <input
            value={draft.holidays}
            data-testid="sla-holidays"
            onChange={(e) => setDraft({ ...draft, holidays: e.target.value })}
          />
        </Field>
      </Section>
      <Section title={t('sla.targets')}>
        <table className="sla-targets" data-testid="sla-targets">
          <thead>
            <tr>
              <th />
              {TARGETS.map((k) => (
                <th key={k} scope="col">
                  {t(TARGET_LABEL[k])}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {PRIORITIES.map((p) => (
              <tr key={p}>
                <th scope="row">{t(`priority.${p}`)}</th>
                {TARGETS.map((k) => (
                  <td key={k}>
                    <input
                      type="number"
                      min={1}
                      inputMode="numeric"
                      aria-label={`${t(`priority.${p}`)} · ${t(TARGET_LABEL[k])}`}
                      data-testid={`sla-target-${p}-${k}`}
                      value={s.targets[p][k]}
                      onChange={(e) =>
                        set({
                          targets: { ...s.targets, [p]: { ...s.targets[p], [k]: Number(e.target.value) } },
                        })
                      }
                    />
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </Section>
      <Section title={t('sla.assignment')}>
        <SelectField
          row
          label={t('sla.assignment')}
          value={s.assignment.mode}
          choices={(['manual', 'round_robin', 'least_loaded'] as const).map((m) => ({
            value: m,
            label: t(`sla.mode.${m}`),
          }))}
          onChange={(mode) => set({ assignment: { ...s.assignment, mode } })}
        />
        <Field row label={t('sla.maxOpen')}>
          <input
            type="number"
            min={1}
            inputMode="numeric"
            data-testid="sla-max-open"
            value={s.assignment.maxOpenPerAgent}
            onChange={(e) =>
              set({ assignment: { ...s.assignment, maxOpenPerAgent: Number(e.target.value) } })
            }
          />
        </Field>
      </Section>
      <Section title={t('sla.autoReply')}>
        <Field row label={t('sla.autoReplyOn')}>
          <input
            type="checkbox"
            data-testid="sla-auto-reply"
            checked={s.autoReply.enabled}
            onChange={(e) => set({ autoReply: { ...s.autoReply, enabled: e.target.checked } })}
          />
        </Field>
        {(['ru', 'en'] as const).map((language) => (
          <Field key={language} label={t('sla.autoReplyText', { language })}>
            <textarea
              rows={3}
              maxLength={1000}
              data-testid={`sla-auto-reply-${language}`}
              value={s.autoReply[language]}
              onChange={(e) => set({ autoReply: { ...s.autoReply, [language]: e.target.value } })}
            />
          </Field>
        ))}
      </Section>
    </main>
  );
}
