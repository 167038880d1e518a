import { freePort } from './services';

export interface EmbeddedPostgres {
  /** `postgres://postgres@127.0.0.1:PORT/postgres?sslmode=disable` */
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

/**
 * An in-memory PGlite served over the Postgres wire protocol on 127.0.0.1 (the embedded default of the
 * product, for tests). PGlite has one database and one session: every connection shares it.
 */
export async function startEmbeddedPostgres(port?: number): Promise<EmbeddedPostgres> {
  const { PGlite } = await import('@electric-sql/pglite');
  const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
  // pg_trgm: the migrations create it (customer name search), as on every managed Postgres.
  const { pg_trgm } = await import('@electric-sql/pglite/contrib/pg_trgm');
  const db = await PGlite.create({ extensions: { pg_trgm } });
  const listenPort = port ?? (await freePort());
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: listenPort, maxConnections: 100 });
  await server.start();
  return {
    url: `postgres://postgres@127.0.0.1:${listenPort}/postgres?sslmode=disable`,
    port: listenPort,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}
