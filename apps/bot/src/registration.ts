import type { Logger } from '@tikethet/config';
import type { Telegram } from 'telegraf';
import { texts } from './i18n';

type Call = (method: string, payload: Record<string, unknown>) => Promise<unknown>;

export function callOf(telegram: Telegram): Call {
  const callApi = telegram.callApi.bind(telegram) as unknown as Call;
  return (method, payload) => callApi(method, payload);
}

/** The chat menu button into the Mini App (bot-wide); nothing when PUBLIC_URL is not https. */
export async function registerMenuButton(call: Call, publicUrl: string | undefined): Promise<void> {
  if (!publicUrl?.startsWith('https://')) return;
  await call('setChatMenuButton', {
    menu_button: { type: 'web_app', text: texts.ru.openTickets, web_app: { url: publicUrl } },
  });
}

export async function registerWebhook(call: Call, url: string, secret: string): Promise<void> {
  await call('setWebhook', {
    url,
    secret_token: secret,
    allowed_updates: ['message', 'edited_message', 'callback_query'],
  });
}

/** Commands and descriptions in ru and en (the default is Russian: the product was born in Russian). */
export async function registerProfile(call: Call): Promise<void> {
  for (const language of [undefined, 'ru', 'en'] as const) {
    const tx = texts[language ?? 'ru'];
    const lang = language ? { language_code: language } : {};
    await call('setMyCommands', {
      commands: [
        { command: 'start', description: tx.commands.start },
        { command: 'tickets', description: tx.commands.tickets },
        { command: 'new', description: tx.commands.new },
        { command: 'help', description: tx.commands.help },
      ],
      ...lang,
    });
    await call('setMyDescription', { description: tx.description, ...lang });
    await call('setMyShortDescription', { short_description: tx.shortDescription, ...lang });
  }
}

/** Retries `fn` with backoff until it succeeds or `stopped()` says to give up. */
export async function withRetry(
  fn: () => Promise<void>,
  what: string,
  logger: Logger,
  stopped: () => boolean,
  firstDelayMs = 1000,
): Promise<boolean> {
  for (let attempt = 0; !stopped(); attempt += 1) {
    try {
      await fn();
      return true;
    } catch (error) {
      logger.warn(
        { err: error instanceof Error ? error.message : error, attempt },
        `${what} failed; retrying`,
      );
      await new Promise((r) => setTimeout(r, Math.min(30_000, firstDelayMs * 2 ** attempt)));
    }
  }
  return false;
}
