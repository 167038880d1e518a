import { CloseCode } from '@tikethet/protocol';
import { clientFrameSchema } from '@tikethet/protocol/schemas';
import type { z } from 'zod';

export type { Topic } from '@tikethet/protocol/schemas';
/** The client frames' schema lives in the protocol package, beside the AsyncAPI document made from it. */
export { CloseCode, clientFrameSchema };

export type ClientFrame = z.infer<typeof clientFrameSchema>;

export type ParsedFrame =
  | { ok: true; frame: ClientFrame }
  | { ok: false; message: string; field?: string; topic?: string };

/** Parses one raw text frame; never throws. */
export function parseClientFrame(raw: string): ParsedFrame {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { ok: false, message: 'frame is not JSON' };
  }
  const result = clientFrameSchema.safeParse(json);
  if (result.success) return { ok: true, frame: result.data };
  const issue = result.error.issues[0];
  const field = issue?.path.map(String).join('.') || undefined;
  const topic =
    json && typeof json === 'object' && 'topic' in json && typeof json.topic === 'string'
      ? json.topic.slice(0, 64)
      : undefined;
  return {
    ok: false,
    message: field ? `${field}: ${issue?.message ?? 'invalid'}` : (issue?.message ?? 'invalid frame'),
    ...(field ? { field } : {}),
    ...(topic ? { topic } : {}),
  };
}
