import { livenessSchema, readinessSchema } from '@tikethet/config';
import { z } from 'zod';
import { loginSchema } from '../dev/dev-login';

/** A route outside the route table: no sign-in, its own handler (health, the document, development sign-in). */
export interface PublicRoute {
  method: 'get' | 'post';
  path: string;
  summary: string;
  body?: z.ZodType;
  /** The JSON of its 200. */
  response?: z.ZodType;
  /** Refusals in the shared error shape (see document.ts ERRORS). */
  errors: string[];
  /** Answers of its own shape, by status. */
  refusals?: Record<string, { description: string; schema: z.ZodType }>;
}

/** Mounted on /api/v1 before the per-client limit (probes are never limited). */
export const publicRoutes: readonly PublicRoute[] = [
  {
    method: 'get',
    path: '/healthz',
    summary: 'The process is alive',
    response: livenessSchema,
    errors: [],
  },
  {
    method: 'get',
    path: '/readyz',
    summary: 'PostgreSQL and the bus answer',
    response: readinessSchema.extend({ status: z.literal('ready') }),
    errors: [],
    refusals: {
      '503': {
        description:
          'Draining (shutting down) or a dependency does not answer (the shape every server answers)',
        schema: readinessSchema,
      },
    },
  },
  { method: 'get', path: '/openapi.json', summary: 'This document', errors: ['429'] },
];

/** Only when development sign-in is mounted; a client that is not on this machine gets 404. */
export const devLoginRoutes: readonly PublicRoute[] = [
  {
    method: 'get',
    path: '/dev/login-options',
    summary: 'Development sign-in: which roles (loopback clients only, development token only)',
    response: z.object({ enabled: z.literal(true), roles: z.array(z.string()) }),
    errors: ['404', '429'],
  },
  {
    method: 'post',
    path: '/dev/login',
    summary: 'Development sign-in: initData for the fixed person of a role (loopback clients only)',
    body: loginSchema,
    response: z.object({ initData: z.string(), user: z.object({ id: z.number().int(), role: z.string() }) }),
    errors: ['400', '404', '429'],
  },
];
