import { verifyWebhook, WEBHOOK_HEADERS } from '../../adapters/tickets/webhook/sink.ts';
import { FakeHttp, type FakeRequest, type FakeResponse } from './http.ts';

export interface WebhookTicket {
  id: string;
  key: string;
  body: { ticket: Record<string, unknown> & { attachments: { name: string }[] } };
  attachments: string[];
  /** `ticket.relabelled` events received for this ticket, in order (`kind`), a repeated key once. */
  kinds: string[];
}

/**
 * A conforming webhook receiver: checks the HMAC signature and timestamp, and answers the same ticket
 * for a repeated Idempotency-Key, as the README asks receivers to.
 */
export class FakeWebhookReceiver {
  readonly tickets: WebhookTicket[] = [];
  readonly http: FakeHttp;
  private readonly relabels = new Set<string>();

  constructor(readonly secret = 'webhook-test-secret') {
    this.http = new FakeHttp(
      (req) => this.route(req),
      (req) => this.signed(req),
      { status: 401, body: { error: 'bad signature' } },
    );
  }

  private signed(req: FakeRequest): boolean {
    try {
      const search = req.query.toString();
      verifyWebhook(
        this.secret,
        {
          timestamp: String(req.headers[WEBHOOK_HEADERS.timestamp] ?? ''),
          signature: String(req.headers[WEBHOOK_HEADERS.signature] ?? ''),
          method: req.method,
          path: `${req.path}${search ? `?${search}` : ''}`,
          body: req.raw.toString('utf8'),
        },
        Date.now(),
      );
      return true;
    } catch {
      return false;
    }
  }

  private route(req: FakeRequest): FakeResponse {
    const status = /^\/tickets\/([^/]+)$/.exec(req.path);
    if (req.method === 'GET' && status) {
      return this.tickets.some((t) => t.id === status[1]) ? { status: 200, body: { status: 'open' } } : { status: 404 };
    }
    if (req.method !== 'POST' || req.path !== '/hook') return { status: 404 };
    const key = String(req.headers[WEBHOOK_HEADERS.idempotencyKey] ?? '');
    const body = req.json() as {
      event: string;
      ticket_id?: string;
      kind?: string;
      ticket: WebhookTicket['body']['ticket'];
      attachments?: { name: string }[];
    };
    if (body.event === 'ticket.relabelled') {
      const t = this.tickets.find((x) => x.id === body.ticket_id);
      if (!t) return { status: 404 };
      if (!body.kind) return { status: 422, body: { error: 'kind missing' } };
      if (!this.relabels.has(key)) t.kinds.push(body.kind);
      this.relabels.add(key);
      return { status: 200, body: { id: t.id } };
    }
    if (body.event === 'ticket.attachments') {
      const t = this.tickets.find((x) => x.id === body.ticket_id);
      if (!t) return { status: 404 };
      for (const a of body.attachments ?? []) if (!t.attachments.includes(a.name)) t.attachments.push(a.name);
      return { status: 200, body: { id: t.id } };
    }
    const earlier = this.tickets.find((t) => t.key === key);
    if (earlier) return { status: 200, body: { id: earlier.id, url: `${this.http.url}/tickets/${earlier.id}` } };
    if (!body.ticket?.title) return { status: 422, body: { error: 'title missing' } };
    const t: WebhookTicket = {
      id: `WH-${this.tickets.length + 1}`,
      key,
      body: body as WebhookTicket['body'],
      attachments: body.ticket.attachments.map((a) => a.name),
      kinds: [],
    };
    this.tickets.push(t);
    return { status: 201, body: { id: t.id, url: `${this.http.url}/tickets/${t.id}` } };
  }
}
