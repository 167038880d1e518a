import { parseInput, ValidationError } from './errors';
import { busMessageSchema, ticketEventSchema } from './events';
import { postMessageInputSchema } from './message';
import { createTicketInputSchema, listTicketsQuerySchema, updateTicketInputSchema } from './ticket';
import { languageFrom } from './user';

function issuesOf(fn: () => unknown) {
  try {
    fn();
  } catch (e) {
    if (e instanceof ValidationError) return e.issues.map((i) => i.path);
    throw e;
  }
  throw new Error('expected a ValidationError');
}

describe('input schemas', () => {
  it('trims text and names empty or oversized fields', () => {
    expect(parseInput(createTicketInputSchema, { subject: '  Hi ', body: 'x' }).subject).toBe('Hi');
    expect(issuesOf(() => parseInput(createTicketInputSchema, { subject: '   ', body: 'x' }))).toEqual([
      'subject',
    ]);
    expect(
      issuesOf(() => parseInput(createTicketInputSchema, { subject: 'a', body: 'x'.repeat(4001) })),
    ).toEqual(['body']);
    expect(issuesOf(() => parseInput(postMessageInputSchema, { body: 'a\u0000b' }))).toEqual(['body']);
  });

  it('rejects unknown fields by name (no mass assignment)', () => {
    expect(
      issuesOf(() => parseInput(createTicketInputSchema, { subject: 'a', body: 'b', customerId: 5 })),
    ).toEqual(['customerId']);
    expect(issuesOf(() => parseInput(postMessageInputSchema, { body: 'b', authorId: 5 }))).toEqual([
      'authorId',
    ]);
  });

  it('requires a version and something to change in a patch', () => {
    expect(issuesOf(() => parseInput(updateTicketInputSchema, { status: 'open' }))).toEqual(['version']);
    expect(issuesOf(() => parseInput(updateTicketInputSchema, { version: 1 }))).toEqual(['status']);
    expect(issuesOf(() => parseInput(updateTicketInputSchema, { version: 1, status: 'gone' }))).toEqual([
      'status',
    ]);
  });

  it('parses list queries from strings', () => {
    expect(parseInput(listTicketsQuerySchema, { status: 'new,open', limit: '20' })).toEqual({
      status: ['new', 'open'],
      limit: 20,
    });
    expect(issuesOf(() => parseInput(listTicketsQuerySchema, { limit: '0' }))).toEqual(['limit']);
    expect(issuesOf(() => parseInput(listTicketsQuerySchema, { status: 'new,bogus' }))).toEqual(['status.1']);
  });

  it('rejects malformed bus messages and events', () => {
    expect(busMessageSchema.safeParse({ kind: 'event', event: { type: 'message.created' } }).success).toBe(
      false,
    );
    expect(ticketEventSchema.safeParse({ type: 'nope' }).success).toBe(false);
    expect(busMessageSchema.safeParse({ kind: 'role_changed', userId: 5, role: 'agent' }).success).toBe(true);
  });
});

describe('languageFrom', () => {
  it('is Russian first and English for other languages', () => {
    expect([
      languageFrom(undefined),
      languageFrom('ru'),
      languageFrom('uk'),
      languageFrom('en-US'),
      languageFrom('de'),
    ]).toEqual(['ru', 'ru', 'ru', 'en', 'en']);
  });
});
