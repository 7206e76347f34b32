import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { Logger } from 'pino';
import restify from 'restify';
import { PROJECT_ROOT } from '../../adapters/config/load.ts';
import type { BlobStore } from '../../adapters/files/blobs.ts';
import type { Lang } from '../../core/config/schema.ts';
import type { Attachment, Reply, Turn } from '../../core/types.ts';
import { Limiter } from '../runtime/limiter.ts';
import { type TurnResult, turnLog } from '../runtime/service.ts';
import type { Channel, ChannelStatus } from '../server/server.ts';
import { COOKIE, cookieValue, RateLimit, SESSION_MS, SessionSigner, sameOrigin, type WebSession } from './session.ts';
import { PAGE_TEXTS } from './texts.ts';
import { MIN_SECRET_CHARS, verifyRequesterToken } from './token.ts';

/** `local`: callers on this machine only (the name/e-mail form proves nothing); `open`: anyone who reaches the port. */
export type WebMode = 'local' | 'open';

export interface WebSettings {
  mode: WebMode;
  /** Signs the session cookies (`WEBCHAT_SECRET`); without it, one drawn at each start. */
  secret?: string;
  /** Sessions a caller address may open per minute (`WEBCHAT_SESSIONS_PER_MINUTE`, default 30). */
  sessionsPerMinute?: number;
  /**
   * Verifies the requester tokens of an intranet page that embeds the chat (`WEBCHAT_TOKEN_SECRET`):
   * when set, callers from other machines must bring one (the name/e-mail form stays for this machine).
   */
  tokenSecret?: string;
}

/** What the web channel needs from the host: the triage runtime, the file store, the configured texts. */
export interface WebDeps {
  turns: { handleTurn(turn: Turn): Promise<TurnResult> };
  blobs: BlobStore;
  log: Logger;
  texts: {
    welcome(lang: Lang): string;
    turnFailed(conversation: string): Promise<string>;
  };
  /** Files above this size are refused (default 10 MB). */
  maxFileBytes?: number;
  /** Turns handled at once; more wait in arrival order (default 4). */
  concurrentTurns?: number;
  /** Messages per minute a requester may send (default 30, 10 at once). */
  messagesPerMinute?: number;
  now?: () => number;
}

/** A reply as the page renders it: plain data, shown as text (never as HTML). */
export interface WebReply {
  text: string;
  choices?: { value: string; label: string }[];
  preview?: Reply['preview'];
}

const ASSETS = join(PROJECT_ROOT, 'bots/web/assets');
const JSON_BODY = 64 * 1024;
const FILE_TYPES = /^(image\/(png|jpeg|gif|webp)|application\/pdf|text\/plain)$/;
/** News kept for a conversation whose page is not listening (closed tab, reconnecting). */
const KEPT_NEWS = 50;
const HEARTBEAT_MS = 25_000;

/** Response headers of every page and answer: no framing, no sniffing, scripts and styles from here only. */
export const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

/**
 * The browser as a channel of the triage bot: a page at `/`, a name/e-mail form (local use), messages
 * and button choices over JSON, screenshots uploaded or pasted into the file store, late news (a
 * ticket number that follows, an agent's messages) pushed over server-sent events. It only translates:
 * requests into core turns, core replies into JSON the page shows as text.
 */
export class WebChannel implements Channel {
  readonly name = 'web';
  private readonly log: Logger;
  private readonly signer: SessionSigner;
  private readonly slots: Limiter;
  private readonly messages: RateLimit;
  private readonly uploads = new RateLimit(20, 10);
  /** Sessions opened per caller address (a form anyone on the machine may fill in). */
  private readonly sessions: RateLimit;
  private readonly streams = new Map<string, Set<ServerResponse>>();
  private readonly news = new Map<string, WebReply[][]>();
  private readonly work = new Set<Promise<unknown>>();
  private readonly now: () => number;
  private assets: Record<string, { type: string; body: Buffer }> | null = null;
  private stopped = false;

