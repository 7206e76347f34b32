import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The requester token an intranet page gives the web chat, as the embeddable widgets of helpdesk SaaS
 * do (Zendesk's and Freshdesk's "JWT SSO"): a JSON Web Token signed with HMAC-SHA256 (`alg: HS256`)
 * under a secret the intranet and the bot share (`WEBCHAT_TOKEN_SECRET`), with the person's `name`,
 * `email` and an expiry `exp` (seconds since the epoch). The page links to the chat with the token in
 * the fragment (`https://bot.example/#token=...`): the browser never sends a fragment to a server, so it
 * stays out of logs and referrers; the page exchanges it once for a session cookie.
 */
export interface RequesterClaims {
  name: string;
  email: string;
  /** Expiry, seconds since the epoch. */
  exp: number;
  /** Issued at, seconds since the epoch (optional). */
  iat?: number;
  /** The page's language (nl, fr, en), optional. */
  lang?: string;
}

/** Longest a token may live: a token is for opening a chat, not a standing credential. */
export const MAX_TOKEN_SECONDS = 24 * 3600;
/** Shortest secret accepted: HS256 with fewer than 32 characters of secret is guessable offline. */
export const MIN_SECRET_CHARS = 32;
/** Clock difference allowed between the intranet's server and the bot's. */
const SKEW_SECONDS = 60;

export type TokenError =
  | 'TOKEN_MALFORMED'
  | 'TOKEN_ALGORITHM'
  | 'TOKEN_SIGNATURE'
  | 'TOKEN_EXPIRED'
  | 'TOKEN_TOO_LONG'
  | 'TOKEN_CLAIMS';

const b64 = (data: string | Buffer) => Buffer.from(data).toString('base64url');
const mac = (secret: string, data: string) => createHmac('sha256', secret).update(data).digest();

/** Sign a requester token (what the intranet page's server does; `triage webchat token` for tests). */
export function signRequesterToken(secret: string, claims: RequesterClaims): string {
  const head = b64(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const body = b64(JSON.stringify(claims));
  return `${head}.${body}.${b64(mac(secret, `${head}.${body}`))}`;
}

/** The claims of a token whose signature is right and which has not expired, else why it is refused. */
export function verifyRequesterToken(
  secret: string,
  token: unknown,
  nowMs: number,
): { claims: RequesterClaims } | { code: TokenError; error: string } {
  const refuse = (code: TokenError, error: string) => ({ code, error });
  if (typeof token !== 'string' || token.length > 4096) return refuse('TOKEN_MALFORMED', 'token: not a token');
  const parts = token.split('.');
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]*$/.test(p)))
    return refuse('TOKEN_MALFORMED', 'token: not a JSON Web Token (three base64url parts)');
  const [head, body, signature] = parts as [string, string, string];
  let header: { alg?: unknown };
  let claims: Record<string, unknown>;
  try {
    header = JSON.parse(Buffer.from(head, 'base64url').toString());
    claims = JSON.parse(Buffer.from(body, 'base64url').toString());
  } catch {
    return refuse('TOKEN_MALFORMED', 'token: its header or claims are not JSON');
  }
  // Only HS256: `none` or another algorithm named by the token itself is never taken.
  if (header?.alg !== 'HS256') return refuse('TOKEN_ALGORITHM', 'token: must be signed with HS256');
  const given = Buffer.from(signature, 'base64url');
  const wanted = mac(secret, `${head}.${body}`);
  if (given.length !== wanted.length || !timingSafeEqual(given, wanted))
    return refuse('TOKEN_SIGNATURE', 'token: the signature does not match (forged, or signed with another secret)');
  const now = nowMs / 1000;
  if (typeof claims.exp !== 'number') return refuse('TOKEN_CLAIMS', 'token: no expiry (exp)');
  if (claims.exp <= now - SKEW_SECONDS)
    return refuse('TOKEN_EXPIRED', `token: expired at ${new Date(claims.exp * 1000).toISOString()}`);
  if (claims.exp > now + MAX_TOKEN_SECONDS + SKEW_SECONDS)
    return refuse('TOKEN_TOO_LONG', `token: valid for more than ${MAX_TOKEN_SECONDS / 3600} hours`);
  if (typeof claims.name !== 'string' || typeof claims.email !== 'string')
    return refuse('TOKEN_CLAIMS', 'token: name and email are required');
  return {
    claims: {
      name: claims.name,
      email: claims.email,
      exp: claims.exp,
      ...(typeof claims.iat === 'number' ? { iat: claims.iat } : {}),
      ...(typeof claims.lang === 'string' ? { lang: claims.lang } : {}),
    },
  };
}
