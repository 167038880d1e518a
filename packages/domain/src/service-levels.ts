import { z } from 'zod';
import { ticketPriorities } from './ticket';

/**
 * Service levels (issue 17): business hours, SLA targets per priority, assignment, the out-of-hours reply.
 * The settings are one record (GET/PUT /settings/service-levels); the business-time arithmetic that turns
 * them into due times runs in Postgres (migration 0009), where every writer of a ticket keeps the timers.
 */
export const weekdays = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof weekdays)[number];

const clockTime = z
  .string()
  .regex(/^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$/, 'must be a time HH:MM (00:00 to 24:00)');

/** A span of one day: [start, end); an end not after the start runs past midnight into the next day. */
const spanSchema = z
  .tuple([clockTime, clockTime])
  .refine(([start, end]) => start !== end && start !== '24:00', {
    message: 'start and end must differ, and a span cannot start at 24:00',
  });

/** Whether a time zone name is one this runtime's Intl knows (IANA names: "Europe/Moscow", "UTC"). */
export function isKnownTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return name.length > 0;
  } catch {
    return false;
  }
}

const minutes = (max: number) =>
  z
    .number()
    .int('must be a whole number of minutes')
    .min(1, 'must be at least 1')
    .max(max, `must be at most ${max}`);

const targetSchema = z.strictObject({
  firstResponseMin: minutes(525_600),
  nextResponseMin: minutes(525_600),
  resolutionMin: minutes(525_600),
});

export const assignmentModes = ['manual', 'round_robin', 'least_loaded'] as const;
export type AssignmentMode = (typeof assignmentModes)[number];

const autoReplyText = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(1000, 'must be at most 1000 characters');

export const serviceLevelsSchema = z
  .strictObject({
    timezone: z.string().max(64).refine(isKnownTimeZone, 'must be an IANA time zone, e.g. Europe/Moscow'),
    hours: z.strictObject(
      Object.fromEntries(
        weekdays.map((d) => [d, z.array(spanSchema).max(8, 'at most 8 spans a day')]),
      ) as Record<Weekday, z.ZodArray<typeof spanSchema>>,
    ),
    holidays: z
      .array(z.string().regex(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, 'must be a date YYYY-MM-DD'))
      .max(400, 'at most 400 holidays'),
    targets: z.strictObject(
      Object.fromEntries(ticketPriorities.map((p) => [p, targetSchema])) as Record<
        (typeof ticketPriorities)[number],
        typeof targetSchema
      >,
    ),
    assignment: z.strictObject({
      mode: z.enum(assignmentModes),
      maxOpenPerAgent: z.number().int().min(1, 'must be at least 1').max(1000, 'must be at most 1000'),
    }),
    autoReply: z.strictObject({ enabled: z.boolean(), ru: autoReplyText, en: autoReplyText }),
  })
  .refine((s) => weekdays.some((d) => s.hours[d].length > 0), {
    message: 'at least one day needs business hours',
    path: ['hours'],
  });
export type ServiceLevels = z.infer<typeof serviceLevelsSchema>;

export const slaTimerNames = ['firstResponse', 'nextResponse', 'resolution'] as const;
export type SlaTimerName = (typeof slaTimerNames)[number];
export const slaAlertSchema = z.object({
  kind: z.enum(['warning', 'breach']),
  timer: z.enum(slaTimerNames),
  dueAt: z.string(),
});
export type SlaAlert = z.infer<typeof slaAlertSchema>;
export type SlaAlertKind = SlaAlert['kind'];

/** `sla=due_soon` lists tickets whose nearest due time is within this many minutes. */
export const SLA_DUE_SOON_MIN = 60;
/** The warning goes this many minutes before a breach (the job is scheduled there by migration 0009). */
export const SLA_WARNING_MIN = 15;

export const availabilities = ['online', 'away'] as const;
export const availabilitySchema = z.enum(availabilities);
export type Availability = z.infer<typeof availabilitySchema>;
export const setAvailabilityInputSchema = z.strictObject({ status: availabilitySchema });

/** The out-of-hours reply in the customer's language, with the expected answer time put in for `{time}`. */
export function fillAutoReply(settings: ServiceLevels, language: 'ru' | 'en', expected: string): string {
  const template = settings.autoReply[language];
  return template.includes('{time}') ? template.replaceAll('{time}', expected) : `${template} ${expected}`;
}

/** When the customer can expect an answer, as they read it: weekday, date and time in the business's zone. */
export function formatExpectedTime(instant: Date, timezone: string, language: 'ru' | 'en'): string {
  return new Intl.DateTimeFormat(language === 'ru' ? 'ru-RU' : 'en-GB', {
    timeZone: timezone,
    weekday: 'short',
    day: 'numeric',
    month: 'long',
    hour: '2-digit',
    minute: '2-digit',
    timeZoneName: 'short',
  }).format(instant);
}
