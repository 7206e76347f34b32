import { isIP } from 'node:net';

/**
 * Local mode (`TEAMS_LOCAL_MODE=1`, no app id) takes activities without authentication, as the Bot
 * Framework Emulator sends them. These checks keep it to this machine: a caller on the loopback
 * address that came through no proxy, naming this machine, whose replies go to this machine.
 */

/**
 * Headers a reverse proxy or load balancer adds. A request that passed one came from elsewhere, although
 * its socket is on the loopback address (the proxy on this machine opened it).
 */
export const PROXY_HEADERS = [
  'forwarded',
  'x-forwarded-for',
  'x-forwarded-host',
  'x-forwarded-proto',
  'x-forwarded-port',
  'x-forwarded-server',
  'x-real-ip',
  'x-client-ip',
  'x-cluster-client-ip',
  'x-original-forwarded-for',
  'true-client-ip',
  'cf-connecting-ip',
  'fastly-client-ip',
  'via',
] as const;

/** A loopback IP literal (127.0.0.0/8, ::1, or IPv4 127.x mapped into IPv6), nothing that resolves. */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const a = address.replace(/^\[|\]$/g, '').toLowerCase();
  if (isIP(a) === 6) return a === '::1' || /^::ffff:127\.\d+\.\d+\.\d+$/.test(a) || /^::ffff:7f[0-9a-f]{2}:/.test(a);
  return isIP(a) === 4 && a.startsWith('127.');
}

/**
 * Whether a URL (a `serviceUrl`) is on this machine: an IP literal on the loopback, or `localhost`
 * itself, the name the Emulator uses, which resolves from the hosts file, never from DNS (RFC 6761).
 * Names that merely look local (`127.0.0.1.nip.io`, `x.localhost`, `localtest.me`) are not.
 */
export function isLocalUrl(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    return false;
  }
  return host === 'localhost' || isLoopbackAddress(host);
}

/** The `Host` header's name without the port. */
function hostName(header: string): string {
  const bracketed = /^\[([^\]]*)\](?::\d+)?$/.exec(header);
  if (bracketed) return bracketed[1]!;
  return header.replace(/:\d+$/, '');
}

/** What local mode looks at in a request. */
export interface LocalRequest {
  remoteAddress: string | undefined;
  headers: Record<string, string | string[] | undefined>;
}

/**
 * Why local mode refuses a request (403), or null when it came from this machine: the socket on the
 * loopback address, no proxy header, and a `Host` naming this machine (a web page a browser here opens
 * under another name, DNS rebinding, is not this machine either).
 */
export function localRefusal(request: LocalRequest): string | null {
  if (!isLoopbackAddress(request.remoteAddress))
    return 'the bot runs in local mode (TEAMS_LOCAL_MODE): it answers this machine only';
  const proxied = PROXY_HEADERS.find((name) => request.headers[name] !== undefined);
  if (proxied)
    return `the bot runs in local mode (TEAMS_LOCAL_MODE): requests through a proxy (${proxied}) are refused; set MicrosoftAppId to serve Teams`;
  const host = request.headers.host;
  const name = typeof host === 'string' ? hostName(host.trim().toLowerCase()) : '';
  if (name !== 'localhost' && !isLoopbackAddress(name))
    return 'the bot runs in local mode (TEAMS_LOCAL_MODE): open it as localhost or 127.0.0.1';
  return null;
}
