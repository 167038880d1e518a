import type { UserCache } from '@tikethet/auth';
import type { Logger } from '@tikethet/config';
import type { BlobStore, UseCases } from '@tikethet/db';
import type { Actor, User } from '@tikethet/domain';
import type { Request, Response } from 'express';
import type { ZodType, z } from 'zod';
import type { ApiEnv } from '../env';
import type { ReadRouting } from '../read-routing';
import type { TelegramFiles } from './telegram-file';

/**
 * Who a route is for, as the authorization matrix tests it:
 * user: anyone signed in · ticket: the ticket's customer and staff (others: 404) ·
 * ticket-owner: the ticket's customer only (staff 403, others 404) · staff: agents and admins · admin.
 */
export type Access = 'user' | 'ticket' | 'ticket-owner' | 'staff' | 'admin';

export interface RouteServices {
  /** The primary's use cases: every write, ticket read and permission check. */
  uc: UseCases;
  /** List, search and stats reads: on the replica when the lag rule allows (read-routing.ts). */
  reads: ReadRouting;
  env: ApiEnv;
  cache: UserCache;
  logger: Logger;
  /** Uploaded files' bytes (Postgres chunks or S3). */
  blobs: BlobStore;
  /** Files kept in Telegram, fetched through getFile. */
  telegramFiles: TelegramFiles;
}

export interface RouteContext {
  actor: Actor;
  user: User;
  params: Record<string, unknown>;
  /** The query string, already checked against the route's strict query schema. */
  query: Record<string, unknown>;
  body: unknown;
  /**
   * The JSON body parsed with `schema` (400 naming each field), which must be the route's `body` or
   * `customerBody`: the schema the OpenAPI document shows is the one the route validates with.
   */
  readBody<S extends ZodType>(schema: S): z.output<S>;
  services: RouteServices;
  /** The request itself: only for a route that streams its body (`multipart`). */
  req: Request;
  res: Response;
}

/** A reply with a status other than the route's default (e.g. 200 for an idempotent repeat of a 201). */
export class Reply {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {}
}

/** Returned by a handler that wrote the response itself (file downloads). */
export const STREAMED = Symbol('streamed');

export interface RouteDef {
  method: 'get' | 'post' | 'patch' | 'put' | 'delete';
  /** Below /api/v1, Express syntax (`/tickets/:id`). */
  path: string;
  access: Access;
  /** A domain permission checked before the body is read (403), for staff and admin routes. */
  guard?: (actor: Actor) => boolean;
  /** One line for the described API (OpenAPI `summary`, the /api/docs page). */
  summary: string;
  /** More for the described API: rules the schemas cannot say. */
  description?: string;
  /** Strict schema of the query string; routes without one accept no query parameters. */
  query?: ZodType;
  /**
   * The schema the handler parses the JSON body with (the same object: the OpenAPI document is built from it).
   * `customerBody`: what a customer may send instead, when it differs. `bodyOptional`: the body may be absent.
   */
  body?: ZodType;
  customerBody?: ZodType;
  bodyOptional?: boolean;
  /**
   * The route also takes multipart/form-data: `fields` is the schema of its text parts (each a string),
   * `files` the name of its file parts and how many there may be. Described in the OpenAPI document.
   */
  multipart?: { fields: ZodType; files: { name: string; maxItems: number } };
  /** The JSON a success answers with: described in the OpenAPI document (the tests check answers against it). */
  response?: ZodType;
  /** The answer is a file relayed from Telegram (its own Content-Type; 502 when Telegram fails), not JSON. */
  file?: true;
  /** The answer is CSV (`text/csv`, a header row), written by the handler itself. */
  csv?: true;
  /** Success status (default 200; 204 sends no body). */
  status?: number;
  handle(ctx: RouteContext): Promise<unknown>;
}
