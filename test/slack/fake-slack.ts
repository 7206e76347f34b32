import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';

/** One Web API call the fake received. */
export interface ApiCall {
  method: string;
  args: Record<string, unknown>;
  /** The bearer token the call carried. */
  token: string | null;
}

/** One file download the fake received. */
export interface Download {
  path: string;
  token: string | null;
}

interface FakeUser {
  id: string;
  name: string;
  real_name: string;
  profile: { real_name: string; display_name: string; email?: string };
}

interface FakeFile {
  id: string;
  name: string;
  mimetype: string;
  bytes: Uint8Array;
}

const BOT = { user_id: 'UBOT', bot_id: 'BBOT', team_id: 'T0001', team: 'Academies', user: 'helpdesk' };

/**
 * A local stand-in for Slack's Web API (https://docs.slack.dev/reference/methods), on 127.0.0.1: the
 * methods the bot calls, with Slack's request and response shapes (form or JSON bodies, bearer token,
 * `{ok: false, error}` on failure), and `url_private` file downloads that need the bot token as Slack's
 * do (without it: Slack's sign-in page). It records every call, so tests read what the bot did.
 */
export class FakeSlack {
  readonly calls: ApiCall[] = [];
  readonly downloads: Download[] = [];
  readonly users = new Map<string, FakeUser>();
  private readonly files = new Map<string, FakeFile>();
  private readonly messages = new Map<string, Record<string, unknown>>();
  private readonly postedMessages: Record<string, unknown>[] = [];
  private readonly waiters: { test: (call: ApiCall) => boolean; resolve: (call: ApiCall) => void }[] = [];
  /** Methods whose answers wait (a slow Slack), until the function `hold` returned is called. */
  private readonly held = new Map<string, { gate: Promise<void>; arrived: () => void }>();
  private server: Server | undefined;
  private seq = 0;
  private sockets: WebSocketServer | undefined;
  private readonly connected: WebSocket[] = [];
  private readonly acks = new Map<string, (ack: Record<string, unknown>) => void>();
  url = '';

  /** With an app-level token, the fake also offers Socket Mode (apps.connections.open, then a WebSocket). */
  constructor(
    readonly botToken: string,
    readonly appToken?: string,
  ) {}

  /** The base URL for `SLACK_API_URL`. */
  get apiUrl(): string {
    return `${this.url}/api/`;
  }

