import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import restify from 'restify';
import { PROJECT_ROOT } from '../../adapters/config/load.ts';
import { writeFileAtomic } from '../../adapters/files/atomic.ts';
import type { BlobStore } from '../../adapters/files/blobs.ts';
import type { ConversationStore } from '../../adapters/state/store.ts';
import { LocalTicketStore } from '../../adapters/tickets/local/store.ts';
import type { Outbox, OutboxEntry } from '../../adapters/tickets/outbox/outbox.ts';
import type { StoredTicket } from '../../adapters/tickets/sink.ts';
import type { ConfigSource } from '../runtime/config-source.ts';
import type { RecentConversations } from '../runtime/recent.ts';
import type { ReloadableCore } from '../runtime/reload.ts';
import type { Channel, ChannelStatus } from '../server/server.ts';
import {
  AdminError,
  activeConfigFile,
  checkOverlay,
  configYaml,
  evaluateLines,
  labelledLines,
  masker,
  overlayText,
  ProfileCores,
  peopleOf,
  readShippedEval,
  shippedEvalFiles,
  trySentence,
} from './admin-data.ts';
import { cookieValue, sameOrigin } from './session.ts';

/** `ADMIN_TOKEN` set: the console wants it (a bearer header, or the login's cookie); unset: this machine only. */
export interface AdminSettings {
  token?: string;
}

export function adminSettingsFromEnv(env: NodeJS.ProcessEnv): AdminSettings {
  const token = env.ADMIN_TOKEN?.trim();
  return token ? { token } : {};
}

export interface AdminDeps {
  runtime: ReloadableCore;
  source: ConfigSource;
  store: ConversationStore;
  recent: RecentConversations;
  dataDir: string;
  blobs: BlobStore;
  outbox: Outbox;
  log: Logger;
  now?: () => number;
}

const ASSETS = join(PROJECT_ROOT, 'bots/web/assets');
const COOKIE = 'triage_admin';
const SESSION_MS = 12 * 3_600_000;
const BODY = 4 * 1024 * 1024;
const HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};
type Handler = (req: restify.Request, res: restify.Response) => Promise<unknown> | unknown;

/**
 * The admin console at `/admin`: try a sentence, watch conversations, the tickets and the outbox, run an
 * evaluation, edit, validate and reload the configuration. A page and a JSON API on the bot's own
 * server; with `ADMIN_TOKEN` every request needs the token (a bearer header, or the cookie the login
 * form sets), without it only callers on this machine get in. Changes come from this origin only.
 */
export class AdminConsole implements Channel {
  readonly name = 'admin';
  private readonly log: Logger;
  private readonly cores: ProfileCores;
  private readonly tickets: LocalTicketStore;
  private readonly key = randomBytes(32);
  private assets: Record<string, { type: string; body: Buffer }> | null = null;

  constructor(
    private readonly settings: AdminSettings,
    private readonly deps: AdminDeps,
  ) {
    this.log = deps.log.child({ channel: 'admin' });
    this.cores = new ProfileCores(deps.runtime.core);
    this.tickets = new LocalTicketStore(deps.dataDir);
  }

  status(): ChannelStatus {
    return { state: 'on', mode: this.settings.token ? 'token' : 'loopback' };
  }

  async start(): Promise<void> {
    this.load();
  }

  async stop(): Promise<void> {}

  bodyLimit(path: string): number | undefined {
    return path.startsWith('/admin/api/') ? BODY : undefined;
  }

