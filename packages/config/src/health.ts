import { z } from 'zod';

/**
 * The one health shape every server answers (api, gateway, bot, Mini App server):
 * `/healthz` 200 `{"status":"ok"}` while the process runs; `/readyz` 200 `{"status":"ready","checks":{…}}`
 * when every check passes, else 503 with `draining` (shutting down: take it out of rotation) or
 * `unavailable` (a dependency does not answer) and the same checks.
 */
export const livenessSchema = z.object({ status: z.literal('ok') });
export const readinessSchema = z.object({
  status: z.enum(['ready', 'draining', 'unavailable']),
  checks: z.record(z.string(), z.boolean()),
});
export type Readiness = z.infer<typeof readinessSchema>;

export const LIVENESS: z.infer<typeof livenessSchema> = { status: 'ok' };

/** The `/readyz` answer: draining wins; otherwise ready when every check passed. */
export function readinessOf(
  draining: boolean,
  checks: Record<string, boolean> = {},
): {
  httpStatus: 200 | 503;
  body: Readiness;
} {
  const status = draining ? 'draining' : Object.values(checks).every(Boolean) ? 'ready' : 'unavailable';
  return { httpStatus: status === 'ready' ? 200 : 503, body: { status, checks } };
}