  constructor(
    private readonly settings: WebSettings,
    private readonly deps: WebDeps,
  ) {
    this.log = deps.log.child({ channel: 'web' });
    this.signer = new SessionSigner(settings.secret);
    this.slots = new Limiter(deps.concurrentTurns ?? 4);
    this.messages = new RateLimit(deps.messagesPerMinute ?? 30, 10);
    const sessions = settings.sessionsPerMinute ?? 30;
    this.sessions = new RateLimit(sessions, sessions);
    this.now = deps.now ?? Date.now;
  }

  mount(server: restify.Server): void {
    const json = restify.plugins.bodyParser({ maxBodySize: JSON_BODY, mapParams: false, mapFiles: false });
    const guard = (handler: (req: restify.Request, res: restify.Response) => Promise<void> | void) => {
      return async (req: restify.Request, res: restify.Response) => {
        for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
        if (this.settings.mode === 'local' && !isLoopback(req.socket.remoteAddress)) {
          res.send(403, { error: 'the web chat answers this machine only (WEBCHAT=open serves everyone)' });
          return;
        }
        try {
          await handler(req, res);
        } catch (error) {
          this.log.error({ err: String(error), path: req.path() }, 'web request failed');
          if (!res.headersSent) res.send(500, { error: 'internal error' });
        }
      };
    };
    server.get(
      '/',
      guard((req, res) => this.asset(req, res, 'index.html')),
    );
    server.get(
      '/web/chat.js',
      guard((req, res) => this.asset(req, res, 'chat.js')),
    );
    server.get(
      '/web/chat.css',
      guard((req, res) => this.asset(req, res, 'chat.css')),
    );
    server.get(
      '/web/texts.json',
      guard((_req, res) => res.send(200, PAGE_TEXTS)),
    );
    server.get(
      '/web/session',
      guard((req, res) => this.whoAmI(req, res)),
    );
    server.post(
      '/web/session',
      json,
      guard((req, res) => this.openSession(req, res)),
    );
    server.post(
      '/web/files',
      guard((req, res) => this.upload(req, res)),
    );
    server.post(
      '/web/messages',
      json,
      guard((req, res) => this.message(req, res)),
    );
    server.get(
      '/web/events',
      guard((req, res) => this.events(req, res)),
    );
  }

