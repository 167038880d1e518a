import { canManageTags, canTriage, canViewCustomer, forbiddenPatchField } from './permissions';
import type { Actor } from './roles';
import { tagSchema, tagsSchema } from './tags';
import type { Ticket } from './ticket';
import { bulkTicketsInputSchema, isOwnContact, phoneDigits, updateCustomerInputSchema } from './triage';

const customer: Actor = { id: 1, role: 'customer' };
const agent: Actor = { id: 2, role: 'agent' };
const admin: Actor = { id: 3, role: 'admin' };

describe('tags', () => {
  it('are trimmed and lower-cased; duplicates fold; order is kept', () => {
    expect(tagSchema.parse('  Billing ')).toBe('billing');
    expect(tagSchema.parse('Оплата-2')).toBe('оплата-2');
    expect(tagsSchema.parse(['VIP', 'vip', 'refund', 'Vip '])).toEqual(['vip', 'refund']);
  });

  it.each(['', '   ', '-lead', 'two words', 'a,b', 'x'.repeat(33), '#hash'])('refuses %j', (tag) => {
    expect(tagSchema.safeParse(tag).success).toBe(false);
  });

  it('at most ten on a ticket', () => {
    expect(tagsSchema.safeParse(Array.from({ length: 10 }, (_, i) => `t${i}`)).success).toBe(true);
    expect(tagsSchema.safeParse(Array.from({ length: 11 }, (_, i) => `t${i}`)).success).toBe(false);
  });
});

describe('who triages', () => {
  it('staff tag, bulk-act, merge and read cards; only admins rename tags; customers none of it', () => {
    expect([customer, agent, admin].map(canTriage)).toEqual([false, true, true]);
    expect([customer, agent, admin].map(canViewCustomer)).toEqual([false, true, true]);
    expect([customer, agent, admin].map(canManageTags)).toEqual([false, false, true]);
  });

  it("a customer's patch naming tags is refused naming tags", () => {
    const ticket = { customerId: customer.id, status: 'open' } as Ticket;
    expect(forbiddenPatchField(customer, ticket, { tags: ['x'] })).toBe('tags');
    expect(forbiddenPatchField(agent, ticket, { tags: ['x'] })).toBeNull();
  });
});

describe('contacts', () => {
  it('only a contact whose user_id is the sender is their own', () => {
    expect(isOwnContact(42, { user_id: 42 })).toBe(true);
    expect(isOwnContact(42, { user_id: 43 })).toBe(false);
    expect(isOwnContact(42, {})).toBe(false);
  });

  it('a phone is kept as its digits', () => {
    expect(phoneDigits('+7 (999) 000-11-22')).toBe('79990001122');
  });
});

describe('inputs', () => {
  it('a bulk action names what to change and at most 100 tickets; ids fold', () => {
    expect(bulkTicketsInputSchema.parse({ ids: [1, 1, 2], status: 'closed' }).ids).toEqual([1, 2]);
    expect(bulkTicketsInputSchema.safeParse({ ids: [1] }).success).toBe(false);
    const many = Array.from({ length: 101 }, (_, i) => i + 1);
    expect(bulkTicketsInputSchema.safeParse({ ids: many, status: 'closed' }).success).toBe(false);
  });

  it('a note is text or null, nothing else', () => {
    expect(updateCustomerInputSchema.parse({ note: '  VIP ' })).toEqual({ note: 'VIP' });
    expect(updateCustomerInputSchema.parse({ note: null })).toEqual({ note: null });
    expect(updateCustomerInputSchema.safeParse({ note: 'a', phone: '1' }).success).toBe(false);
  });
});
