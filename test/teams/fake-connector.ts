import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One call the fake received. */
export interface ConnectorCall {
  method: string;
  /** The conversation id, decoded (channel threads end in `;messageid=...`). */
  conversation: string | null;
  /** The activity id in the path (a reply or an update names it). */
  activityId: string | null;
  path: string;
  body: Record<string, unknown> | null;
  token: string | null;
  /** The status the fake answered. */
  status: number;
}

interface Member {
  id: string;
  name: string;
  email?: string;
  userPrincipalName?: string;
  aadObjectId?: string;
}

interface Fault {
  test: (call: ConnectorCall) => boolean;
  status: number;
  times: number;
  headers: Record<string, string>;
}

/**
 * A local stand-in for the Bot Connector (the `serviceUrl` of Teams activities,
 * https://learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-connector-api-reference):
 * `POST /v3/conversations/{id}/activities[/{activityId}]`, `PUT` to update one, `GET .../members/{id}`,
 * and `GET /v3/attachments/{id}/views/original` for pasted images. Like the real one it wants the bot's
 * bearer token on every call (401 without). It records every call, and can answer some with a fault
 * (429 with Retry-After, 502...) to test back-off.
 */
export class FakeConnector {
  readonly calls: ConnectorCall[] = [];
  private readonly members = new Map<string, Member>();
  private readonly files = new Map<string, { bytes: Uint8Array; type: string }>();
  private readonly faults: Fault[] = [];
  private readonly waiters: { test: (call: ConnectorCall) => boolean; resolve: (call: ConnectorCall) => void }[] = [];
  private server: Server | undefined;
  private seq = 0;
  url = '';

  /** `token`: the bearer token every call must carry; null for a connector that wants none (the Emulator's). */
  constructor(readonly token: string | null) {}

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      this.route(req, res).catch((error) => {
        if (!res.headersSent) send(res, 500, { error: String(error) });
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  addMember(member: Member): void {
    this.members.set(member.id, member);
  }

  /** An image as Teams lists it when pasted into a message: `image/*`, served with the bot's token only. */
  addPastedImage(bytes: Uint8Array, type = 'image/png'): { contentType: string; contentUrl: string } {
    const id = `0-weu-d1-${String(++this.seq).padStart(8, '0')}`;
    this.files.set(id, { bytes, type });
    return { contentType: 'image/*', contentUrl: `${this.url}v3/attachments/${id}/views/original` };
  }

  /** Answer the next `times` calls that pass `test` with `status` (and headers) instead of handling them. */
  fail(test: (call: ConnectorCall) => boolean, status: number, times = 1, headers: Record<string, string> = {}): void {
    this.faults.push({ test, status, times, headers });
  }

  /** Activities the bot sent (posted, not updates), in order; typing indicators left out unless asked. */
  sent(options: { typing?: boolean; conversation?: string } = {}): Record<string, unknown>[] {
    return this.calls
      .filter((c) => c.method === 'POST' && c.status === 200 && c.body !== null && c.path.includes('/activities'))
      .filter((c) => options.conversation === undefined || c.conversation === options.conversation)
      .map((c): Record<string, unknown> => ({ ...c.body, _to: c.conversation, _replyTo: c.activityId }))
      .filter((a) => options.typing || a.type !== 'typing');
  }

  updates(): ConnectorCall[] {
    return this.calls.filter((c) => c.method === 'PUT' && c.status === 200);
  }

  downloads(): ConnectorCall[] {
    return this.calls.filter((c) => c.path.startsWith('/v3/attachments/'));
  }

  /** Resolves with the first call (already received or coming) that passes `test`. */
  waitFor(test: (call: ConnectorCall) => boolean): Promise<ConnectorCall> {
    const seen = this.calls.find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.waiters.push({ test, resolve }));
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const auth = req.headers.authorization ?? null;
    const token = auth?.startsWith('Bearer ') ? auth.slice(7) : null;
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const call: ConnectorCall = {
      method: req.method ?? 'GET',
      conversation: parts[1] === 'conversations' ? (parts[2] ?? null) : null,
      activityId: parts[3] === 'activities' ? (parts[4] ?? null) : null,
      path: url.pathname,
      body: raw ? (JSON.parse(raw) as Record<string, unknown>) : null,
      token,
      status: 0,
    };
    const answer = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      call.status = status;
      this.calls.push(call);
      if (Buffer.isBuffer(body)) {
        res.writeHead(status, headers);
        res.end(body);
      } else send(res, status, body, headers);
      for (const waiter of [...this.waiters]) {
        if (!waiter.test(call)) continue;
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve(call);
      }
    };
    if (token !== this.token) return answer(401, { message: 'Authorization has been denied for this request.' });
    const fault = this.faults.find((f) => f.times > 0 && f.test(call));
    if (fault) {
      fault.times -= 1;
      return answer(fault.status, { error: { code: 'Throttled', message: 'slow down' } }, fault.headers);
    }
    if (parts[0] === 'v3' && parts[1] === 'attachments' && parts[2]) {
      const file = this.files.get(parts[2]);
      if (!file) return answer(404, { error: { code: 'NotFound' } });
      return answer(200, Buffer.from(file.bytes), { 'content-type': file.type });
    }
    if (parts[0] !== 'v3' || parts[1] !== 'conversations' || !call.conversation)
      return answer(404, { error: { code: 'NotFound' } });
    if (parts[3] === 'members' && parts[4] && req.method === 'GET') {
      const member = this.members.get(parts[4]);
      return member ? answer(200, member) : answer(404, { error: { code: 'MemberNotFoundInConversation' } });
    }
    if (parts[3] === 'activities' && req.method === 'POST') {
      const id = `1700${String(++this.seq).padStart(9, '0')}`;
      call.body = { ...call.body, id };
      return answer(200, { id });
    }
    if (parts[3] === 'activities' && parts[4] && req.method === 'PUT') return answer(200, { id: parts[4] });
    return answer(404, { error: { code: 'NotFound' } });
  }
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}
