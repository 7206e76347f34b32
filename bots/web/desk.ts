import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { Logger } from 'pino';
import restify from 'restify';
import { PROJECT_ROOT } from '../../adapters/config/load.ts';
import { kindText } from '../../adapters/learn/corrections.ts';
import type { Handoff } from '../../adapters/state/handoffs.ts';
import { type AgentAction, buttonsOf, type CardButton, nameOf } from '../../core/desk/desk.ts';
import { visibleLine } from '../../core/text/visible.ts';
import type { Person } from '../../core/types.ts';
import { Desk, type DeskDeps, type DeskSurface } from '../runtime/desk.ts';
import type { Channel, ChannelStatus } from '../server/server.ts';
import { isLoopback, SECURITY_HEADERS } from './channel.ts';
import { DESK_TEXTS } from './desk-texts.ts';
import { cookieValue, RateLimit, sameOrigin } from './session.ts';

/** The browser desk's access: `DESK_TOKEN` asked once at sign-in when set, else callers on this machine only. */
export interface DeskPageSettings {
  token?: string;
  /** Signs the agents' cookies (`WEBCHAT_SECRET`, shared by every process); without it, one drawn at each start. */
  secret?: string;
}

const ASSETS = join(PROJECT_ROOT, 'bots/web/assets');
const COOKIE = 'triage_desk';
const SESSION_MS = 12 * 3_600_000;
const REPLY_MAX = 4000;
const HEARTBEAT_MS = 25_000;
/** How often the queue is read for changes made elsewhere (another process, the Slack or Teams desk). */
const POLL_MS = 1000;

/** An agent signed in at the browser desk: the name they typed, kept in a signed cookie. */
interface AgentSession {
  name: string;
  iat: number;
}

/** One handoff as the page shows it in the queue (plain data; the page puts every string as text). */
export interface QueueItem {
  conversation: string;
  ticket: string;
  requester: { name: string; email?: string };
  openedAt: string;
  kind: string;
  /** Which desk holds its card: `slack`, `teams` or `web` (the browser's own). */
  desk: string;
  agent?: { id: string; name: string };
  claimedAt?: string;
  /** The buttons the card has left (the desk's rule, as Slack and Teams show them). */
  buttons: CardButton[];
  thread: { from: string; name?: string; text: string; at: string; files?: string[] }[];
}

/**
 * The agent desk in the browser, at `/desk` on the web chat's server: the live queue of handoffs
 * (pushed over server-sent events), claim, reply, resolve and return to bot. The decisions are the
 * desk's (`core/desk`, run by `Desk`), as on Slack and Teams, over the same handoff book: it sees
 * every handoff, whichever desk posted its card, and a claim on any surface wins for all. What the
 * agent writes reaches the person through the core and the person's own channel.
 */
export class BrowserDesk implements Channel {
  readonly name = 'desk';
  /** The desk handoffs can be sent to (`HANDOFF_DESK=web`, or when no Slack or Teams desk is set up). */
  readonly desk: Desk;
  private readonly log: Logger;
  private readonly key: Buffer;
  private readonly signIns = new RateLimit(10, 5);
  private readonly streams = new Set<ServerResponse>();
  private readonly now: () => number;
  private assets: Record<string, { type: string; body: Buffer }> | null = null;
  private last = '';
  private poll: NodeJS.Timeout | undefined;

  constructor(
    private readonly settings: DeskPageSettings,
    private readonly deps: DeskDeps & { log: Logger; now?: () => number },
  ) {
    this.log = deps.log.child({ channel: 'desk' });
    // The token is part of the key: a new token ends every session signed in with the old one.
    this.key = createHmac('sha256', settings.secret ?? randomBytes(32))
      .update(`desk:${settings.token ?? ''}`)
      .digest();
    this.now = deps.now ?? Date.now;
    this.desk = new Desk(new BrowserCards(() => this.push()), deps);
  }

