import { TicketError, type TicketErrorCode } from './sink.ts';

/** What an adapter needs to talk HTTP: which system (for errors), a deadline, and `fetch` (tests may wrap it). */
export interface HttpSettings {
  system: string;
  /** Per request; a helpdesk that does not answer in time counts as down for this attempt. */
  timeoutMs: number;
  fetch?: typeof fetch;
}

/** A response that was a success (2xx or 204). */
export interface HttpResponse {
  status: number;
  headers: Headers;
  body: unknown;
}

/** Seconds or an HTTP date, as RFC 9110 allows; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function codeOf(status: number): TicketErrorCode {
  if (status === 401 || status === 403) return 'AUTH';
  if (status === 404) return 'NOT_FOUND';
  if (status === 429) return 'RATE_LIMITED';
  if (status === 408 || status >= 500) return 'UNAVAILABLE';
  return 'REJECTED';
}

/** The vendor's own words about an error (Freshdesk, Jira, TOPdesk shapes), short; never the request. */
export function vendorMessage(body: unknown): string {
  const parts: string[] = [];
  const visit = (value: unknown) => {
    if (typeof value === 'string') parts.push(value);
    else if (Array.isArray(value)) for (const v of value) visit(v);
    else if (value && typeof value === 'object') {
      const o = value as Record<string, unknown>;
      for (const k of ['errorMessage', 'message', 'error', 'description', 'code', 'field'])
        if (typeof o[k] === 'string') visit(o[k]);
      if (o.errors) visit(o.errors);
    }
  };
  visit(body);
  return [...new Set(parts)].join('; ').slice(0, 300);
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text.slice(0, 300);
  }
}

/**
 * One HTTP call with a deadline; non-2xx answers and network failures become TicketErrors whose code
 * says whether a retry can help (429 carries the server's Retry-After).
 */
export async function call(settings: HttpSettings, url: string, init: RequestInit): Promise<HttpResponse> {
  const doFetch = settings.fetch ?? fetch;
  let response: Response;
  try {
    response = await doFetch(url, { ...init, signal: AbortSignal.timeout(settings.timeoutMs) });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
    throw new TicketError('NETWORK', `${settings.system}: no answer (${cause})`, {
      system: settings.system,
      cause: error,
    });
  }
  const body = await readBody(response).catch(() => null);
  if (response.ok) return { status: response.status, headers: response.headers, body };
  const code = codeOf(response.status);
  const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
  const said = vendorMessage(body);
  throw new TicketError(code, `${settings.system}: HTTP ${response.status}${said ? ` (${said})` : ''}`, {
    system: settings.system,
    status: response.status,
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
  });
}

/** `Authorization: Basic` for a user and password (or API key and "X", as Freshdesk wants). */
export function basicAuth(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

/** Read a required secret from the environment; a missing one is a configuration error, not a retry. */
export function secretFrom(env: NodeJS.ProcessEnv, name: string, system: string): string {
  const value = env[name];
  if (!value) throw new TicketError('CONFIG', `${system}: environment variable ${name} is not set`, { system });
  return value;
}
