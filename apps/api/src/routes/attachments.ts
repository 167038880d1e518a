import { HttpError } from '../http/errors';
import { idParam } from '../http/validate';
import { sendFile } from './file-response';
import { type RouteDef, STREAMED } from './route';

export const attachmentRoutes: RouteDef[] = [
  {
    method: 'get',
    path: '/attachments/:id',
    access: 'ticket',
    file: true,
    summary: 'Download an attachment of a ticket the caller may see',
    description:
      'Uploaded files are streamed from storage; files that came through Telegram from Telegram (getFile), ' +
      'except ones over the Bot API’s 20 MB limit: 404 `file_too_big`. Internal notes’ files are staff-only.',
    async handle({ services, actor, params, res }) {
      const file = await services.uc.getAttachment(actor, idParam(params));
      if (file.blobId !== null) {
        const blob = await services.blobs.open(file.blobId);
        if (!blob) throw new HttpError(404, 'not_found', 'the file is no longer available');
        // Uploaded bytes never change under an id: the browser may keep them.
        await sendFile(res, file, blob.stream, {
          length: blob.size,
          cache: 'private, max-age=86400, immutable',
        });
      } else if (file.telegramFileId !== null) {
        await services.telegramFiles.send(res, { ...file, telegramFileId: file.telegramFileId });
      } else throw new HttpError(404, 'not_found', 'the file is no longer available');
      return STREAMED;
    },
  },
];