  mount(server: restify.Server): void {
    const json = restify.plugins.bodyParser({ maxBodySize: 16 * 1024, mapParams: false, mapFiles: false });
    const guard = (handler: (req: restify.Request, res: restify.Response) => Promise<void> | void) => {
      return async (req: restify.Request, res: restify.Response) => {
        for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
        if (!this.settings.token && !isLoopback(req.socket.remoteAddress)) {
          res.send(403, { error: 'the desk answers this machine only (set DESK_TOKEN to open it to others)' });
          return;
        }
        try {
          await handler(req, res);
        } catch (error) {
          this.log.error({ err: String(error), path: req.path() }, 'desk request failed');
          if (!res.headersSent) res.send(500, { error: 'internal error' });
        }
      };
    };
    server.get(
      '/desk',
      guard((_req, res) => this.asset(res, 'desk.html')),
    );
    server.get(
      '/desk/desk.js',
      guard((_req, res) => this.asset(res, 'desk.js')),
    );
    server.get(
      '/desk/desk.css',
      guard((_req, res) => this.asset(res, 'desk.css')),
    );
    server.get(
      '/desk/session',
      guard((req, res) => this.whoAmI(req, res)),
    );
    server.post(
      '/desk/session',
      json,
      guard((req, res) => this.signIn(req, res)),
    );
    server.post(
      '/desk/act',
      json,
      guard((req, res) => this.act(req, res)),
    );
    server.get(
      '/desk/events',
      guard((req, res) => this.events(req, res)),
    );
  }

  async start(): Promise<void> {
    this.loadAssets();
    this.desk.start();
    this.log.info(
      {},
      this.settings.token
        ? 'agent desk in the browser at /desk: DESK_TOKEN asked at sign-in'
        : 'agent desk in the browser at /desk: this machine only (no DESK_TOKEN set)',
    );
  }

  async stop(): Promise<void> {
    this.desk.stop();
    if (this.poll) clearInterval(this.poll);
    this.poll = undefined;
    for (const res of this.streams) res.end();
    this.streams.clear();
  }

  status(): ChannelStatus {
    return { state: 'on', mode: this.settings.token ? 'token' : 'local' };
  }

  // ---- routes ----------------------------------------------------------------------------------

  private loadAssets() {
    if (this.assets) return this.assets;
    const read = (name: string) => readFileSync(join(ASSETS, name));
    this.assets = {
      'desk.html': { type: 'text/html; charset=utf-8', body: read('desk.html') },
      'desk.js': { type: 'text/javascript; charset=utf-8', body: read('desk.js') },
      'desk.css': { type: 'text/css; charset=utf-8', body: read('desk.css') },
    };
    return this.assets;
  }

  private asset(res: restify.Response, name: string): void {
    const asset = this.loadAssets()[name]!;
    res.writeHead(200, { 'content-type': asset.type, 'content-length': asset.body.length });
    res.end(asset.body);
  }

  /** The page's words in the desk's language, with the buttons' labels as the other desks show them. */
  private texts() {
    const labels = {
      act_claim: this.desk.say('desk_claim'),
      act_resolve: this.desk.say('desk_resolve'),
      act_return: this.desk.say('desk_return'),
    };
    return { lang: this.desk.lang, texts: { ...DESK_TEXTS[this.desk.lang], ...labels } };
  }

  private whoAmI(req: restify.Request, res: restify.Response): void {
    const session = this.session(req);
    if (!session) {
      res.send(401, { error: 'not signed in', token: Boolean(this.settings.token), ...this.texts() });
      return;
    }
    res.send(200, this.describe(session));
  }

  private describe(session: AgentSession) {
    const agent = agentOf(session);
    return { name: session.name, id: agent.id, csrf: this.mac(`csrf:${session.iat}:${session.name}`), ...this.texts() };
  }

