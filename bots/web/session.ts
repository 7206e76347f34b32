import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { LANGS, type Lang } from '../../core/config/schema.ts';

/** Who talks in the web chat, as the name/e-mail form gave it, and in which language the page speaks. */
export interface WebSession {
  /** Random, names the conversation (`web:<sid>`). */
  sid: string;
  name: string;
  email: string;
  lang: Lang;
  /** Issued at (ms since the epoch). */
  iat: number;
}

/** How long a session cookie holds (a working day and some). */
export const SESSION_MS = 12 * 3_600_000;
export const COOKIE = 'triage_web';
const EMAIL = /^[^\s@<>"]{1,64}@[^\s@<>"]{1,190}\.[^\s@<>"]{2,}$/;

/**
 * Sessions as signed cookies (HMAC-SHA256): nothing kept on the server, so any process holding the same
 * secret (`WEBCHAT_SECRET`) serves any session; without it each start draws its own and earlier
 * sessions end. The CSRF token is derived from the session id, never stored either.
 */
export class SessionSigner {
  private readonly key: Buffer;

  constructor(secret?: string) {
    this.key = secret ? Buffer.from(secret) : randomBytes(32);
  }

  /** A new session from the form's fields, or the reason they are refused. */
  open(fields: unknown, now: number): { session: WebSession } | { error: string } {
    const f = (fields ?? {}) as Record<string, unknown>;
    const name = typeof f.name === 'string' ? f.name.trim().replace(/\s+/g, ' ') : '';
    const email = typeof f.email === 'string' ? f.email.trim() : '';
    if (name.length < 1 || name.length > 80) return { error: 'name: 1 to 80 characters' };
    if (!EMAIL.test(email)) return { error: 'email: not an e-mail address' };
    const lang = LANGS.find((l) => l === f.lang) ?? 'nl';
    return { session: { sid: randomBytes(16).toString('base64url'), name, email, lang, iat: now } };
  }

  cookie(session: WebSession): string {
    const body = Buffer.from(JSON.stringify(session)).toString('base64url');
    return `${body}.${this.mac(`session:${body}`)}`;
  }

  /** The session a cookie value holds, when its signature is right and it has not expired. */
  read(value: string | undefined, now: number): WebSession | null {
    if (!value) return null;
    const [body, mac, extra] = value.split('.');
    if (!body || !mac || extra !== undefined || !same(mac, this.mac(`session:${body}`))) return null;
    try {
      const session = JSON.parse(Buffer.from(body, 'base64url').toString()) as WebSession;
      if (typeof session.sid !== 'string' || typeof session.iat !== 'number') return null;
      if (now - session.iat > SESSION_MS || session.iat > now + 60_000) return null;
      return session;
    } catch {
      return null;
    }
  }

  csrf(session: WebSession): string {
    return this.mac(`csrf:${session.sid}`);
  }

  csrfIs(session: WebSession, given: string | undefined): boolean {
    return typeof given === 'string' && same(given, this.csrf(session));
  }

  /** A signed reference to an uploaded file, so a message can attach only what its own session uploaded. */
  fileToken(session: WebSession, ref: string): string {
    return this.mac(`file:${session.sid}:${ref}`);
  }

  fileTokenIs(session: WebSession, ref: string, given: unknown): boolean {
    return typeof given === 'string' && same(given, this.fileToken(session, ref));
  }

  private mac(text: string): string {
    return createHmac('sha256', this.key).update(text).digest('base64url');
  }
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The value of one cookie in a `Cookie` header. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}

/**
 * Same-origin check for requests that change something: the browser's `Origin` (or, without it, its
 * `Sec-Fetch-Site`) must say the page came from this server. A form or script on another site, even
 * another port of this host (same site, so the cookie goes along), is refused.
 */
export function sameOrigin(headers: Record<string, string | string[] | undefined>): boolean {
  const host = headers.host;
  const origin = headers.origin;
  if (typeof origin === 'string') {
    if (typeof host !== 'string') return false;
    return origin === `http://${host}` || origin === `https://${host}`;
  }
  const site = headers['sec-fetch-site'];
  return site === undefined || site === 'same-origin' || site === 'none';
}

/** A token bucket per key: `burst` at once, refilled at `perMinute`. Old keys are forgotten. */
export class RateLimit {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly perMinute: number,
    private readonly burst: number,
  ) {}

  /** True when `key` may go on now; else how many seconds until it may. */
  take(key: string, now: number): true | number {
    const rate = this.perMinute / 60_000;
    const b = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    b.tokens = Math.min(this.burst, b.tokens + (now - b.at) * rate);
    b.at = now;
    this.buckets.delete(key);
    this.buckets.set(key, b);
    if (this.buckets.size > 10_000) this.buckets.delete(this.buckets.keys().next().value!);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return true;
    }
    return Math.ceil((1 - b.tokens) / rate / 1000);
  }
}
