import { type Answer, type BootReads, takeBootRead } from './boot-reads';

const g = globalThis as { __tikethetBoot?: BootReads };
const answer = (body: unknown): Promise<Answer> =>
  Promise.resolve({ status: 200, statusText: 'OK', text: JSON.stringify(body) });

afterEach(() => {
  delete g.__tikethetBoot;
});

describe('takeBootRead: the reads the boot script started', () => {
  it('hands over the read for the same URL and initData once; the next ask gets nothing (network)', async () => {
    g.__tikethetBoot = { initData: 'signed-a', at: Date.now(), reads: { '/me': answer({ id: 7 }) } };
    const read = takeBootRead('GET', '/me', 'signed-a');
    expect(JSON.parse((await read)?.text ?? '')).toEqual({ id: 7 });
    expect(takeBootRead('GET', '/me', 'signed-a')).toBeNull();
  });

  it('matches the path and query exactly', () => {
    g.__tikethetBoot = {
      initData: 'signed-a',
      at: Date.now(),
      reads: { '/tickets?limit=50': answer({ items: [] }) },
    };
    expect(takeBootRead('GET', '/tickets', 'signed-a')).toBeNull();
    expect(takeBootRead('GET', '/tickets?limit=20', 'signed-a')).toBeNull();
    expect(takeBootRead('GET', '/tickets?limit=50', 'signed-a')).not.toBeNull();
  });

  it('never hands over a read made with other initData, without initData, a stale one, or for a write', () => {
    const reads = { '/me': answer({ id: 7 }) };
    g.__tikethetBoot = { initData: 'signed-b', at: Date.now(), reads };
    expect(takeBootRead('GET', '/me', 'signed-a')).toBeNull();
    g.__tikethetBoot = { initData: '', at: Date.now(), reads };
    expect(takeBootRead('GET', '/me', '')).toBeNull();
    g.__tikethetBoot = { initData: 'signed-a', at: Date.now() - 16_000, reads };
    expect(takeBootRead('GET', '/me', 'signed-a')).toBeNull();
    g.__tikethetBoot = { initData: 'signed-a', at: Number.NaN, reads };
    expect(takeBootRead('GET', '/me', 'signed-a')).toBeNull();
    g.__tikethetBoot = { initData: 'signed-a', at: Date.now(), reads };
    expect(takeBootRead('POST', '/me', 'signed-a')).toBeNull();
    // Still there for the right ask.
    expect(takeBootRead('GET', '/me', 'signed-a')).not.toBeNull();
  });

  it('gives nothing when no boot script ran', () => {
    expect(takeBootRead('GET', '/me', 'signed-a')).toBeNull();
  });
});
