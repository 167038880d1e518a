import http from 'node:http';

export interface Outcome {
  /** The TCP connection was established, i.e. the server had accepted the request's connection. */
  connected: boolean;
  status?: number;
  error?: string;
}

/** One request on a connection of its own; never rejects. */
export function request(
  url: string,
  options: {
    method?: string;
    headers?: Record<string, string>;
    body?: string;
    agent?: http.Agent;
    onSent?: () => void;
  } = {},
): Promise<Outcome> {
  return new Promise((resolve) => {
    let connected = false;
    const req = http.request(url, {
      method: options.method ?? 'GET',
      headers: options.headers,
      agent: options.agent ?? false,
    });
    req.on('finish', () => options.onSent?.());
    req.on('socket', (socket) => {
      // A reused keep-alive socket is connected already; a new one says so when it connects.
      if (!socket.connecting && !socket.destroyed) connected = true;
      socket.once('connect', () => {
        connected = true;
      });
    });
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve({ connected: true, status: res.statusCode }));
      res.on('error', (error) => resolve({ connected, error: error.message }));
    });
    req.on('error', (error) =>
      resolve({ connected, error: (error as NodeJS.ErrnoException).code ?? error.message }),
    );
    req.end(options.body);
  });
}

/** Summary of a load: how many answered, their statuses, and requests that broke after connecting. */
export function summarize(outcomes: Outcome[]) {
  const statuses = new Map<number, number>();
  for (const o of outcomes)
    if (o.status !== undefined) statuses.set(o.status, (statuses.get(o.status) ?? 0) + 1);
  return {
    answered: outcomes.filter((o) => o.status !== undefined).length,
    serverErrors: outcomes.filter((o) => (o.status ?? 0) >= 500).length,
    brokenAfterConnect: outcomes.filter((o) => o.connected && o.status === undefined).map((o) => o.error),
    refused: outcomes.filter((o) => !o.connected && o.status === undefined).length,
    statuses: Object.fromEntries(statuses),
  };
}

/** Sum of every sample of a Prometheus metric family (`name`, `name_total`, `name_count` as given). */
export function metricSum(text: string, name: string): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (match && match[1] === name) sum += Number(match[3]);
  }
  return sum;
}
