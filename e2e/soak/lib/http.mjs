// The API as clients call it: signed initData, counted statuses, network errors retried by the caller's rule.
import { testkit } from './modules.mjs';

export const httpStats = {
  calls: 0,
  byStatus: new Map(),
  networkErrors: 0,
  /** Every 5xx: route and body, for the report. */
  serverErrors: [],
  /** Latency samples (ms) of successful writes. */
  latencies: [],
  /** Calls that took over a second: {at (ms since epoch), route, ms, status}. */
  slow: [],
};

function routeOf(method, path) {
  return `${method} ${path.replace(/\/\d+/g, '/:id').replace(/\?.*$/, '')}`;
}

export class NetworkError extends Error {}

/** Fresh initData per call (auth_date now), as a Mini App would hold a recent one. */
export function authHeader(user) {
  return `tma ${testkit.signInitData({ botToken: testkit.TEST_BOT_TOKEN, user })}`;
}

/** One HTTP call; resolves {status, body}; throws NetworkError on a connection failure or timeout. */
export async function call(apiUrl, user, method, path, body) {
  httpStats.calls += 1;
  const started = performance.now();
  let res;
  let text;
  try {
    res = await fetch(`${apiUrl}/api/v1${path}`, {
      method,
      headers: {
        authorization: authHeader(user),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(20_000),
    });
    text = await res.text();
  } catch (error) {
    httpStats.networkErrors += 1;
    throw new NetworkError(`${method} ${path}: ${error?.cause?.code ?? error?.name ?? error}`);
  }
  const took = performance.now() - started;
  if (took > 1000)
    httpStats.slow.push({ at: Date.now(), route: routeOf(method, path), ms: took, status: res.status });
  const key = res.status;
  httpStats.byStatus.set(key, (httpStats.byStatus.get(key) ?? 0) + 1);
  if (res.status >= 500) {
    httpStats.serverErrors.push({
      route: routeOf(method, path),
      status: res.status,
      body: text.slice(0, 300),
    });
  } else if (method !== 'GET' && res.status < 300) {
    httpStats.latencies.push(took);
  }
  let parsed = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = text;
  }
  return { status: res.status, body: parsed };
}

/**
 * An idempotent write: retried (same body, so the same clientMessageId) on network errors and 5xx until it
 * gets an answer below 500 or `shouldStop()`; 5xx are still counted as failures by `call`.
 */
export async function callIdempotent(apiUrl, user, method, path, body, shouldStop, attempts = 30) {
  let delay = 200;
  for (let attempt = 1; ; attempt += 1) {
    try {
      const res = await call(apiUrl, user, method, path, body);
      if (res.status < 500 || attempt >= attempts) return res;
    } catch (error) {
      if (!(error instanceof NetworkError) || attempt >= attempts) throw error;
    }
    if (shouldStop()) return null;
    await new Promise((resolve) => setTimeout(resolve, delay * (0.5 + Math.random())));
    delay = Math.min(delay * 2, 3000);
  }
}