  mount(server: restify.Server): void {
    const json = restify.plugins.bodyParser({ maxBodySize: BODY, mapParams: false, mapFiles: false });
    const form = restify.plugins.bodyParser({ maxBodySize: 4096, mapParams: false });
    const get = (path: string, handler: Handler) => server.get(path, this.guard(handler, false));
    const post = (path: string, handler: Handler) => server.post(path, json, this.guard(handler, true));

    server.get('/admin', this.page());
    server.get(
      '/admin/admin.js',
      this.open((_q, res) => this.asset(res, 'admin.js')),
    );
    server.get(
      '/admin/admin.css',
      this.open((_q, res) => this.asset(res, 'admin.css')),
    );
    server.post(
      '/admin/login',
      form,
      this.open((req, res) => this.login(req, res)),
    );
    server.post(
      '/admin/logout',
      this.open((_q, res) => this.logout(res)),
    );

    get('/admin/api/status', () => this.overview());
    post('/admin/api/try', (req) => {
      const body = bodyOf(req);
      return trySentence(this.cores.get(str(body.profile)), str(body.text) ?? '');
    });
    get('/admin/api/conversations', () => this.conversations());
    get('/admin/api/conversation', (req) => this.conversation(queryOf(req, 'id')));
    get('/admin/api/tickets', (req) => this.ticketList(queryOf(req, 'q')));
    get('/admin/api/tickets/:id', (req) => this.ticket(String(req.params?.id ?? '')));
    server.get(
      '/admin/api/files/:ref',
      this.guard((req, res) => this.file(req, res), false),
    );
    get('/admin/api/outbox', () => this.outboxList());
    post('/admin/api/outbox/retry', (req) => this.retry(str(bodyOf(req).key) ?? ''));
    get('/admin/api/eval/files', () => ({ files: shippedEvalFiles() }));
    post('/admin/api/eval', (req) => this.evaluation(bodyOf(req)));
    get('/admin/api/config', () => this.configView());
    post('/admin/api/config/validate', async (req) => this.validate(str(bodyOf(req).yaml) ?? ''));
    post('/admin/api/config/save', async (req) => this.save(str(bodyOf(req).yaml) ?? ''));
    post('/admin/api/config/reset', () => this.reset());
    post('/admin/api/reload', () => this.deps.runtime.reload('admin console: reload'));
  }

  // ---- access ------------------------------------------------------------------------------------

  /** Who may use the console: the token's holder, or (no token) anyone on this machine. */
  private allowed(req: restify.Request): 'ok' | 401 | 403 {
    const token = this.settings.token;
    if (!token) return isLoopback(req.socket.remoteAddress) ? 'ok' : 403;
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (bearer !== undefined && same(bearer, token)) return 'ok';
    return this.cookieOk(cookieValue(req.headers.cookie, COOKIE)) ? 'ok' : 401;
  }

  private cookieFor(at: number): string {
    return `${at}.${this.mac(`admin:${at}`)}`;
  }

  private cookieOk(value: string | undefined): boolean {
    const [at, mac, extra] = (value ?? '').split('.');
    if (!at || !mac || extra !== undefined || !/^\d+$/.test(at)) return false;
    const age = this.now() - Number(at);
    return age >= -60_000 && age < SESSION_MS && same(mac, this.mac(`admin:${at}`));
  }

  private mac(text: string): string {
    // Keyed by the token too: a new ADMIN_TOKEN ends every login made with the old one.
    return createHmac('sha256', this.key)
      .update(this.settings.token ?? '')
      .update(text)
      .digest('base64url');
  }

  private now(): number {
    return (this.deps.now ?? Date.now)();
  }

  private refuse(res: restify.Response, code: 401 | 403): void {
    res.send(code, {
      error:
        code === 401
          ? 'the admin console needs the admin token (ADMIN_TOKEN)'
          : 'the admin console answers this machine only (set ADMIN_TOKEN to open it to others)',
    });
  }

  /** An API route: allowed callers only; a change only from this origin, as JSON (a form elsewhere cannot). */
  private guard(handler: Handler, changes: boolean) {
    return async (req: restify.Request, res: restify.Response) => {
      for (const [k, v] of Object.entries(HEADERS)) res.setHeader(k, v);
      const allowed = this.allowed(req);
      if (allowed !== 'ok') return this.refuse(res, allowed);
      if (changes && (!sameOrigin(req.headers) || !/^application\/json\b/i.test(req.header('content-type') ?? ''))) {
        this.log.warn({ path: req.path() }, 'admin change refused: not JSON from this origin');
        res.send(403, { error: 'changes are taken as JSON from this page only' });
        return;
      }
      try {
        const result = await handler(req, res);
        if (!res.headersSent) res.send(200, result);
      } catch (error) {
        if (error instanceof AdminError) {
          res.send(error.status, { error: error.message, ...(error.problems ? { problems: error.problems } : {}) });
          return;
        }
        this.log.error({ err: String(error), path: req.path() }, 'admin request failed');
        if (!res.headersSent) res.send(500, { error: 'internal error' });
      }
    };
  }

