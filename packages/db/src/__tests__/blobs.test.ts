import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import { type BlobStore, BlobTooLargeError, CHUNK_BYTES, createBlobStore } from '../blobs/blob-store';
import { createS3Objects, type S3Config } from '../blobs/s3-objects';
import { type DbFixture, makeUser, setupDb } from './helpers';

/** `total` bytes in pieces of `piece`, each byte its offset mod 251: any slip of order or loss shows. */
async function* bytes(total: number, piece = 64 * 1024): AsyncGenerator<Buffer> {
  for (let at = 0; at < total; at += piece) {
    const length = Math.min(piece, total - at);
    const chunk = Buffer.alloc(length);
    for (let i = 0; i < length; i += 1) chunk[i] = (at + i) % 251;
    yield chunk;
  }
}

async function collect(stream: AsyncIterable<Buffer | Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(Buffer.from(part));
  return Buffer.concat(parts);
}

async function expected(total: number) {
  return collect(bytes(total));
}

let fx: DbFixture;

beforeAll(async () => {
  fx = await setupDb('blobs', 4);
});
afterAll(() => fx.close());

const count = async (sql: string) =>
  Number((await fx.client.db.$client.query<{ n: string }>(sql)).rows[0]?.n ?? 0);

/** What every store must do; run against Postgres and S3 below. */
function behavesAsAStore(name: string, store: () => BlobStore) {
  it(`${name}: streams a file in and out byte for byte, with its size and sha256`, async () => {
    const total = 3 * CHUNK_BYTES + 12_345;
    const blob = await store().put(bytes(total), { maxBytes: total });
    const want = await expected(total);
    expect(blob.size).toBe(total);
    expect(blob.sha256).toBe(createHash('sha256').update(want).digest('hex'));
    const opened = await store().open(blob.id);
    expect(opened?.size).toBe(total);
    expect((await collect(opened?.stream ?? bytes(0))).equals(want)).toBe(true);
  });

  it(`${name}: a file over the limit is refused and leaves nothing behind`, async () => {
    const before = await count('select count(*) as n from blobs');
    await expect(store().put(bytes(CHUNK_BYTES * 2), { maxBytes: CHUNK_BYTES + 1 })).rejects.toBeInstanceOf(
      BlobTooLargeError,
    );
    expect(await count('select count(*) as n from blobs')).toBe(before);
  });

  it(`${name}: the sweep removes old blobs no attachment took, keeps attached and recent ones`, async () => {
    const customer = await makeUser(fx.uc);
    const { ticket } = await fx.uc.createTicket(customer, { subject: 'Files', body: 'x' });
    const [orphan, attached, recent] = [
      await store().put(bytes(1000), { maxBytes: 1000 }),
      await store().put(bytes(1000), { maxBytes: 1000 }),
      await store().put(bytes(1000), { maxBytes: 1000 }),
    ];
    await fx.uc.postMessage(
      customer,
      ticket.id,
      { body: 'see file' },
      {
        attachments: [{ kind: 'document', blobId: attached.id, size: 1000, fileName: 'a.bin' }],
      },
    );
    // The upload whose message never came, and the attached one, are past the grace period; `recent` is not.
    await fx.client.db.$client.query(
      "update blobs set created_at = now() - interval '2 hours' where id = any($1)",
      [[orphan.id, attached.id]],
    );
    const swept = await store().sweepOrphans({ after: orphan.id - 1, graceMs: 3_600_000, limit: 100 });
    expect(swept.removed).toBe(1);
    expect(await store().open(orphan.id)).toBeNull();
    expect(await store().open(attached.id)).not.toBeNull();
    expect(await store().open(recent.id)).not.toBeNull();
    // The cursor stops before the first blob still in its grace period: it is looked at again later.
    expect(swept.next).toBe(attached.id);
    expect(swept.more).toBe(false);
  });

  it(`${name}: the sweep looks at no more than \`limit\` blobs a run, and goes on from its cursor`, async () => {
    const ids: number[] = [];
    for (let i = 0; i < 3; i += 1) ids.push((await store().put(bytes(10), { maxBytes: 10 })).id);
    await fx.client.db.$client.query(
      "update blobs set created_at = now() - interval '2 hours' where id = any($1)",
      [ids],
    );
    const first = await store().sweepOrphans({ after: (ids[0] ?? 0) - 1, graceMs: 3_600_000, limit: 2 });
    expect(first).toEqual({ removed: 2, next: ids[1], more: true });
    expect(await store().open(ids[2] ?? 0)).not.toBeNull();
    const second = await store().sweepOrphans({ after: first.next, graceMs: 3_600_000, limit: 2 });
    expect(second).toEqual({ removed: 1, next: ids[2], more: false });
    expect(await store().open(ids[2] ?? 0)).toBeNull();
  });

  it(`${name}: remove deletes the blob and its bytes`, async () => {
    const blob = await store().put(bytes(1000), { maxBytes: 1000 });
    await store().remove([blob.id]);
    expect(await store().open(blob.id)).toBeNull();
  });
}