  private signIn(req: restify.Request, res: restify.Response): void {
    if (!sameOrigin(req.headers)) {
      res.send(403, { error: 'cross-origin request refused' });
      return;
    }
    const wait = this.signIns.take(`ip:${req.socket.remoteAddress ?? ''}`, this.now());
    if (wait !== true) {
      res.setHeader('retry-after', String(wait));
      res.send(429, { error: 'too many sign-ins', retryAfter: wait });
      return;
    }
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (this.settings.token && !same(typeof body.token === 'string' ? body.token : '', this.settings.token)) {
      this.log.warn({}, 'desk sign-in with a wrong token refused');
      res.send(401, { error: 'wrong access code' });
      return;
    }
    const name = typeof body.name === 'string' ? visibleLine(body.name).slice(0, 60) : '';
    if (!name) {
      res.send(400, { error: 'name: 1 to 60 characters' });
      return;
    }
    const session: AgentSession = { name, iat: this.now() };
    const value = Buffer.from(JSON.stringify(session)).toString('base64url');
    const cookie = `${COOKIE}=${value}.${this.mac(`session:${value}`)}; Path=/desk; HttpOnly; SameSite=Strict; Max-Age=${SESSION_MS / 1000}`;
    res.setHeader('set-cookie', req.isSecure() ? `${cookie}; Secure` : cookie);
    res.send(200, this.describe(session));
  }

  /** An agent's step: claim, reply, resolve, return; from this origin, signed in, with the CSRF token. */
  private async act(req: restify.Request, res: restify.Response): Promise<void> {
    if (!sameOrigin(req.headers)) {
      this.log.warn({ path: req.path(), origin: req.headers.origin }, 'cross-origin request refused');
      res.send(403, { error: 'cross-origin request refused' });
      return;
    }
    const session = this.session(req);
    if (!session) {
      res.send(401, { error: 'not signed in' });
      return;
    }
    if (req.header('x-csrf-token') !== this.describe(session).csrf) {
      res.send(403, { error: 'missing or wrong CSRF token' });
      return;
    }
    const body = (req.body ?? {}) as Record<string, unknown>;
    const conversation = typeof body.conversation === 'string' ? body.conversation : '';
    const agent = agentOf(session);
    const action = actionOf(body, agent);
    if (!conversation || !action) {
      res.send(400, { error: 'act: claim, reply (with text), resolve or return, and the conversation' });
      return;
    }
    const handoff = await this.deps.book.get(conversation);
    const hints: string[] = [];
    if (!handoff || handoff.ended) hints.push(this.desk.say('desk_ended'));
    else await this.desk.act(handoff, action, { via: hints });
    await this.push();
    res.send(200, { hints });
  }

  /** The live queue over server-sent events: the whole queue at once, then again whenever it changes. */
  private async events(req: restify.Request, res: restify.Response): Promise<void> {
    if (!this.session(req)) {
      res.send(401, { error: 'not signed in' });
      return;
    }
    const raw = res as unknown as ServerResponse;
    raw.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': 'text/event-stream; charset=utf-8',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    raw.write('retry: 2000\n\n');
    this.streams.add(raw);
    const handoffs = await this.queue();
    this.last = JSON.stringify(handoffs);
    send(raw, 'queue', { handoffs });
    const beat = setInterval(() => raw.write(': beat\n\n'), HEARTBEAT_MS);
    beat.unref();
    req.socket.setTimeout(0);
    this.watch();
    req.on('close', () => {
      clearInterval(beat);
      this.streams.delete(raw);
    });
  }

  // ---- the queue -------------------------------------------------------------------------------

  /** Open handoffs, oldest first, with their exchange so far. */
  async queue(): Promise<QueueItem[]> {
    const { book, config } = this.deps;
    const open = await book.current();
    return Promise.all(
      open.map(async (h: Handoff) => ({
        conversation: h.conversation,
        ticket: h.ticket,
        requester: { name: nameOf(h.requester), ...(h.requester.email ? { email: h.requester.email } : {}) },
        openedAt: h.openedAt,
        kind: h.kind ? kindText(config, this.desk.lang, h.kind) : '',
        desk: h.card.split(':')[0] ?? '',
        ...(h.agent ? { agent: { id: h.agent.id, name: nameOf(h.agent) } } : {}),
        ...(h.claimedAt ? { claimedAt: h.claimedAt } : {}),
        buttons: buttonsOf(h),
        thread: await book.thread(h.conversation),
      })),
    );
  }