  /** Static files and the login: no data in them; the same machine-only rule without a token. */
  private open(handler: Handler) {
    return async (req: restify.Request, res: restify.Response) => {
      for (const [k, v] of Object.entries(HEADERS)) res.setHeader(k, v);
      if (!this.settings.token && !isLoopback(req.socket.remoteAddress)) return this.refuse(res, 403);
      await handler(req, res);
    };
  }

  /** `/admin`: the console, or (401) the login form when a token is wanted and not given. */
  private page() {
    return async (req: restify.Request, res: restify.Response) => {
      for (const [k, v] of Object.entries(HEADERS)) res.setHeader(k, v);
      const allowed = this.allowed(req);
      if (allowed === 403) return this.refuse(res, 403);
      if (allowed === 401)
        return this.html(res, 401, loginPage(new URL(req.url ?? '/', 'http://x').searchParams.has('wrong')));
      this.asset(res, 'admin.html');
    };
  }

  private login(req: restify.Request, res: restify.Response): void {
    // A form post under `Referrer-Policy: no-referrer` says `Origin: null`: the browser's own
    // `Sec-Fetch-Site` (which no page can set) then tells whether it came from this origin.
    const fromHere =
      req.headers.origin === 'null' ? req.headers['sec-fetch-site'] === 'same-origin' : sameOrigin(req.headers);
    if (!fromHere) {
      res.send(403, { error: 'cross-origin request refused' });
      return;
    }
    const given = (req.body as Record<string, unknown> | undefined)?.token;
    const token = this.settings.token;
    if (!token || typeof given !== 'string' || !same(given, token)) {
      this.log.warn({}, 'admin login refused: wrong token');
      res.setHeader('location', '/admin?wrong');
      res.send(303);
      return;
    }
    const cookie = `${COOKIE}=${this.cookieFor(this.now())}; Path=/admin; HttpOnly; SameSite=Strict; Max-Age=${SESSION_MS / 1000}`;
    res.setHeader('set-cookie', req.isSecure() ? `${cookie}; Secure` : cookie);
    res.setHeader('location', '/admin');
    res.send(303);
  }

  private logout(res: restify.Response): void {
    res.setHeader('set-cookie', `${COOKIE}=; Path=/admin; HttpOnly; SameSite=Strict; Max-Age=0`);
    res.setHeader('location', '/admin');
    res.send(303);
  }

  private load() {
    if (this.assets) return this.assets;
    const read = (name: string) => readFileSync(join(ASSETS, name));
    this.assets = {
      'admin.html': { type: 'text/html; charset=utf-8', body: read('admin.html') },
      'admin.js': { type: 'text/javascript; charset=utf-8', body: read('admin.js') },
      'admin.css': { type: 'text/css; charset=utf-8', body: read('admin.css') },
    };
    return this.assets;
  }

  private asset(res: restify.Response, name: string): void {
    const asset = this.load()[name]!;
    res.writeHead(200, { 'content-type': asset.type, 'content-length': asset.body.length });
    res.end(asset.body);
  }

  private html(res: restify.Response, status: number, body: string): void {
    res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
    res.end(body);
  }

  // ---- pages' data -------------------------------------------------------------------------------

  private overview() {
    const config = this.deps.runtime.core.config;
    return {
      ...this.deps.runtime.status(),
      profiles: this.cores.profiles(),
      personalData: config.admin.show_personal_data ? 'shown' : 'masked',
      access: this.settings.token ? 'token' : 'loopback',
    };
  }

  private async conversations() {
    const config = this.deps.runtime.core.config;
    const mask = masker(config);
    const idleMs = config.conversation.idle_minutes * 60_000;
    const rows = await Promise.all(
      this.deps.recent
        .list()
        .slice(0, 200)
        .map(async ({ conversation, at }) => {
          const state = await this.deps.store.get(conversation).catch(() => undefined);
          if (!state) return null;
          const updated = Date.parse(state.updatedAt);
          const people = peopleOf(state);
          return {
            id: conversation,
            channel: conversation.split(':')[0],
            who: state.user?.name ? mask(state.user.name, people) : '',
            phase: state.phase,
            awaiting: state.awaiting,
            label: state.request?.label ?? null,
            lines: state.transcript.length,
            updatedAt: state.updatedAt,
            live: this.now() - (Number.isNaN(updated) ? at : updated) < idleMs && state.phase !== 'idle',
            lastTicket: state.lastTicket ?? null,
          };
        }),
    );
    return { conversations: rows.filter(Boolean) };
  }

