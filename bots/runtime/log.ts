import { type DestinationStream, type Logger, pino, stdSerializers } from 'pino';

/** Paths pino blanks out wherever they occur one level down (`{slack: {token}}`, `{headers: {authorization}}`). */
export const REDACTED = ['*.token', '*.botToken', '*.appToken', '*.signingSecret', '*.password', '*.authorization'];

/** Keys holding secrets, at any depth: always blanked. */
const SECRET_KEYS = new Set([
  'token',
  'bottoken',
  'apptoken',
  'signingsecret',
  'password',
  'authorization',
  'cookie',
  'secret',
  'apikey',
  'api_key',
]);

/** Keys whose values are what a person wrote or who they are: blanked unless `LOG_PERSONAL_DATA=1`. */
const PERSONAL_KEYS = new Set([
  'text',
  'name',
  'real_name',
  'display_name',
  'email',
  'phone',
  'student',
  'requester',
  'profile',
  'transcript',
  'description',
  'title',
  'slots',
  'extra',
]);

/** Secrets in free text: Slack tokens, bearer credentials, Slack's request signatures, a URL's user and password. */
const SECRET_TEXT = [
  /\b[a-z][a-z0-9+.-]*:\/\/[^\s/@]+@/gi,
  /\bxox[abposr]-[\w-]+/g,
  /\bxapp-[\w-]+/g,
  /\b(Bearer|Basic)\s+[\w.~+/=-]+/gi,
  /\bv0=[0-9a-f]{64}\b/g,
];

/** Personal data in free text: e-mail addresses, phone numbers, and JSON fields of the keys above. */
const EMAIL_TEXT = /[\p{L}\p{N}._%+-]{1,64}@[\p{L}\p{N}-]{1,63}(?:\.[\p{L}\p{N}-]{1,63}){0,8}/gu;
const PHONE_TEXT = /(?<![\w+])(?:\+\d{2}[\s.]?|0)\d(?:[\s./-]?\d){6,10}(?!\w)/g;
const PERSONAL_JSON = new RegExp(`"(${[...PERSONAL_KEYS].join('|')})"\\s*:\\s*"(?:[^"\\\\]|\\\\.)*"`, 'g');

/**
 * Blank secrets and (unless `personal`) personal data in anything about to be logged: by key at any
 * depth, and by shape in free text (messages, error texts, JSON that Bolt logs as strings).
 */
export function scrub(value: unknown, personal: boolean, depth = 0): unknown {
  if (typeof value === 'string') return scrubText(value, personal);
  if (value === null || typeof value !== 'object' || depth > 8) return value;
  if (value instanceof Error) return scrub(stdSerializers.err(value), personal, depth + 1);
  if (Array.isArray(value)) return value.map((v) => scrub(v, personal, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    const k = key.toLowerCase();
    if (SECRET_KEYS.has(k)) out[key] = '[redacted]';
    else if (!personal && PERSONAL_KEYS.has(k) && v !== null && v !== undefined && v !== '') out[key] = '[personal]';
    else out[key] = scrub(v, personal, depth + 1);
  }
  return out;
}

/** A secret's place kept readable: "Bearer [redacted]", "redis://[redacted]@host". */
function redacted(secret: string): string {
  if (/^(bearer|basic)\s/i.test(secret)) return `${secret.split(/\s/)[0]} [redacted]`;
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(secret);
  return scheme ? `${scheme[0]}[redacted]@` : '[redacted]';
}

export function scrubText(text: string, personal: boolean): string {
  let out = text;
  for (const pattern of SECRET_TEXT) out = out.replace(pattern, redacted);
  if (personal) return out;
  return out
    .replace(PERSONAL_JSON, (_m, key: string) => `"${key}":"[personal]"`)
    .replace(EMAIL_TEXT, '[email]')
    .replace(PHONE_TEXT, '[phone]');
}

/**
 * The app's logger: JSON lines on standard error (standard output belongs to the CLI's answers), level
 * from `LOG_LEVEL`. Secrets never reach a line; personal data (message texts, names, e-mail addresses,
 * phone numbers) neither, unless `LOG_PERSONAL_DATA=1` (for debugging on a test workspace).
 */
export function appLogger(level = 'warn', destination: DestinationStream = pino.destination(2)): Logger {
  const personal = process.env.LOG_PERSONAL_DATA === '1';
  return pino(
    {
      level: process.env.LOG_LEVEL ?? level,
      redact: REDACTED,
      formatters: { log: (object) => scrub(object, personal) as Record<string, unknown> },
      hooks: {
        logMethod(args, method) {
          const cleaned = args.map((a) => (typeof a === 'string' ? scrubText(a, personal) : a));
          return method.apply(this, cleaned as Parameters<typeof method>);
        },
      },
    },
    destination,
  );
}
