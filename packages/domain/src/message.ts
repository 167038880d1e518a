import { z } from 'zod';
import { clientMessageIdSchema, idSchema, isoDateSchema, telegramIdSchema, textSchema } from './common';
import { roleSchema } from './roles';
import { BODY_MAX } from './ticket';

/** customer / agent: the conversation; note: internal, agents only; system: status lines and the like. */
export const messageKinds = ['customer', 'agent', 'note', 'system'] as const;
export const messageKindSchema = z.enum(messageKinds);
export type MessageKind = z.infer<typeof messageKindSchema>;

/** Delivery of an agent reply into the customer's Telegram chat. `none`: nothing to deliver. */
export const deliveryStates = ['none', 'pending', 'sent', 'failed'] as const;
export const deliveryStateSchema = z.enum(deliveryStates);
export type DeliveryState = z.infer<typeof deliveryStateSchema>;

/** What a file is to Telegram (docs/ARCHITECTURE.md §6a); `file` is kept for rows written before the other kinds. */
export const attachmentKinds = [
  'photo',
  'document',
  'voice',
  'audio',
  'video',
  'video_note',
  'sticker',
  'animation',
  'file',
] as const;
export type AttachmentKind = (typeof attachmentKinds)[number];
export const attachmentSchema = z.object({
  id: idSchema,
  kind: z.enum(attachmentKinds),
  fileName: z.string().nullable(),
  mimeType: z.string().nullable(),
  size: z.number().int().nullable(),
  width: z.number().int().nullable(),
  height: z.number().int().nullable(),
});
export type Attachment = z.infer<typeof attachmentSchema>;

/**
 * A file a message is written with: one a customer sent in Telegram (its file id), or one uploaded in the
 * Mini App (its blob, stored before the message is written).
 */
export const incomingAttachmentSchema = z.strictObject({
  kind: z.enum(attachmentKinds),
  telegramFileId: z.string().min(1).max(512).optional(),
  blobId: idSchema.optional(),
  telegramFileUniqueId: z.string().max(128).optional(),
  fileName: z.string().max(512).optional(),
  mimeType: z.string().max(255).optional(),
  size: z.number().int().min(0).optional(),
  width: z.number().int().min(0).optional(),
  height: z.number().int().min(0).optional(),
});
export type IncomingAttachment = z.infer<typeof incomingAttachmentSchema>;

export const messageSchema = z.object({
  id: idSchema,
  ticketId: idSchema,
  seq: z.number().int(),
  kind: messageKindSchema,
  internal: z.boolean(),
  authorId: telegramIdSchema.nullable(),
  author: z.object({ id: telegramIdSchema, name: z.string(), role: roleSchema }).nullable(),
  body: z.string(),
  originalBody: z.string().nullable(),
  clientMessageId: z.string().nullable(),
  via: z.enum(['miniapp', 'bot']),
  delivery: deliveryStateSchema,
  createdAt: isoDateSchema,
  editedAt: isoDateSchema.nullable(),
  attachments: z.array(attachmentSchema),
});
export type Message = z.infer<typeof messageSchema>;

export const postMessageInputSchema = z.strictObject({
  body: textSchema(BODY_MAX),
  internal: z.boolean().optional(),
  clientMessageId: clientMessageIdSchema.optional(),
});
export type PostMessageInput = z.input<typeof postMessageInputSchema>;
/** A message that carries files may have no text (a photo alone). */
export const postMessageWithFilesInputSchema = postMessageInputSchema.extend({
  body: textSchema(BODY_MAX, 0),
});

export const listMessagesQuerySchema = z.strictObject({
  after: z
    .string()
    .regex(/^[0-9]{1,10}$/, 'must be a non-negative integer')
    .transform(Number)
    .optional(),
  limit: z
    .string()
    .regex(/^[0-9]{1,3}$/, 'must be an integer from 1 to 200')
    .transform(Number)
    .pipe(z.number().int().min(1, 'must be at least 1').max(200, 'must be at most 200'))
    .optional(),
});