describe('Postgres blobs', () => {
  const pg = () => createBlobStore({ db: fx.client.db });
  behavesAsAStore('pg', pg);

  it('keeps the bytes in 256 KiB rows, and an empty file as a blob of no rows', async () => {
    const blob = await pg().put(bytes(CHUNK_BYTES * 2 + 1), { maxBytes: 10 * CHUNK_BYTES });
    const rows = await fx.client.db.$client.query<{ n: number; len: number }>(
      'select n, octet_length(data) as len from blob_chunks where blob_id = $1 order by n',
      [blob.id],
    );
    expect(rows.rows).toEqual([
      { n: 0, len: CHUNK_BYTES },
      { n: 1, len: CHUNK_BYTES },
      { n: 2, len: 1 },
    ]);
    const empty = await pg().put(bytes(0), { maxBytes: 10 });
    expect(empty.size).toBe(0);
    expect((await collect((await pg().open(empty.id))?.stream ?? bytes(0))).length).toBe(0);
  });

  it('a blob in S3 cannot be read without the S3 store configured', async () => {
    const [row] = (
      await fx.client.db.$client.query<{ id: number }>(
        "insert into blobs (store, key, size, sha256) values ('s3', 'blobs/x', 1, 'x') returning id",
      )
    ).rows;
    await expect(pg().open(Number(row?.id))).rejects.toThrow(/no S3 store is configured/);
  });
});

describe('S3 blobs (s3rver, an S3-compatible server from npm, on 127.0.0.1)', () => {
  let server: S3rver;
  let directory: string;
  let store: BlobStore;
  let config: S3Config;

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'tikethet-s3-'));
    server = new S3rver({
      address: '127.0.0.1',
      port: 0,
      silent: true,
      directory,
      configureBuckets: [{ name: 'tikethet-files', configs: [] }],
    });
    const address = (await server.run()) as AddressInfo;
    config = {
      bucket: 'tikethet-files',
      region: 'us-east-1',
      endpoint: `http://127.0.0.1:${address.port}`,
      accessKeyId: 'S3RVER',
      secretAccessKey: 'S3RVER',
    };
    store = createBlobStore({ db: fx.client.db, s3: config });
  });
  afterAll(async () => {
    await server?.close();
    await rm(directory, { recursive: true, force: true });
  });

  behavesAsAStore('s3', () => store);

  it('the sweep deletes an orphan’s object from the bucket, not only its row', async () => {
    const orphan = await store.put(bytes(100), { maxBytes: 100 });
    const { rows } = await fx.client.db.$client.query<{ key: string }>(
      "update blobs set created_at = now() - interval '2 hours' where id = $1 returning key",
      [orphan.id],
    );
    const key = rows[0]?.key ?? '';
    const objects = createS3Objects(config);
    expect((await collect(await objects.download(key))).length).toBe(100);
    await store.sweepOrphans({ after: orphan.id - 1, graceMs: 3_600_000, limit: 10 });
    await expect(objects.download(key)).rejects.toThrow();
  });

  it('records the object key, keeps no bytes in Postgres, and still reads Postgres blobs', async () => {
    const total = 6 * 1024 * 1024; // over one 5 MB part: a real multipart upload
    const blob = await store.put(bytes(total), { maxBytes: total });
    const row = (
      await fx.client.db.$client.query<{ store: string; key: string }>(
        'select store, key from blobs where id = $1',
        [blob.id],
      )
    ).rows[0];
    expect(row?.store).toBe('s3');
    expect(row?.key).toMatch(/^blobs\/[0-9a-f-]{36}$/);
    expect(await count(`select count(*) as n from blob_chunks where blob_id = ${blob.id}`)).toBe(0);
    expect(
      (await collect((await store.open(blob.id))?.stream ?? bytes(0))).equals(await expected(total)),
    ).toBe(true);
    const inPg = await createBlobStore({ db: fx.client.db }).put(bytes(10), { maxBytes: 10 });
    expect((await collect((await store.open(inPg.id))?.stream ?? bytes(0))).length).toBe(10);
  });
});
