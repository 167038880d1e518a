// Agents: follow the queue, claim, work their tickets with replies, internal notes and status changes.
import { call, callIdempotent } from './http.mjs';
import { between, loop, nonce, pick } from './util.mjs';
import { GatewayClient } from './ws-client.mjs';

const STATUS_MOVES = ['open', 'pending', 'resolved'];

export class Agent {
  constructor(index, ctx) {
    this.index = index;
    this.ctx = ctx;
    this.user = { id: 2_000_001 + index, first_name: `Agent${index}`, language_code: 'en' };
    /** ticketId -> latest version seen. */
    this.mine = new Map();
    this.claiming = new Set();
    this.stats = { claims: 0, claimConflicts: 0, replies: 0, notes: 0, patches: 0, patchConflicts: 0 };
    this.ws = new GatewayClient(this.user, ctx.gatewayUrls, {
      onQueueEvent: (event) => this.onQueueEvent(event),
      onQueueResync: () => void this.sweepUnassigned(),
      onEvent: (event) => this.onTicketEvent(event),
    });
  }

  /** The first agent by ticket id claims at once; a few others race it (409 is fine). */
  onQueueEvent(event) {
    const ticket = event.data?.ticket;
    if (!ticket || ticket.assigneeId !== null || !this.ctx.running()) return;
    const preferred = ticket.id % this.ctx.agentCount === this.index;
    if (preferred) void this.claim(ticket.id);
    else if (Math.random() < 0.08) setTimeout(() => void this.claim(ticket.id), between(0, 300));
  }

  onTicketEvent(event) {
    const ticket = event.data?.ticket;
    if (ticket && this.mine.has(ticket.id)) {
      this.mine.set(ticket.id, Math.max(this.mine.get(ticket.id) ?? 0, ticket.version));
    }
  }

  async claim(ticketId) {
    if (this.mine.has(ticketId) || this.claiming.has(ticketId)) return;
    this.claiming.add(ticketId);
    const task = callIdempotent(
      this.ctx.apiUrl,
      this.user,
      'POST',
      `/tickets/${ticketId}/claim`,
      undefined,
      this.ctx.aborted,
    );
    this.ctx.inflight.add(task);
    try {
      const res = await task;
      if (res?.status === 200 || res?.status === 201) {
        this.stats.claims += 1;
        this.take(ticketId, res.body.version);
      } else if (res?.status === 409) {
        this.stats.claimConflicts += 1;
      }
    } finally {
      this.ctx.inflight.delete(task);
      this.claiming.delete(ticketId);
    }
  }

  take(ticketId, version) {
    if (!this.mine.has(ticketId)) this.mine.set(ticketId, version);
    this.ws.subscribeTicket(ticketId);
  }

  /** After a reconnect or a queue resync: the snapshot over REST, as the Mini App re-reads it. */
  async sweepUnassigned() {
    if (!this.ctx.running()) return;
    const res = await call(this.ctx.apiUrl, this.user, 'GET', '/tickets?assignee=none&limit=100').catch(
      () => null,
    );
    if (res?.status !== 200) return;
    for (const ticket of res.body.items) {
      if (ticket.id % this.ctx.agentCount === this.index || Math.random() < 0.05) await this.claim(ticket.id);
    }
  }

  async work() {
    const ids = [...this.mine.keys()];
    if (ids.length === 0) return;
    const ticketId = pick(ids);
    const roll = Math.random();
    if (roll < 0.6) {
      const tag = nonce('r');
      const res = await callIdempotent(
        this.ctx.apiUrl,
        this.user,
        'POST',
        `/tickets/${ticketId}/messages`,
        { body: `reply ${tag}`, clientMessageId: tag },
        this.ctx.aborted,
      );
      if (res?.status === 201 || res?.status === 200) this.stats.replies += 1;
      return;
    }
    if (roll < 0.85) {
      const tag = nonce('n');
      const res = await callIdempotent(
        this.ctx.apiUrl,
        this.user,
        'POST',
        `/tickets/${ticketId}/messages`,
        { body: `note ${tag}`, internal: true, clientMessageId: tag },
        this.ctx.aborted,
      );
      if (res?.status === 201 || res?.status === 200) this.stats.notes += 1;
      return;
    }
    const version = this.mine.get(ticketId) ?? 0;
    const res = await call(this.ctx.apiUrl, this.user, 'PATCH', `/tickets/${ticketId}`, {
      status: pick(STATUS_MOVES),
      version,
    }).catch(() => null);
    if (res?.status === 200) {
      this.stats.patches += 1;
      this.mine.set(ticketId, Math.max(version, res.body.version));
    } else if (res?.status === 409) this.stats.patchConflicts += 1;
  }

  start(inflight) {
    this.ws.start();
    this.ws.subscribeQueue();
    const sweeper = loop(
      this.ctx.running,
      () => between(10_000, 20_000),
      () => this.sweepUnassigned(),
      inflight,
    );
    const worker = loop(
      this.ctx.running,
      () => between(1500, 4500),
      () => this.work(),
      inflight,
    );
    return Promise.all([sweeper, worker]);
  }

  stop() {
    this.ws.stop();
  }
}