  async start(): Promise<void> {
    this.loadAssets();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const set of this.streams.values()) for (const res of set) res.end();
    this.streams.clear();
    while (this.work.size > 0) await Promise.allSettled([...this.work]);
  }

  status(): ChannelStatus {
    return { state: 'on', mode: this.settings.mode };
  }

  /** Largest body of each route: uploads take screenshots, everything else is small JSON. */
  bodyLimit(path: string): number | undefined {
    return path === '/web/files' ? (this.deps.maxFileBytes ?? 10 * 1024 * 1024) : undefined;
  }

  /** News outside a turn (a late ticket number, a reminder, an agent's message): pushed to the open page. */
  async notify(conversation: string, replies: Reply[]): Promise<void> {
    const event = replies.map(toWeb);
    const open = this.streams.get(conversation);
    if (open && open.size > 0) {
      for (const res of open) send(res, 'news', { replies: event });
      return;
    }
    // Nobody listening now: kept (in this process) for when the page comes back.
    const kept = this.news.get(conversation) ?? [];
    kept.push(event);
    if (kept.length > KEPT_NEWS) kept.shift();
    this.news.set(conversation, kept);
  }

  // ---- routes ----------------------------------------------------------------------------------

  private loadAssets() {
    if (this.assets) return this.assets;
    const read = (name: string) => readFileSync(join(ASSETS, name));
    this.assets = {
      'index.html': { type: 'text/html; charset=utf-8', body: read('index.html') },
      'chat.js': { type: 'text/javascript; charset=utf-8', body: read('chat.js') },
      'chat.css': { type: 'text/css; charset=utf-8', body: read('chat.css') },
    };
    return this.assets;
  }

  private asset(_req: restify.Request, res: restify.Response, name: string): void {
    const asset = this.loadAssets()[name]!;
    res.writeHead(200, { 'content-type': asset.type, 'content-length': asset.body.length });
    res.end(asset.body);
  }

  private session(req: restify.Request): WebSession | null {
    return this.signer.read(cookieValue(req.headers.cookie, COOKIE), this.now());
  }

  /**
   * The session a request that changes something acts for: from this origin, with the CSRF token of
   * its session (a header a form on another page cannot set). Null after the refusal is sent.
   */
  private actor(req: restify.Request, res: restify.Response): WebSession | null {
    if (!sameOrigin(req.headers)) {
      this.log.warn({ path: req.path(), origin: req.headers.origin }, 'cross-origin request refused');
      res.send(403, { error: 'cross-origin request refused' });
      return null;
    }
    const session = this.session(req);
    if (!session) {
      res.send(401, { error: 'no session: fill in the form first' });
      return null;
    }
    if (!this.signer.csrfIs(session, req.header('x-csrf-token'))) {
      this.log.warn({ path: req.path() }, 'request without its CSRF token refused');
      res.send(403, { error: 'missing or wrong CSRF token' });
      return null;
    }
    return session;
  }

  private whoAmI(req: restify.Request, res: restify.Response): void {
    const session = this.session(req);
    if (!session) {
      res.send(401, { error: 'no session' });
      return;
    }
    res.send(200, this.describe(session));
  }

  private describe(session: WebSession) {
    return {
      name: session.name,
      email: session.email,
      lang: session.lang,
      csrf: this.signer.csrf(session),
      welcome: this.deps.texts.welcome(session.lang),
    };
  }

  private openSession(req: restify.Request, res: restify.Response): void {
    if (!sameOrigin(req.headers)) {
      res.send(403, { error: 'cross-origin request refused' });
      return;
    }
    if (!isJson(req)) {
      res.send(415, { error: 'send JSON' });
      return;
    }
    const wait = this.sessions.take(`ip:${req.socket.remoteAddress ?? ''}`, this.now());
    if (wait !== true) {
      tooFast(res, wait);
      return;
    }
    const fields = this.requester(req, res);
    if (!fields) return;
    const opened = this.signer.open(fields, this.now());
    if ('error' in opened) {
      res.send(400, { error: opened.error });
      return;
    }
    const cookie = `${COOKIE}=${this.signer.cookie(opened.session)}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${SESSION_MS / 1000}`;
    res.setHeader('set-cookie', req.isSecure() ? `${cookie}; Secure` : cookie);
    res.send(200, this.describe(opened.session));
  }

  /**
   * Who opens a session: the claims of a signed requester token (an intranet page embedding the chat),
   * or the form's name and e-mail. A forged, expired or unexpected token is refused with why; with a
   * token secret set, the form is for callers on this machine only. Null after the refusal is sent.
   */
  private requester(req: restify.Request, res: restify.Response): Record<string, unknown> | null {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const secret = this.settings.tokenSecret;
    if (body.token !== undefined) {
      if (!secret) {
        res.send(400, { error: 'requester tokens are not accepted here (WEBCHAT_TOKEN_SECRET is not set)' });
        return null;
      }
      const checked = verifyRequesterToken(secret, body.token, this.now());
      if ('error' in checked) {
        this.log.warn({ code: checked.code }, 'requester token refused');
        res.send(401, { error: checked.error, code: checked.code });
        return null;
      }
      const { name, email, lang } = checked.claims;
      return { name, email, lang: lang ?? body.lang };
    }
    if (secret && !isLoopback(req.socket.remoteAddress)) {
      res.send(401, { error: 'open the chat from the intranet page: it signs who you are', code: 'TOKEN_REQUIRED' });
      return null;
    }
    return body;
  }

  /** A file, its bytes as the body (a screenshot pasted or chosen), into the file store. */
  private async upload(req: restify.Request, res: restify.Response): Promise<void> {
    const session = this.actor(req, res);
    if (!session) return;
    const type = (req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (!FILE_TYPES.test(type)) {
      res.send(415, { error: 'screenshots (PNG, JPEG, GIF, WebP), PDF or text only' });
      return;
    }
    const wait = this.uploads.take(session.sid, this.now());
    if (wait !== true) return tooFast(res, wait);
    const max = this.bodyLimit('/web/files')!;
    const bytes = await readBody(req, max);
    if (!bytes) {
      res.setHeader('connection', 'close');
      res.send(413, { error: `file over ${max} bytes` });
      return;
    }
    if (bytes.length === 0) {
      res.send(400, { error: 'empty file' });
      return;
    }
    const ref = await this.deps.blobs.put(bytes);
    const name = fileName(req.header('x-file-name'), type);
    res.send(200, { ref, name, contentType: type, size: bytes.length, token: this.signer.fileToken(session, ref) });
  }

  /** One message or button choice: a turn, answered with the core's replies. */
  private async message(req: restify.Request, res: restify.Response): Promise<void> {
    const session = this.actor(req, res);
    if (!session) return;
    if (!isJson(req)) {
      res.send(415, { error: 'send JSON' });
      return;
    }
    const body = (req.body ?? {}) as { text?: unknown; choice?: unknown; attachments?: unknown };
    const text = typeof body.text === 'string' ? body.text : '';
    const choice = typeof body.choice === 'string' && body.choice.length <= 200 ? body.choice : undefined;
    const attachments = this.attachmentsOf(session, body.attachments);
    if (attachments === null) {
      res.send(400, { error: 'an attachment was not uploaded in this session' });
      return;
    }
    if (!text.trim() && !choice && attachments.length === 0) {
      res.send(400, { error: 'empty message' });
      return;
    }
    const wait = this.messages.take(session.sid, this.now());
    if (wait !== true) return tooFast(res, wait);
    const conversation = `web:${session.sid}`;
    const turn: Turn = {
      conversation,
      user: { id: `web:${session.email.toLowerCase()}`, name: session.name, email: session.email },
      text,
      attachments,
      interactive: true,
      ...(choice ? { choice } : {}),
    };
    const running = this.slots.run(() => this.deps.turns.handleTurn(turn));
    this.track(running);
    let result: TurnResult;
    try {
      result = await running;
    } catch (error) {
      this.log.error({ err: String(error), conversation }, 'turn failed');
      const apology = await this.deps.texts.turnFailed(conversation).catch(() => null);
      res.send(500, { error: 'turn failed', replies: apology ? [{ text: apology }] : [] });
      return;
    }
    this.log.info(turnLog(conversation, result), 'turn handled');
    res.send(200, {
      replies: result.replies.map(toWeb),
      tickets: result.tickets.map((t) => ({ id: t.id, ...(t.url ? { url: t.url } : {}) })),
      status: result.status,
    });
  }

  private attachmentsOf(session: WebSession, given: unknown): Attachment[] | null {
    if (given === undefined) return [];
    if (!Array.isArray(given) || given.length > 10) return null;
    const out: Attachment[] = [];
    for (const a of given as Record<string, unknown>[]) {
      const ref = a?.ref;
      if (typeof ref !== 'string' || !this.signer.fileTokenIs(session, ref, a.token)) return null;
      const type = typeof a.contentType === 'string' && FILE_TYPES.test(a.contentType) ? a.contentType : null;
      if (!type) return null;
      out.push({
        name: fileName(typeof a.name === 'string' ? a.name : undefined, type),
        contentType: type,
        ref,
        ...(typeof a.size === 'number' && a.size >= 0 ? { size: a.size } : {}),
      });
    }
    return out;
  }

  /** Server-sent events for the session's conversation: news kept while away first, then as it comes. */
  private events(req: restify.Request, res: restify.Response): void {
    const session = this.session(req);
    if (!session) {
      res.send(401, { error: 'no session' });
      return;
    }
    if (this.stopped) {
      res.send(503, { error: 'stopping' });
      return;
    }
    const conversation = `web:${session.sid}`;
    const raw = res as unknown as ServerResponse;
    raw.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': 'text/event-stream; charset=utf-8',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    raw.write('retry: 2000\n\n');
    const set = this.streams.get(conversation) ?? new Set();
    set.add(raw);
    this.streams.set(conversation, set);
    for (const replies of this.news.get(conversation) ?? []) send(raw, 'news', { replies });
    this.news.delete(conversation);
    const beat = setInterval(() => raw.write(': beat\n\n'), HEARTBEAT_MS);
    beat.unref();
    req.socket.setTimeout(0);
    req.on('close', () => {
      clearInterval(beat);
      set.delete(raw);
      if (set.size === 0 && this.streams.get(conversation) === set) this.streams.delete(conversation);
    });
  }

  private track(running: Promise<unknown>): void {
    this.work.add(running);
    void running.then(
      () => this.work.delete(running),
      () => this.work.delete(running),
    );
  }
}

