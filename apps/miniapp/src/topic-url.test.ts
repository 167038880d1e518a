import { topicUrl } from './types';

describe('topicUrl', () => {
  it('links a supergroup topic the way t.me does', () => {
    expect(topicUrl({ chatId: -1002200330044, threadId: 57 })).toBe('https://t.me/c/2200330044/57');
  });
  it('gives no link for a chat that is not a supergroup or a bad thread', () => {
    expect(topicUrl({ chatId: -4001, threadId: 5 })).toBeNull();
    expect(topicUrl({ chatId: -1002200330044, threadId: 0 })).toBeNull();
  });
});