  private async conversation(id: string) {
    if (!id || !this.deps.recent.has(id)) throw new AdminError(404, `no recent conversation ${id}`);
    const state = await this.deps.store.get(id);
    if (!state) throw new AdminError(404, `conversation ${id} has ended (kept no longer)`);
    const mask = masker(this.deps.runtime.core.config);
    const people = peopleOf(state);
    return {
      id,
      phase: state.phase,
      awaiting: state.awaiting,
      lang: state.lang,
      label: state.request?.label ?? null,
      updatedAt: state.updatedAt,
      lastTicket: state.lastTicket ?? null,
      transcript: state.transcript.map((line) => ({ from: line.from, at: line.at, text: mask(line.text, people) })),
    };
  }

  private async ticketList(q: string) {
    const wanted = q.trim().toLowerCase();
    const all = await this.tickets.list();
    const mask = masker(this.deps.runtime.core.config);
    const rows = all
      .map((t) => ({
        id: t.id,
        status: t.status,
        kind: t.draft.label,
        title: mask(t.draft.title, ticketPeople(t)),
        requester: mask(t.draft.requester.name ?? t.draft.requester.id, ticketPeople(t)),
        unit: String(t.draft.slots.academy ?? t.draft.slots.site_id ?? ''),
        urgent: t.draft.urgent,
        attachments: t.draft.attachments.length,
        createdAt: t.createdAt,
      }))
      .filter((row) => !wanted || Object.values(row).some((v) => String(v).toLowerCase().includes(wanted)))
      .reverse();
    return { tickets: rows, total: all.length };
  }

  private async ticket(id: string) {
    let ticket: StoredTicket | null;
    try {
      ticket = await this.tickets.get(id);
    } catch {
      throw new AdminError(400, `not a ticket number: ${id}`);
    }
    if (!ticket) throw new AdminError(404, `no ticket ${id} in the local store`);
    const mask = masker(this.deps.runtime.core.config);
    const people = ticketPeople(ticket);
    const d = ticket.draft;
    const hidden = new Set(['student', 'name', 'email', 'phone']);
    return {
      id: ticket.id,
      status: ticket.status,
      createdAt: ticket.createdAt,
      kind: d.label,
      title: mask(d.title, people),
      description: mask(d.description, people),
      requester: mask(d.requester.name ?? d.requester.id, people),
      urgent: d.urgent,
      missing: d.missing,
      slots: Object.fromEntries(
        Object.entries(d.slots).map(([k, v]) => [
          k,
          hidden.has(k) && !this.deps.runtime.core.config.admin.show_personal_data
            ? '[masked]'
            : mask(String(v), people),
        ]),
      ),
      attachments: d.attachments.map((a) => ({ name: a.name, contentType: a.contentType, size: a.size, ref: a.ref })),
      transcript: d.transcript.map((l) => ({ from: l.from, at: l.at, text: mask(l.text, people) })),
      notes: (ticket.notes ?? []).map((n) => ({
        ...n,
        text: mask(String((n as { text?: unknown }).text ?? ''), people),
      })),
    };
  }

  /** An attachment's bytes, for the ticket view (images shown, others downloaded). */
  private async file(req: restify.Request, res: restify.Response): Promise<void> {
    const ref = String(req.params?.ref ?? '');
    let bytes: Uint8Array | null;
    try {
      bytes = await this.deps.blobs.get(ref);
    } catch {
      throw new AdminError(400, 'not a file reference');
    }
    if (!bytes) throw new AdminError(404, 'no such file');
    const type = queryOf(req, 'type');
    const image = /^image\/(png|jpeg|gif|webp)$/.test(type);
    res.writeHead(200, {
      'content-type': image ? type : 'application/octet-stream',
      'content-length': bytes.length,
      ...(image ? {} : { 'content-disposition': 'attachment' }),
    });
    res.end(Buffer.from(bytes));
  }

