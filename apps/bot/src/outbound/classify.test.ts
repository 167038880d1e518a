import { MESSAGE_METHODS } from './classify';
import { METHOD_OF } from './files';

/**
 * Every call the queue makes that puts a message in a chat counts against Telegram's message limits (30/s,
 * 1/s per private chat, 20/min per group); one left out would be sent past them and answered with 429s.
 */
describe('which queued calls count as messages', () => {
  it.each([...Object.values(METHOD_OF), 'sendMessage', 'sendMediaGroup', 'copyMessage', 'copyMessages'])(
    '%s is counted',
    (method) => {
      expect(MESSAGE_METHODS.has(method)).toBe(true);
    },
  );

  it.each(['editMessageText', 'editMessageCaption', 'answerCallbackQuery', 'createForumTopic'])(
    '%s is not',
    (method) => {
      expect(MESSAGE_METHODS.has(method)).toBe(false);
    },
  );
});
