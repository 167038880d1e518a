import {
  isStaff,
  listMessagesQuerySchema,
  MAX_FILES_PER_MESSAGE,
  messageSchema,
  postMessageInputSchema,
  postMessageWithFilesInputSchema,
  rateTicketInputSchema,
  ratingSchema,
} from '@tikethet/domain';
import { z } from 'zod';
import { readForm } from '../http/multipart';
import { idParam, parseWith } from '../http/validate';
import { Reply, type RouteContext, type RouteDef } from './route';

/**
 * Customers cannot ask for an internal note: `internal` may only be false (ARCHITECTURE §11 lets every caller send
 * `internal?`; for a customer `true` is a 400 naming the field).
 */
export const customerPostMessageSchema = postMessageInputSchema
  .omit({ internal: true })
  .extend({ internal: z.literal(false, 'customers cannot write internal notes').optional() })
  .strict();
/** With files, a customer's message may have no text either. */
const customerPostWithFilesSchema = postMessageWithFilesInputSchema
  .omit({ internal: true })
  .extend({ internal: z.literal(false, 'customers cannot write internal notes').optional() })
  .strict();

/** The text parts of a message sent as multipart/form-data (the JSON fields, as strings). */
export const messageFormSchema = z.strictObject({
  body: z.string().optional(),
  internal: z.enum(['true', 'false'], 'must be true or false').optional(),
  clientMessageId: z.string().optional(),
});
const FORM_FIELDS = Object.keys(messageFormSchema.shape);
const FILES = { name: 'files', maxItems: MAX_FILES_PER_MESSAGE };

/**
 * A message with files: the ticket is checked first (nothing is stored for a ticket the caller cannot see),
 * the files are streamed into storage, and the message is written with them. Whatever is refused afterwards,
 * and a repeat of a clientMessageId (the first message is the answer), leaves no stored file behind.
 */
async function postWithFiles({ services, actor, req }: RouteContext, ticketId: number, staff: boolean) {
  await services.uc.getTicket(actor, ticketId);
  const form = await readForm(req, {
    blobs: services.blobs,
    fields: FORM_FIELDS,
    fileField: FILES.name,
    maxFiles: FILES.maxItems,
    maxFileBytes: services.env.UPLOAD_MAX_BYTES,
  });
  const stored = form.files.map((f) => f.blobId);
  try {
    const fields = parseWith(messageFormSchema, form.fields);
    const json = {
      body: fields.body ?? '',
      ...(fields.internal === undefined ? {} : { internal: fields.internal === 'true' }),
      ...(fields.clientMessageId === undefined ? {} : { clientMessageId: fields.clientMessageId }),
    };
    const withFiles = form.files.length > 0;
    const schema = staff
      ? withFiles
        ? postMessageWithFilesInputSchema
        : postMessageInputSchema
      : withFiles
        ? customerPostWithFilesSchema
        : customerPostMessageSchema;
    const input = parseWith(schema, json);
    const { message, created } = await services.uc.postMessage(actor, ticketId, input, {
      via: 'miniapp',
      attachments: form.files,
    });
    if (!created) await services.blobs.remove(stored);
    return created ? message : new Reply(200, message);
  } catch (error) {
    await services.blobs.remove(stored).catch(() => undefined);
    throw error;
  }
}

const markReadSchema = z.strictObject({ seq: z.number().int().min(0).max(2_147_483_647) });

export const messageRoutes: RouteDef[] = [
  {
    method: 'get',
    path: '/tickets/:id/messages',
    access: 'ticket',
    summary: 'The messages of a ticket, oldest first (internal notes for staff only)',
    query: listMessagesQuerySchema,
    response: z.object({ items: z.array(messageSchema) }),
    async handle({ services, actor, params, query }) {
      const items = await services.uc.listMessages(actor, idParam(params), query);
      return { items };
    },
  },
  {
    method: 'post',
    path: '/tickets/:id/messages',
    access: 'ticket',
    summary: 'Write on a ticket; staff may write an internal note',
    description:
      'A repeat with the same `clientMessageId` answers 200 with the message it made. As ' +
      '`multipart/form-data`, the same fields are text parts and up to 10 `files` parts go with the message, ' +
      'each at most `UPLOAD_MAX_BYTES` (default 20 MB; larger: 413 `file_too_large` naming the file).',
    body: postMessageInputSchema,
    customerBody: customerPostMessageSchema,
    multipart: { fields: messageFormSchema, files: FILES },
    response: messageSchema,
    status: 201,
    async handle(context) {
      const { services, actor, params, readBody, req } = context;
      const id = idParam(params);
      if (req.is('multipart/form-data')) return postWithFiles(context, id, isStaff(actor.role));
      const input = isStaff(actor.role)
        ? readBody(postMessageInputSchema)
        : readBody(customerPostMessageSchema);
      const { message, created } = await services.uc.postMessage(actor, id, input, { via: 'miniapp' });
      return created ? message : new Reply(200, message);
    },
  },
  {
    method: 'post',
    path: '/tickets/:id/rating',
    access: 'ticket-owner',
    summary: 'Rate a resolved or closed ticket (its customer only)',
    body: rateTicketInputSchema,
    response: ratingSchema,
    handle({ services, actor, params, readBody }) {
      const id = idParam(params);
      return services.uc.rateTicket(actor, id, readBody(rateTicketInputSchema));
    },
  },
  {
    method: 'post',
    path: '/tickets/:id/read',
    access: 'ticket',
    summary: 'Mark the ticket read up to an event seq',
    body: markReadSchema,
    status: 204,
    async handle({ services, actor, params, readBody }) {
      const id = idParam(params);
      const { seq } = readBody(markReadSchema);
      await services.uc.markRead(actor, id, seq);
      return undefined;
    },
  },
];
