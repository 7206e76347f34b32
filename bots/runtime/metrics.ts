import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Status } from '../../core/types.ts';

/** What the runtime reports about turns (a port: the service never imports prom-client). */
export interface TurnObserver {
  /** A turn ran (or failed), its time including the wait for earlier turns of its conversation. */
  turn(channel: string, status: Status | 'failed', seconds: number): void;
  ticket(kind: string, adapter: string, outcome: 'filed' | 'queued' | 'failed'): void;
  /** Out of scope (by reason), or over an input limit (`limit_<which>`). */
  refusal(reason: string): void;
  handoff(reason: string): void;
}

/** What channels report: each delivery from the platform, handled once or recognised as a copy. */
export interface DeliveryObserver {
  delivery(channel: string, outcome: DeliveryOutcome): void;
}

/** Handled once, recognised as a copy, failed, or refused (503) because too many turns wait. */
export type DeliveryOutcome = 'handled' | 'duplicate' | 'failed' | 'busy';

/** Counts of outbox entries by state, read when `/metrics` is scraped. */
export type OutboxCounts = () => Promise<Record<'pending' | 'delivering' | 'done' | 'dead', number>>;

/** Routes with their own label; anything else is `other`, so scanners cannot grow the label set. */
const ROUTES = new Set(['/slack/events', '/api/messages', '/healthz', '/metrics']);

/**
 * The bot's Prometheus metrics on a registry of its own (several servers in one test process do not
 * collide): turns, tickets by kind and adapter, refusals by reason, hand-offs, deliveries, outbox depth,
 * turn and HTTP latency histograms, and Node's process metrics (RSS, event-loop lag).
 */
export class Metrics implements TurnObserver, DeliveryObserver {
  readonly registry = new Registry();
  private readonly turns: Counter<'channel' | 'status'>;
  private readonly turnSeconds: Histogram<'channel'>;
  private readonly tickets: Counter<'kind' | 'adapter' | 'outcome'>;
  private readonly refusals: Counter<'reason'>;
  private readonly handoffs: Counter<'reason'>;
  private readonly deliveries: Counter<'channel' | 'outcome'>;
  private readonly http: Histogram<'route' | 'method' | 'status'>;

  constructor(options: { outbox?: OutboxCounts; storeUp?: () => Promise<boolean> } = {}) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.turns = new Counter({
      name: 'triage_turns_total',
      help: 'Turns handled, by channel and the status they left the conversation in',
      labelNames: ['channel', 'status'],
      registers,
    });
    this.turnSeconds = new Histogram({
      name: 'triage_turn_duration_seconds',
      help: 'Time from a turn being handed to the runtime to its answer, ticket filing included',
      labelNames: ['channel'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.tickets = new Counter({
      name: 'triage_tickets_total',
      help: 'Tickets handed to the ticket system, by kind, adapter and outcome (filed, queued in the outbox, failed)',
      labelNames: ['kind', 'adapter', 'outcome'],
      registers,
    });
    this.refusals = new Counter({
      name: 'triage_refusals_total',
      help: 'Requests refused: out of scope by reason, or over an input limit (limit_*)',
      labelNames: ['reason'],
      registers,
    });
    this.handoffs = new Counter({
      name: 'triage_handoffs_total',
      help: 'Conversations handed to a person, by reason',
      labelNames: ['reason'],
      registers,
    });
    this.deliveries = new Counter({
      name: 'triage_deliveries_total',
      help: 'Platform deliveries (events, clicks, commands): handled, ignored as a copy, failed, or refused while busy',
      labelNames: ['channel', 'outcome'],
      registers,
    });
    this.http = new Histogram({
      name: 'triage_http_request_duration_seconds',
      help: 'Time to answer an HTTP request (for Slack events: the acknowledgement)',
      labelNames: ['route', 'method', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 3],
      registers,
    });
    const outbox = options.outbox;
    if (outbox) {
      new Gauge({
        name: 'triage_outbox_entries',
        help: 'Tickets in the outbox by state (pending and delivering: waiting for the helpdesk; dead: for a person)',
        labelNames: ['state'],
        registers,
        async collect() {
          for (const [state, count] of Object.entries(await outbox())) this.set({ state }, count);
        },
      });
    }
    const storeUp = options.storeUp;
    if (storeUp) {
      new Gauge({
        name: 'triage_store_up',
        help: '1 when the conversation store answers',
        registers,
        async collect() {
          this.set((await storeUp()) ? 1 : 0);
        },
      });
    }
  }

  turn(channel: string, status: Status | 'failed', seconds: number): void {
    this.turns.inc({ channel, status });
    this.turnSeconds.observe({ channel }, seconds);
  }

  ticket(kind: string, adapter: string, outcome: 'filed' | 'queued' | 'failed'): void {
    this.tickets.inc({ kind, adapter, outcome });
  }

  refusal(reason: string): void {
    this.refusals.inc({ reason });
  }

  handoff(reason: string): void {
    this.handoffs.inc({ reason });
  }

  delivery(channel: string, outcome: DeliveryOutcome): void {
    this.deliveries.inc({ channel, outcome });
  }

  request(path: string, method: string, status: number, seconds: number): void {
    this.http.observe({ route: ROUTES.has(path) ? path : 'other', method, status: String(status) }, seconds);
  }

  /** The exposition text and its content type. */
  async text(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

/** Outbox counts from a list of entries, cached briefly: scanning the outbox on every scrape is needless. */
export function outboxCounts(all: () => Promise<{ state: string }[]>, cacheMs = 5000): OutboxCounts {
  let cached: { at: number; counts: Awaited<ReturnType<OutboxCounts>> } | null = null;
  return async () => {
    if (cached && Date.now() - cached.at < cacheMs) return cached.counts;
    const counts = { pending: 0, delivering: 0, done: 0, dead: 0 };
    for (const entry of await all()) if (entry.state in counts) counts[entry.state as keyof typeof counts]++;
    cached = { at: Date.now(), counts };
    return counts;
  };
}
