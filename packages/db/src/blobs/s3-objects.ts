import type { Readable } from 'node:stream';
import { DeleteObjectCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';

/** An S3-compatible bucket (AWS, MinIO, ...): S3_ENDPOINT, S3_BUCKET, S3_REGION and the key pair. */
export interface S3Config {
  bucket: string;
  region: string;
  /** Not AWS: the service's URL; addressed path-style (`<endpoint>/<bucket>/<key>`). */
  endpoint?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
}

/** Multipart part size: S3's minimum, so one part in flight holds about 5 MB. */
const PART_BYTES = 5 * 1024 * 1024;

/** The few object operations blobs need, with the official SDK. */
export function createS3Objects(config: S3Config) {
  const client = new S3Client({
    region: config.region,
    ...(config.endpoint ? { endpoint: config.endpoint, forcePathStyle: true } : {}),
    ...(config.accessKeyId && config.secretAccessKey
      ? { credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey } }
      : {}),
    // Checksums only where S3 requires them: S3-compatible servers do not all take the trailing kind.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  return {
    async upload(key: string, body: Readable): Promise<void> {
      const upload = new Upload({
        client,
        params: { Bucket: config.bucket, Key: key, Body: body, ContentType: 'application/octet-stream' },
        partSize: PART_BYTES,
        queueSize: 1,
        leavePartsOnError: false,
      });
      await upload.done();
    },
    async download(key: string): Promise<Readable> {
      const answer = await client.send(new GetObjectCommand({ Bucket: config.bucket, Key: key }));
      return answer.Body as Readable;
    },
    async remove(key: string): Promise<void> {
      await client.send(new DeleteObjectCommand({ Bucket: config.bucket, Key: key }));
    },
  };
}

/** The S3 store the parsed environment (config `storageEnv`) selects: undefined without S3_BUCKET. */
export function s3ConfigOf(env: {
  S3_BUCKET?: string | undefined;
  S3_REGION: string;
  S3_ENDPOINT?: string | undefined;
  S3_ACCESS_KEY_ID?: string | undefined;
  S3_SECRET_ACCESS_KEY?: string | undefined;
}): S3Config | undefined {
  if (!env.S3_BUCKET) return undefined;
  return {
    bucket: env.S3_BUCKET,
    region: env.S3_REGION,
    ...(env.S3_ENDPOINT ? { endpoint: env.S3_ENDPOINT } : {}),
    ...(env.S3_ACCESS_KEY_ID ? { accessKeyId: env.S3_ACCESS_KEY_ID } : {}),
    ...(env.S3_SECRET_ACCESS_KEY ? { secretAccessKey: env.S3_SECRET_ACCESS_KEY } : {}),
  };
}
