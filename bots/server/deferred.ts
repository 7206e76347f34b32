import type restify from 'restify';
import type { Channel, ChannelStatus } from './server.ts';

/**
 * A channel built once the server is up: its routes are mounted at once and hold their requests until
 * it is built (when the server starts its channels, or at the first request, whichever comes first).
 * For Teams without an agent desk: botbuilder takes about half a second to load, which then no longer
 * keeps the server (Slack, `/healthz`) from being up at every start. Until built, `/healthz` shows the
 * channel on and `starting`; a failure to build fails its start, as any channel's.
 */
export class DeferredChannel<C extends Channel> implements Channel {
  private building: Promise<C> | null = null;
  private built: C | null = null;

  constructor(
    readonly name: string,
    private readonly build: () => Promise<C>,
    /** Mount the channel's routes, handing each request to the channel once it is built. */
    private readonly mountRoutes: (server: restify.Server, channel: () => Promise<C>) => void,
    /** The channel's mode while it is being built (e.g. `local`). */
    private readonly mode: string,
  ) {}

  /** The channel, built on first use. */
  channel(): Promise<C> {
    this.building ??= this.build().then((channel) => (this.built = channel));
    return this.building;
  }

  /** The channel if it is built. */
  current(): C | null {
    return this.built;
  }

  mount(server: restify.Server): void {
    this.mountRoutes(server, () => this.channel());
  }

  async start(): Promise<void> {
    await (await this.channel()).start();
  }

  async stop(): Promise<void> {
    if (this.building) await (await this.building.catch(() => null))?.stop();
  }

  status(): ChannelStatus {
    return this.built?.status() ?? { state: 'on', mode: this.mode, starting: true };
  }
}
