import { idParam } from '../http/validate';
import { type RouteDef, STREAMED } from './route';
import { sendTelegramFile } from './telegram-file';

export const attachmentRoutes: RouteDef[] = [
  {
    method: 'get',
    path: '/attachments/:id',
    access: 'ticket',
    file: true,
    summary: 'Download an attachment of a ticket the caller may see (streamed from Telegram)',
    async handle({ services, actor, params, res }) {
      const file = await services.uc.getAttachment(actor, idParam(params));
      await sendTelegramFile(res, file, {
        apiRoot: services.env.TELEGRAM_API_ROOT,
        botToken: services.env.TELEGRAM_BOT_TOKEN,
      });
      return STREAMED;
    },
  },
];
