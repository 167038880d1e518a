import {
  canBeAssigned,
  canChangeStatus,
  canClaim,
  canCreateSharedCannedReply,
  canManageAgents,
  canManageCannedReply,
  canManageCategories,
  canManageServiceLevels,
  canOpenAtPriority,
  canPostMessage,
  canRate,
  canReadCannedReplies,
  canReadCategories,
  canSeeEvent,
  canSeeMessage,
  canSeePresence,
  canSeeTyping,
  canSetAvailability,
  canSubscribeQueue,
  canViewStats,
  canViewTicket,
  forbiddenPatchField,
} from './permissions';
import type { Actor } from './roles';
import type { Ticket } from './ticket';

const owner: Actor = { id: 100, role: 'customer' };
const other: Actor = { id: 200, role: 'customer' };
const agent: Actor = { id: 300, role: 'agent' };
const agent2: Actor = { id: 301, role: 'agent' };
const admin: Actor = { id: 400, role: 'admin' };
const actors = { owner, other, agent, admin } as const;
type Who = keyof typeof actors;

const ticket: Ticket = {
  id: 1,
  subject: 's',
  status: 'open',
  priority: 'normal',
  categoryId: null,
  customerId: 100,
  assigneeId: null,
  version: 1,
  lastSeq: 1,
  source: 'miniapp',
  createdAt: '',
  updatedAt: '',
  lastMessageAt: '',
  lastMessagePreview: null,
  firstResponseAt: null,
  resolvedAt: null,
  closedAt: null,
  rating: null,
  sla: {
    firstResponseDueAt: null,
    nextResponseDueAt: null,
    resolutionDueAt: null,
    breachedAt: null,
    pausedAt: null,
  },
  tags: [],
  mergedIntoId: null,
};

/** Each row: a rule and the actors for whom it must hold; it must not hold for the others. */
const matrix: Array<[string, (a: Actor) => boolean, Who[]]> = [
  ['view ticket', (a) => canViewTicket(a, ticket), ['owner', 'agent', 'admin']],
  ['see public message', (a) => canSeeMessage(a, ticket, { internal: false }), ['owner', 'agent', 'admin']],
  ['see internal note', (a) => canSeeMessage(a, ticket, { internal: true }), ['agent', 'admin']],
  [
    'see public event',
    (a) => canSeeEvent(a, { customerId: 100, internal: false }),
    ['owner', 'agent', 'admin'],
  ],
  ['see internal event', (a) => canSeeEvent(a, { customerId: 100, internal: true }), ['agent', 'admin']],
  ['post reply', (a) => canPostMessage(a, ticket, false), ['owner', 'agent', 'admin']],
  ['post note', (a) => canPostMessage(a, ticket, true), ['agent', 'admin']],
  ['claim', canClaim, ['agent', 'admin']],
  ['rate', (a) => canRate(a, ticket), ['owner']],
  ['read categories', canReadCategories, ['owner', 'other', 'agent', 'admin']],
  ['manage categories', canManageCategories, ['admin']],
  ['read canned replies', canReadCannedReplies, ['agent', 'admin']],
  ['manage shared canned reply', (a) => canManageCannedReply(a, { ownerId: null }), ['admin']],
  ['manage agent 300 canned reply', (a) => canManageCannedReply(a, { ownerId: 300 }), ['agent', 'admin']],
  ['create shared canned reply', canCreateSharedCannedReply, ['admin']],
  ['manage agents', canManageAgents, ['admin']],
  ['view stats', canViewStats, ['agent', 'admin']],
  ['subscribe queue', canSubscribeQueue, ['agent', 'admin']],
  [
    'see typing on reply',
    (a) => canSeeTyping(a, { customerId: 100, internal: false }),
    ['owner', 'agent', 'admin'],
  ],
  ['see typing on note', (a) => canSeeTyping(a, { customerId: 100, internal: true }), ['agent', 'admin']],
  ['see presence', (a) => canSeePresence(a, ticket), ['agent', 'admin']],
  ['close ticket', (a) => canChangeStatus(a, ticket, 'closed'), ['owner', 'agent', 'admin']],
  ['set pending', (a) => canChangeStatus(a, ticket, 'pending'), ['agent', 'admin']],
  [
    'patch priority',
    (a) => forbiddenPatchField(a, ticket, { priority: 'high' }) === null,
    ['agent', 'admin'],
  ],
  ['patch assignee', (a) => forbiddenPatchField(a, ticket, { assigneeId: 300 }) === null, ['agent', 'admin']],
  ['patch category', (a) => forbiddenPatchField(a, ticket, { categoryId: 1 }) === null, ['agent', 'admin']],
  [
    'patch status',
    (a) => forbiddenPatchField(a, ticket, { status: 'closed' }) === null,
    ['owner', 'agent', 'admin'],
  ],
];

describe('permission matrix', () => {
  const cells = matrix.flatMap(([rule, check, allowed]) =>
    (Object.keys(actors) as Who[]).map((who) => [rule, who, allowed.includes(who), check] as const),
  );
  it.each(cells)('%s as %s -> %s', (_rule, who, expected, check) => {
    expect(check(actors[who])).toBe(expected);
  });

  it('an agent cannot manage another agent’s canned reply', () => {
    expect(canManageCannedReply(agent2, { ownerId: 300 })).toBe(false);
  });

  it('names the field a customer may not patch', () => {
    expect(forbiddenPatchField(owner, ticket, { status: 'closed', priority: 'urgent' })).toBe('priority');
    expect(forbiddenPatchField(other, ticket, { status: 'closed' })).toBe('status');
  });

  it('customers open tickets at low or normal priority only; staff at any (agents decide urgency)', () => {
    for (const customer of [owner, other]) {
      expect(
        [undefined, 'low', 'normal', 'high', 'urgent'].map((p) => canOpenAtPriority(customer, p)),
      ).toEqual([true, true, true, false, false]);
    }
    for (const staff of [agent, admin]) {
      expect(['low', 'normal', 'high', 'urgent'].every((p) => canOpenAtPriority(staff, p))).toBe(true);
    }
  });

  it('only staff can be assignees', () => {
    expect([canBeAssigned('customer'), canBeAssigned('agent'), canBeAssigned('admin')]).toEqual([
      false,
      true,
      true,
    ]);
  });
});

describe('service levels and availability', () => {
  test.each([
    ['owner', false],
    ['agent', false],
    ['admin', true],
  ] as const)('%s manages the service levels: %s', (who, allowed) => {
    expect(canManageServiceLevels(actors[who])).toBe(allowed);
  });
  test.each([
    ['owner', false],
    ['agent', true],
    ['admin', true],
  ] as const)('%s sets an availability: %s', (who, allowed) => {
    expect(canSetAvailability(actors[who])).toBe(allowed);
  });
});
