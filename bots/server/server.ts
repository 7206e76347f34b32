import { timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import restify from 'restify';
import type { Metrics } from '../runtime/metrics.ts';
import type { Logger } from '../runtime/service.ts';

/** Largest request body any route takes (Slack events and clicks, Teams activities are far smaller). */
export const MAX_BODY_BYTES = 1024 * 1024;

/** How a part the bot depends on stands (the state store, the ticket system), for `/healthz`. */
export interface ComponentHealth {
  /** `down`: the bot cannot serve (503); `degraded`: it serves, something waits (tickets queue up). */
  state: 'ok' | 'degraded' | 'down';
  [detail: string]: unknown;
}

/** How a channel stands: serving, off by configuration (and why), or failed to start (and why). */
export type ChannelStatus =
  /** `starting`: on, not taking requests yet (Teams: its SDK loading, requests wait; Slack: token unchecked, 503). */
  { state: 'on'; mode: string; starting?: true } | { state: 'off' | 'failed'; reason: string };

/**
 * A chat channel the server hosts (Slack, Teams): it adds its routes, starts and stops with the
 * server. Mounting a new channel is one more object in the `channels` list of {@link startServer}.
 * The server installs no body parser: each route brings its own (Slack verifies a signature over the
 * raw bytes; Teams would mount `server.post('/api/messages', restify.plugins.bodyParser(), handler)`).
 */
export interface Channel {
  readonly name: string;
  /** Add the channel's routes; each route brings its own body handling (Slack needs the raw body). */
  mount(server: restify.Server): void;
  /** Connect to the platform (e.g. check the token); a failure leaves the other channels serving. */
  start(): Promise<void>;
  /** Stop taking work and wait for the turns under way. */
  stop(): Promise<void>;
  status(): ChannelStatus;
  /** A larger (or smaller) body limit for one of its routes (the web chat's uploads), else the server's. */
  bodyLimit?(path: string): number | undefined;
}

/** A channel that is off, with the reason `/healthz` and the log give. */
export function offChannel(name: string, reason: string): Channel {
  return {
    name,
    mount() {},
    async start() {},
    async stop() {},
    status: () => ({ state: 'off', reason }),
  };
}

export interface ServerOptions {
  port: number;
  host?: string;
  channels: Channel[];
  log: Logger;
  /** Checked on every `/healthz`: the store, the ticket system... */
  health?: Record<string, () => Promise<ComponentHealth>>;
  /** Served on `GET /metrics` (Prometheus text), and told each request's time. */
  metrics?: Metrics;
  /** When set, `/metrics` wants `Authorization: Bearer <token>`. */
  metricsToken?: string;
  /** Bodies declared larger are refused with 413 before a byte is read (default {@link MAX_BODY_BYTES}). */
  maxBodyBytes?: number;
}

export interface RunningServer {
  /** Base URL, e.g. `http://127.0.0.1:3978`. */
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * One HTTP server for every channel: `GET /healthz` plus each channel's routes. Channels start after
 * the port is open, so a platform that checks the URL at start finds it answering.
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const { channels, log, metrics } = options;
  const maxBody = options.maxBodyBytes ?? MAX_BODY_BYTES;
  const failures = new Map<string, string>();
  const server = restify.createServer({ name: 'helpdesk-triage', handleUncaughtExceptions: false });

  server.pre((req: restify.Request, res: restify.Response, next: restify.Next) => {
    if (metrics) {
      const start = performance.now();
      res.once('finish', () =>
        metrics.request(req.path(), req.method ?? 'GET', res.statusCode, (performance.now() - start) / 1000),
      );
    }
    // Refused before reading: a body announced too large costs nothing. A body sent without a length
    // is cut off by each route's own limit (Slack's receiver, Teams' body parser).
    const declared = Number(req.headers['content-length'] ?? 0);
    const path = req.path();
    const limit = channels.map((c) => c.bodyLimit?.(path)).find((n) => n !== undefined) ?? maxBody;
    if (declared > limit) {
      res.setHeader('connection', 'close');
      res.send(413, { error: `request body over ${limit} bytes` });
      return next(false);
    }
    return next();
  });

  server.get('/healthz', async (_req, res) => {
    const report = Object.fromEntries(
      channels.map((c) => {
        const failed = failures.get(c.name);
        return [c.name, failed ? { state: 'failed', reason: failed } : c.status()];
      }),
    ) as Record<string, ChannelStatus>;
    const components = Object.fromEntries(
      await Promise.all(
        Object.entries(options.health ?? {}).map(async ([name, check]) => {
          const health = await check().catch(
            (error: unknown): ComponentHealth => ({
              state: 'down',
              reason: (error as Error).message ?? String(error),
            }),
          );
          return [name, health] as const;
        }),
      ),
    );
    const down =
      Object.values(report).some((s) => s.state === 'failed') ||
      Object.values(components).some((c) => c.state === 'down');
    const degraded = Object.values(components).some((c) => c.state === 'degraded');
    res.send(down ? 503 : 200, {
      status: down ? 'down' : degraded ? 'degraded' : 'ok',
      channels: report,
      ...components,
    });
  });

  if (metrics) {
    server.get('/metrics', async (req: restify.Request, res: restify.Response) => {
      if (options.metricsToken && !bearerIs(req.headers.authorization, options.metricsToken)) {
        res.send(401, { error: 'metrics need the bearer token' });
        return;
      }
      const { contentType, body } = await metrics.text();
      res.writeHead(200, { 'content-type': contentType });
      res.end(body);
    });
  }
  for (const channel of channels) channel.mount(server);

  await new Promise<void>((resolve, reject) => {
    const failed = (error: Error) => reject(listenError(error, options.port, options.host ?? '0.0.0.0'));
    server.once('error', failed);
    server.listen(options.port, options.host ?? '0.0.0.0', () => {
      server.removeListener('error', failed);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = options.host && options.host !== '0.0.0.0' ? options.host : '127.0.0.1';
  log.info({ port: address.port }, 'server listening');

  for (const channel of channels) {
    const status = channel.status();
    if (status.state === 'off') {
      log.warn({ channel: channel.name, reason: status.reason }, `${channel.name} is off`);
      continue;
    }
    try {
      await channel.start();
      log.info({ channel: channel.name, ...channel.status() }, `${channel.name} is on`);
    } catch (error) {
      const reason = (error as Error).message ?? String(error);
      failures.set(channel.name, reason);
      log.error({ channel: channel.name, reason }, `${channel.name} failed to start`);
    }
  }

  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all(channels.map((c) => c.stop()));
    },
  };
}

/** A port that cannot be had says what to do about it: Node's own `listen EADDRINUSE` does not. */
export function listenError(error: Error, port: number, host: string): Error {
  const code = (error as NodeJS.ErrnoException).code;
  const hint =
    code === 'EADDRINUSE'
      ? `port ${port} is already in use on ${host} (another \`triage serve\` or \`npm start\`?): stop that program, or choose another port with --port N or PORT=N`
      : code === 'EACCES'
        ? `port ${port} on ${host} needs more privileges: choose a port above 1023 with --port N or PORT=N`
        : code === 'EADDRNOTAVAIL'
          ? `address ${host} is not one of this machine's: choose another with --host`
          : null;
  if (!hint) return error;
  return Object.assign(new Error(hint, { cause: error }), { code });
}

function bearerIs(header: string | undefined, token: string): boolean {
  const given = Buffer.from(/^Bearer (.+)$/.exec(header ?? '')?.[1] ?? '');
  const wanted = Buffer.from(token);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}
