import type { Server } from 'node:http';

/**
 * How long one request may take on a server that takes uploads (the API, and the Mini App's server in front of
 * it). Node ends a request after 5 minutes by default, and a 20 MB file from a phone on a slow mobile network
 * (256 kbit/s up) needs about 11: half an hour leaves room. Headers still have Node's 60 seconds, and an
 * upload's bytes are streamed, never held, so a slow sender costs a socket, not memory. The orphan-blob sweep's
 * one-hour grace is longer than this, so it never takes an upload still arriving.
 */
export const UPLOAD_REQUEST_TIMEOUT_MS = 30 * 60_000;

/** Lets a server's requests run up to UPLOAD_REQUEST_TIMEOUT_MS (see there). Returns the server. */
export function allowSlowUploads<S extends Server>(server: S): S {
  server.requestTimeout = UPLOAD_REQUEST_TIMEOUT_MS;
  return server;
}
