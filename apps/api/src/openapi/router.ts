import express, { type RequestHandler, type Router } from 'express';
import { renderDocsPage } from './docs-page';
import type { OpenApiDocument } from './document';

/**
 * `GET /openapi.json` (mount under /api/v1) and `GET /docs` (mount under /api): the described API, without
 * sign-in; it says what the routes accept and reveals nothing they would not. Both are built once.
 * `pageLimit` runs before the page (the JSON is mounted behind /api/v1's own per-client limit).
 */
export function describedApi(
  doc: OpenApiDocument,
  pageLimit: RequestHandler[] = [],
): { json: Router; page: Router } {
  const body = JSON.stringify(doc);
  const html = renderDocsPage(doc);
  const json = express.Router();
  json.get('/openapi.json', (_req, res) => {
    res.type('application/json').send(body);
  });
  const page = express.Router();
  page.get('/docs', ...pageLimit, (_req, res) => {
    res.type('text/html').send(html);
  });
  return { json, page };
}
