import { baseEnv, loadEnvOrExit, portEnv, resolvePort } from '@tikethet/config';
import { z } from 'zod';

const httpUrl = z.string().refine((v) => /^(https?|wss?):\/\//.test(v), 'must be an http(s) or ws(s) URL');

/** The Mini App server's environment: where to listen and where `/api` and `/ws` go. */
export function loadMiniappEnv(source: NodeJS.ProcessEnv = process.env) {
  const env = loadEnvOrExit(
    {
      ...baseEnv,
      ...portEnv('MINIAPP_PORT', 5173),
      API_URL: httpUrl.default('http://127.0.0.1:3000'),
      GATEWAY_URL: httpUrl.default('http://127.0.0.1:3001'),
    },
    source,
  );
  return { ...env, port: resolvePort(env, env.MINIAPP_PORT) };
}

export type MiniappEnv = ReturnType<typeof loadMiniappEnv>;
