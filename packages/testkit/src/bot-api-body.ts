import type { IncomingMessage } from 'node:http';

export type BodyEncoding = 'none' | 'json' | 'urlencoded' | 'multipart';

/** A file uploaded in a multipart request. */
export interface UploadedFile {
  filename: string;
  contentType: string;
  size: number;
  /** The bytes as uploaded (getFile serves them back). */
  content: Buffer;
}

export interface ParsedBody {
  encoding: BodyEncoding;
  params: Record<string, unknown>;
  files: Record<string, UploadedFile>;
}

/** Keys Telegram reads as integers; form encodings carry them as strings. */
const INTEGER_KEYS = new Set([
  'chat_id',
  'from_chat_id',
  'message_id',
  'reply_to_message_id',
  'message_thread_id',
  'user_id',
  'offset',
  'limit',
  'timeout',
  'cache_time',
  'max_connections',
]);

/** Form values are strings: JSON-serialized objects (reply_markup, entities) and integers are decoded. */
function decodeFormValue(key: string, value: string): unknown {
  if (INTEGER_KEYS.has(key) && /^-?\d+$/.test(value)) return Number(value);
  if (value === 'true' || value === 'false') return value === 'true';
  if (/^\s*[[{]/.test(value)) {
    try {
      return JSON.parse(value) as unknown;
    } catch {
      return value;
    }
  }
  return value;
}

export function paramsFromSearch(search: URLSearchParams): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  search.forEach((value, key) => {
    params[key] = decodeFormValue(key, value);
  });
  return params;
}

function readAll(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function headerParam(header: string, name: string): string | undefined {
  const match = new RegExp(`${name}="([^"]*)"|${name}=([^;\\s]+)`, 'i').exec(header);
  return match ? (match[1] ?? match[2]) : undefined;
}

function parseMultipart(body: Buffer, boundary: string): Omit<ParsedBody, 'encoding'> {
  const params: Record<string, unknown> = {};
  const files: Record<string, UploadedFile> = {};
  const delimiter = Buffer.from(`--${boundary}`);
  let start = body.indexOf(delimiter);
  while (start !== -1) {
    const partStart = start + delimiter.length;
    if (body.subarray(partStart, partStart + 2).toString() === '--') break;
    const next = body.indexOf(delimiter, partStart);
    if (next === -1) break;
    const part = body.subarray(partStart + 2, next - 2); // skip CRLF after the delimiter and before the next
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd !== -1) {
      const headers = part.subarray(0, headerEnd).toString('utf8');
      const content = part.subarray(headerEnd + 4);
      const disposition = /content-disposition:([^\r\n]*)/i.exec(headers)?.[1] ?? '';
      const name = headerParam(disposition, 'name');
      const filename = headerParam(disposition, 'filename');
      if (name !== undefined && filename !== undefined) {
        const contentType =
          /content-type:\s*([^\r\n]*)/i.exec(headers)?.[1]?.trim() ?? 'application/octet-stream';
        files[name] = { filename, contentType, size: content.length, content: Buffer.from(content) };
        params[name] = `attach://${name}`;
      } else if (name !== undefined) {
        params[name] = decodeFormValue(name, content.toString('utf8'));
      }
    }
    start = next;
  }
  return { params, files };
}

/** Reads a Bot API request body in any of the encodings Telegram accepts. */
export async function parseBotApiBody(req: IncomingMessage): Promise<ParsedBody> {
  const body = await readAll(req);
  const contentType = req.headers['content-type'] ?? '';
  if (body.length === 0) return { encoding: 'none', params: {}, files: {} };
  if (contentType.startsWith('application/json')) {
    const parsed = JSON.parse(body.toString('utf8')) as unknown;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new Error('JSON body is not an object');
    }
    return { encoding: 'json', params: parsed as Record<string, unknown>, files: {} };
  }
  if (contentType.startsWith('multipart/form-data')) {
    const boundary = headerParam(contentType, 'boundary');
    if (!boundary) throw new Error('multipart body without boundary');
    return { encoding: 'multipart', ...parseMultipart(body, boundary) };
  }
  const search = new URLSearchParams(body.toString('utf8'));
  return { encoding: 'urlencoded', params: paramsFromSearch(search), files: {} };
}