  private async outboxList() {
    const entries = await this.deps.outbox.all();
    const mask = masker(this.deps.runtime.core.config);
    const row = (e: OutboxEntry) => ({
      key: e.key,
      state: e.state,
      sink: e.sink,
      attempts: e.attempts,
      title: mask(e.draft.title, [e.draft.requester.name, e.draft.requester.email]),
      ticket: e.ticket?.id ?? null,
      lastError: e.lastError ?? null,
      createdAt: e.createdAt,
      nextAttemptAt: e.state === 'pending' ? new Date(e.nextAttemptAt).toISOString() : null,
    });
    const rows = entries.map(row).sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1));
    return { entries: rows, dead: rows.filter((r) => r.state === 'dead').length };
  }

  private async retry(key: string) {
    const entry = await this.deps.outbox.retry(key, this.now());
    if (!entry) throw new AdminError(409, `${key} is not a dead letter (already retried, delivered, or unknown)`);
    this.log.info({ key }, 'dead letter sent again from the admin console');
    return { key, state: entry.state };
  }

  private evaluation(body: Record<string, unknown>) {
    const file = str(body.file);
    const jsonl = str(body.jsonl);
    const lines = file ? readShippedEval(file) : labelledLines(jsonl ?? '', str(body.name) ?? 'upload');
    return { source: file ?? str(body.name) ?? 'upload', ...evaluateLines(lines, this.cores) };
  }

  private async configView() {
    const { source, runtime } = this.deps;
    return {
      base: source.base,
      overlay: source.overlay,
      active: activeConfigFile(source),
      overlayText: await overlayText(source),
      yaml: configYaml(runtime.core.config),
      status: runtime.status(),
    };
  }

  private async validate(yaml: string) {
    const checked = await checkOverlay(this.deps.source, yaml);
    if (!checked.ok) return { ok: false, problems: checked.problems };
    const c = checked.config;
    const intents = Object.values(c.intents);
    return {
      ok: true,
      summary: `profile ${c.profile}: ${intents.length} intents, ${intents.reduce((n, i) => n + i.examples.length, 0)} example phrases`,
    };
  }

  /** Save a valid overlay and reload: the next turn of every conversation uses it. */
  private async save(yaml: string) {
    const checked = await checkOverlay(this.deps.source, yaml);
    if (!checked.ok) throw new AdminError(422, 'the configuration is invalid: nothing saved', checked.problems);
    await writeFileAtomic(this.deps.source.overlay, yaml);
    this.log.info({ file: this.deps.source.overlay }, 'configuration saved from the admin console');
    return this.deps.runtime.reload('admin console: configuration saved');
  }

  private async reset() {
    await rm(this.deps.source.overlay, { force: true });
    this.log.info({}, 'admin console: the overlay removed, back to the base configuration');
    return this.deps.runtime.reload('admin console: back to the base configuration');
  }
}

function ticketPeople(t: StoredTicket): string[] {
  const slots = t.draft.slots as Record<string, unknown>;
  return [
    t.draft.requester.name,
    t.draft.requester.email,
    ...['student', 'name', 'email', 'phone'].map((k) => (typeof slots[k] === 'string' ? (slots[k] as string) : '')),
  ].filter((p): p is string => Boolean(p));
}

function queryOf(req: restify.Request, name: string): string {
  return new URL(req.url ?? '/', 'http://x').searchParams.get(name) ?? '';
}

function bodyOf(req: restify.Request): Record<string, unknown> {
  const body = req.body;
  return body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const a = address.replace(/^::ffff:/, '');
  return a === '::1' || /^127\./.test(a);
}

/** The login form (no script: a plain form post); `wrong` after a refused token. */
function loginPage(wrong: boolean): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Helpdesk triage: admin login</title><link rel="stylesheet" href="/admin/admin.css"></head>
<body><main class="login">
<h1>Admin console</h1>
<form method="post" action="/admin/login">
<label for="token">Admin token (ADMIN_TOKEN)</label>
<input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
<button type="submit">Log in</button>
${wrong ? '<p class="error" role="alert">That is not the admin token.</p>' : ''}
</form></main></body></html>`;
}
