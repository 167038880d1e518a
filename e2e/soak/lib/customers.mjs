// Customers: most follow their tickets over REST and a gateway socket; some only write to the bot.
import { callIdempotent } from './http.mjs';
import { testkit } from './modules.mjs';
import { between, loop, nonce } from './util.mjs';
import { GatewayClient } from './ws-client.mjs';

/** A Mini App customer: creates a ticket, follows it live, writes now and then. */
export class RestCustomer {
  constructor(index, ctx) {
    this.index = index;
    this.ctx = ctx;
    this.user = { id: 1_000_001 + index, first_name: `Customer${index}`, language_code: 'en' };
    this.ws = new GatewayClient(this.user, ctx.gatewayUrls);
    this.tickets = [];
    /** Writes the API acknowledged: {ticketId, clientMessageId}. */
    this.acked = [];
    this.createsUnanswered = 0;
  }

  async createTicket() {
    const clientMessageId = nonce('t');
    const res = await callIdempotent(
      this.ctx.apiUrl,
      this.user,
      'POST',
      '/tickets',
      { subject: `Soak ${this.index} ${clientMessageId}`, body: `first ${clientMessageId}`, clientMessageId },
      this.ctx.aborted,
    );
    if (res?.status !== 201 && res?.status !== 200) {
      this.createsUnanswered += 1;
      return;
    }
    this.tickets.push(res.body.id);
    this.ws.subscribeTicket(res.body.id);
  }

  async post() {
    const ticketId = this.tickets[Math.floor(Math.random() * this.tickets.length)];
    if (ticketId === undefined) return this.createTicket();
    const clientMessageId = nonce('c');
    const res = await callIdempotent(
      this.ctx.apiUrl,
      this.user,
      'POST',
      `/tickets/${ticketId}/messages`,
      { body: `customer ${clientMessageId}`, clientMessageId },
      this.ctx.aborted,
    );
    if (res?.status === 201 || res?.status === 200) this.acked.push({ ticketId, clientMessageId });
  }

  start(inflight) {
    this.ws.start();
    const first = (async () => {
      await new Promise((resolve) => setTimeout(resolve, between(0, this.ctx.rampMs)));
      if (this.ctx.running()) await this.createTicket();
    })();
    inflight.add(first);
    first.finally(() => inflight.delete(first));
    return first.then(() =>
      loop(
        this.ctx.running,
        () => between(8000, 24_000),
        () => (Math.random() < 0.04 ? this.createTicket() : this.post()),
        inflight,
      ),
    );
  }

  stop() {
    this.ws.stop();
  }
}

/** A Telegram customer: writes to the bot through the fake Bot API, reads replies from its recorded sends. */
export class BotCustomer {
  constructor(index, ctx) {
    this.index = index;
    this.ctx = ctx;
    this.user = { id: 1_500_001 + index, first_name: `BotCustomer${index}`, language_code: 'en' };
    /** Every text sent to the bot, each with its own nonce. */
    this.sent = [];
  }

  write() {
    const tag = nonce('b');
    const text = this.sent.length === 0 ? `Bot problem ${tag}` : `more ${tag}`;
    this.sent.push(tag);
    this.ctx.fake.pushUpdate(testkit.makeTextUpdate({ from: this.user, text }));
    return Promise.resolve();
  }

  start(inflight) {
    return loop(
      this.ctx.running,
      () => (this.sent.length === 0 ? between(0, this.ctx.rampMs) : between(10_000, 30_000)),
      () => this.write(),
      inflight,
    );
  }

  stop() {}
}
