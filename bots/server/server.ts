import type { AddressInfo } from 'node:net';
import restify from 'restify';
import type { Logger } from '../runtime/service.ts';

/** How a channel stands: serving, off by configuration (and why), or failed to start (and why). */
export type ChannelStatus = { state: 'on'; mode: string } | { state: 'off' | 'failed'; reason: string };

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
  const { channels, log } = options;
  const failures = new Map<string, string>();
  const server = restify.createServer({ name: 'helpdesk-triage', handleUncaughtExceptions: false });

  server.get('/healthz', async (_req, res) => {
    const report = Object.fromEntries(
      channels.map((c) => {
        const failed = failures.get(c.name);
        return [c.name, failed ? { state: 'failed', reason: failed } : c.status()];
      }),
    ) as Record<string, ChannelStatus>;
    const healthy = Object.values(report).every((s) => s.state !== 'failed');
    res.send(healthy ? 200 : 503, { status: healthy ? 'ok' : 'degraded', channels: report });
  });
  for (const channel of channels) channel.mount(server);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => {
      server.removeListener('error', reject);
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