function toWeb(reply: Reply): WebReply {
  return {
    text: reply.text,
    ...(reply.choices?.length ? { choices: reply.choices } : {}),
    ...(reply.preview ? { preview: reply.preview } : {}),
  };
}

function send(res: ServerResponse, event: string, data: unknown): void {
  res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

function tooFast(res: restify.Response, seconds: number): void {
  res.setHeader('retry-after', String(seconds));
  res.send(429, { error: 'too many requests', retryAfter: seconds });
}

function isJson(req: restify.Request): boolean {
  return /^application\/json\b/i.test(req.header('content-type') ?? '');
}

/** A file name safe to show and store: no path, no control characters, an extension for its type. */
function fileName(given: string | undefined, type: string): string {
  let name = '';
  try {
    name = decodeURIComponent(given ?? '');
  } catch {}
  name = name
    .replace(/^.*[\\/]/, '')
    .replace(/[\p{Cc}<>:"|?*]/gu, '')
    .trim()
    .slice(0, 120);
  if (name) return name;
  const ext = { 'image/jpeg': 'jpg', 'application/pdf': 'pdf', 'text/plain': 'txt' }[type] ?? type.split('/')[1];
  return `screenshot.${ext}`;
}

async function readBody(req: restify.Request, max: number): Promise<Buffer | null> {
  const parts: Buffer[] = [];
  let total = 0;
  for await (const part of req as AsyncIterable<Buffer>) {
    total += part.length;
    if (total > max) return null;
    parts.push(part);
  }
  return Buffer.concat(parts);
}

export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const a = address.replace(/^::ffff:/, '');
  return a === '::1' || /^127\./.test(a);
}

/** The web chat's settings from the environment: `WEBCHAT` (local, open, off) and `WEBCHAT_SECRET`. */
export function webSettingsFromEnv(env: NodeJS.ProcessEnv): { settings: WebSettings } | { off: string } {
  const mode = (env.WEBCHAT ?? 'local').trim().toLowerCase();
  if (mode === 'off') return { off: 'WEBCHAT=off' };
  if (mode !== 'local' && mode !== 'open') return { off: `WEBCHAT must be local, open or off, not ${mode}` };
  const secret = env.WEBCHAT_SECRET?.trim();
  const tokenSecret = env.WEBCHAT_TOKEN_SECRET?.trim();
  if (tokenSecret !== undefined && tokenSecret.length > 0 && tokenSecret.length < MIN_SECRET_CHARS)
    return { off: `WEBCHAT_TOKEN_SECRET must be at least ${MIN_SECRET_CHARS} characters (e.g. openssl rand -hex 32)` };
  const perMinute = env.WEBCHAT_SESSIONS_PER_MINUTE ? Number(env.WEBCHAT_SESSIONS_PER_MINUTE) : undefined;
  if (perMinute !== undefined && !(Number.isInteger(perMinute) && perMinute > 0))
    return {
      off: `WEBCHAT_SESSIONS_PER_MINUTE must be a positive whole number, not ${env.WEBCHAT_SESSIONS_PER_MINUTE}`,
    };
  return {
    settings: {
      mode,
      ...(secret ? { secret } : {}),
      ...(perMinute ? { sessionsPerMinute: perMinute } : {}),
      ...(tokenSecret ? { tokenSecret } : {}),
    },
  };
}