  get bot() {
    return BOT;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      this.route(req, res).catch((error) => {
        if (!res.headersSent) reply(res, 500, {}, String(error));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    if (this.appToken) this.openSockets();
  }

  /** Socket Mode's WebSocket end: `hello` on connect, then envelopes the app acknowledges by id. */
  private openSockets(): void {
    this.sockets = new WebSocketServer({ server: this.server!, path: '/link/' });
    this.sockets.on('connection', (socket) => {
      this.connected.push(socket);
      socket.on('message', (data) => {
        const ack = JSON.parse(String(data)) as Record<string, unknown>;
        const envelope = String(ack.envelope_id);
        this.acks.get(envelope)?.(ack);
        this.acks.delete(envelope);
      });
      socket.send(
        JSON.stringify({
          type: 'hello',
          num_connections: 1,
          debug_info: { host: 'fake-slack', approximate_connection_time: 3600 },
          connection_info: { app_id: 'A0001' },
        }),
      );
    });
  }

  /** Deliver an Events API payload over Socket Mode; resolves with the app's acknowledgement. */
  sendOverSocket(payload: Record<string, unknown>, retryAttempt = 0): Promise<Record<string, unknown>> {
    const socket = this.connected.at(-1);
    if (!socket) throw new Error('no Socket Mode connection');
    const envelope = randomUUID();
    const acked = new Promise<Record<string, unknown>>((resolve) => this.acks.set(envelope, resolve));
    socket.send(
      JSON.stringify({
        envelope_id: envelope,
        payload,
        type: 'events_api',
        accepts_response_payload: false,
        retry_attempt: retryAttempt,
        retry_reason: retryAttempt ? 'timeout' : '',
      }),
    );
    return acked;
  }

  async close(): Promise<void> {
    for (const socket of this.connected) socket.terminate();
    await new Promise<void>((resolve) => (this.sockets ? this.sockets.close(() => resolve()) : resolve()));
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  addUser(id: string, realName: string, email?: string): void {
    const first = realName.split(' ')[0]!.toLowerCase();
    this.users.set(id, {
      id,
      name: first,
      real_name: realName,
      profile: { real_name: realName, display_name: first, ...(email ? { email } : {}) },
    });
  }

  /** A file as Slack lists it in a `file_share` message event. */
  addFile(name: string, mimetype: string, bytes: Uint8Array): Record<string, unknown> {
    const id = `F${String(++this.seq).padStart(8, '0')}`;
    this.files.set(id, { id, name, mimetype, bytes });
    return this.fileObject(id)!;
  }

  private fileObject(id: string): Record<string, unknown> | null {
    const file = this.files.get(id);
    if (!file) return null;
    const path = `/files-pri/${BOT.team_id}-${id}/${encodeURIComponent(file.name)}`;
    return {
      id,
      name: file.name,
      title: file.name,
      mimetype: file.mimetype,
      filetype: file.name.split('.').pop(),
      size: file.bytes.byteLength,
      url_private: `${this.url}${path}`,
      url_private_download: `${this.url}${path.replace('/files-pri/', '/files-pri-download/')}`,
      permalink: `https://academies.slack.com/files/${BOT.user_id}/${id}/${file.name}`,
      mode: 'hosted',
      is_external: false,
    };
  }

  /** Calls of one method, in order. */
  callsTo(method: string): ApiCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /**
   * The messages the bot posted (chat.postMessage), in order, as Slack now holds them (with their `ts`,
   * after any chat.update); optionally only those in one channel or thread.
   */
  posted(where: { channel?: string; thread_ts?: string } = {}): Record<string, unknown>[] {
    return this.postedMessages.filter(
      (m) =>
        (where.channel === undefined || m.channel === where.channel) &&
        (!('thread_ts' in where) || m.thread_ts === where.thread_ts),
    );
  }

  /**
   * Answers to `method` wait until `release()` (a Slack slow to answer); `received` resolves when such a
   * call has come in.
   */
  hold(method: string): { received: Promise<void>; release(): void } {
    let release!: () => void;
    let arrived!: () => void;
    const received = new Promise<void>((resolve) => (arrived = resolve));
    const gate = new Promise<void>((resolve) => (release = resolve));
    this.held.set(method, { gate, arrived });
    return {
      received,
      release: () => {
        this.held.delete(method);
        release();
      },
    };
  }

  /** Resolves with the first call (already received or still to come) that passes the test. */
  waitFor(test: (call: ApiCall) => boolean): Promise<ApiCall> {
    const seen = this.calls.find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.waiters.push({ test, resolve }));
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? null;
    if (req.method === 'GET' && /^\/files-pri(-download)?\//.test(url.pathname)) {
      this.downloads.push({ path: url.pathname, token });
      const id = /-(F\d+)\//.exec(url.pathname)?.[1];
      const file = id ? this.files.get(id) : undefined;
      if (!file) {
        reply(res, 404, { 'content-type': 'text/plain' }, 'Not found');
      } else if (token !== this.botToken) {
        // What Slack does for a request without a valid token: its sign-in page, not the file.
        reply(res, 200, { 'content-type': 'text/html; charset=utf-8' }, '<!DOCTYPE html><title>Slack</title>');
      } else {
        reply(res, 200, { 'content-type': file.mimetype, 'content-length': file.bytes.byteLength }, file.bytes);
      }
      return;
    }
    const method = /^\/api\/([\w.]+)$/.exec(url.pathname)?.[1];
    if (req.method !== 'POST' || !method) {
      reply(res, 404);
      return;
    }
    const args = parseBody(await readBody(req), req.headers['content-type'] ?? '');
    const held = this.held.get(method);
    if (held) {
      held.arrived();
      await held.gate;
    }
    const call: ApiCall = { method, args, token: token ?? (typeof args.token === 'string' ? args.token : null) };
    const answer =
      method === 'apps.connections.open'
        ? this.appToken && call.token === this.appToken
          ? { ok: true, url: `${this.url.replace('http', 'ws')}/link/?ticket=${randomUUID()}&app_id=A0001` }
          : { ok: false, error: 'invalid_auth' }
        : call.token === this.botToken
          ? this.answer(call)
          : { ok: false, error: 'invalid_auth' };
    this.calls.push(call);
    reply(res, 200, { 'content-type': 'application/json; charset=utf-8' }, JSON.stringify(answer));
    for (const waiter of [...this.waiters]) {
      if (waiter.test(call)) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve(call);
      }
    }
  }

  private answer({ method, args }: ApiCall): Record<string, unknown> {
    switch (method) {
      case 'auth.test':
        return { ok: true, url: 'https://academies.slack.com/', ...BOT, is_enterprise_install: false };
      case 'chat.postMessage': {
        if (typeof args.channel !== 'string' || !args.channel) return { ok: false, error: 'channel_not_found' };
        if (!args.text && !args.blocks) return { ok: false, error: 'no_text' };
        const ts = `${1_800_000_000 + ++this.seq}.000100`;
        const message = { type: 'message', user: BOT.user_id, bot_id: BOT.bot_id, ts, ...args };
        this.messages.set(ts, message);
        this.postedMessages.push(message);
        return { ok: true, channel: args.channel, ts, message };
      }
      case 'chat.postEphemeral': {
        if (typeof args.channel !== 'string' || !args.channel) return { ok: false, error: 'channel_not_found' };
        if (typeof args.user !== 'string' || !this.users.has(args.user)) return { ok: false, error: 'user_not_found' };
        if (!args.text && !args.blocks) return { ok: false, error: 'no_text' };
        return { ok: true, message_ts: `${1_800_000_000 + ++this.seq}.000100` };
      }
      case 'chat.update': {
        const existing = this.messages.get(String(args.ts));
        if (!existing || existing.channel !== args.channel) return { ok: false, error: 'message_not_found' };
        Object.assign(existing, { text: args.text, blocks: args.blocks });
        return { ok: true, channel: args.channel, ts: args.ts, text: args.text };
      }
      case 'conversations.open': {
        const user = String(args.users ?? '');
        if (!this.users.has(user)) return { ok: false, error: 'user_not_found' };
        return { ok: true, channel: { id: `D${user.slice(1)}` } };
      }
      case 'users.info': {
        const user = this.users.get(String(args.user));
        return user ? { ok: true, user } : { ok: false, error: 'user_not_found' };
      }
      case 'files.info': {
        const file = this.fileObject(String(args.file));
        return file ? { ok: true, file } : { ok: false, error: 'file_not_found' };
      }
      case 'reactions.add':
        return args.channel && args.timestamp && args.name ? { ok: true } : { ok: false, error: 'invalid_arguments' };
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }
}

/**
 * Write a response in two steps: restify (loaded in the same process) replaces `writeHead` on Node's
 * response prototype with one that does not return the response, so `writeHead().end()` breaks.
 */
function reply(
  res: ServerResponse,
  status: number,
  headers: Record<string, string | number> = {},
  body?: string | Uint8Array,
): void {
  res.writeHead(status, headers);
  res.end(body);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (part: Buffer) => parts.push(part));
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

/** Slack takes form-encoded arguments (objects as JSON strings) or a JSON body. */
function parseBody(raw: string, contentType: string): Record<string, unknown> {
  if (!raw) return {};
  if (contentType.startsWith('application/json')) return JSON.parse(raw) as Record<string, unknown>;
  const args: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    args[key] = /^[[{]/.test(value) ? JSON.parse(value) : value;
  }
  return args;
}

/** A fresh id like Slack's event ids. */
export function eventId(): string {
  return `Ev${randomUUID().replace(/-/g, '').slice(0, 10).toUpperCase()}`;
}