  /** Read the queue while a page listens: changes made by other processes and desks come through too. */
  private watch(): void {
    if (this.poll) return;
    this.poll = setInterval(() => {
      if (this.streams.size === 0) {
        clearInterval(this.poll);
        this.poll = undefined;
        return;
      }
      void this.push().catch((error: unknown) => this.log.warn({ err: String(error) }, 'desk queue unreadable'));
    }, POLL_MS);
    this.poll.unref();
  }

  /** Send the queue to every open page when it changed. */
  private async push(): Promise<void> {
    if (this.streams.size === 0) return;
    const handoffs = await this.queue();
    const now = JSON.stringify(handoffs);
    if (now === this.last) return;
    this.last = now;
    for (const res of this.streams) send(res, 'queue', { handoffs });
  }

  // ---- sessions --------------------------------------------------------------------------------

  private session(req: restify.Request): AgentSession | null {
    const value = cookieValue(req.headers.cookie, COOKIE);
    const [body, mac, extra] = (value ?? '').split('.');
    if (!body || !mac || extra !== undefined || !same(mac, this.mac(`session:${body}`))) return null;
    try {
      const session = JSON.parse(Buffer.from(body, 'base64url').toString()) as AgentSession;
      if (typeof session.name !== 'string' || typeof session.iat !== 'number') return null;
      if (this.now() - session.iat > SESSION_MS) return null;
      return session;
    } catch {
      return null;
    }
  }

  private mac(text: string): string {
    return createHmac('sha256', this.key).update(text).digest('base64url');
  }
}

/**
 * The browser's desk surface: its cards are the queue on the page (nothing to post or redraw but the
 * queue pushed again), and a hint goes back with the answer to the agent's request.
 */
class BrowserCards implements DeskSurface {
  readonly prefix = 'web:';

  constructor(private readonly changed: () => Promise<void>) {}

  async post(conversation: string): Promise<{ card: string }> {
    return { card: `web:${conversation}` };
  }

  transcript(): Promise<void> {
    return this.changed();
  }

  relay(): Promise<void> {
    return this.changed();
  }

  async show(): Promise<undefined> {
    await this.changed();
    return undefined;
  }

  async hint(_handoff: Handoff, _to: Person, text: string, via?: unknown): Promise<void> {
    if (Array.isArray(via)) via.push(text);
  }

  remind(): Promise<void> {
    return this.changed();
  }
}

/** The agent a session stands for: the same name is the same agent (on any process). */
function agentOf(session: AgentSession): Person {
  return { id: `desk:${session.name.toLowerCase()}`, name: session.name };
}

function actionOf(body: Record<string, unknown>, agent: Person): AgentAction | null {
  switch (body.act) {
    case 'claim':
    case 'resolve':
    case 'return':
      return { type: body.act, agent };
    case 'reply': {
      const text = typeof body.text === 'string' ? body.text.slice(0, REPLY_MAX) : '';
      return text.trim() ? { type: 'reply', agent, text } : null;
    }
    default:
      return null;
  }
}

function send(res: ServerResponse, event: string, data: unknown): void {
  res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The browser desk's settings: `DESK` (on, off) and `DESK_TOKEN`; the cookie key from `WEBCHAT_SECRET`. */
export function deskPageFromEnv(env: NodeJS.ProcessEnv): { settings: DeskPageSettings } | { off: string } {
  const mode = (env.DESK ?? 'on').trim().toLowerCase();
  if (mode === 'off') return { off: 'DESK=off' };
  if (mode !== 'on') return { off: `DESK must be on or off, not ${mode}` };
  const token = env.DESK_TOKEN?.trim();
  const secret = env.WEBCHAT_SECRET?.trim();
  return { settings: { ...(token ? { token } : {}), ...(secret ? { secret } : {}) } };
}
