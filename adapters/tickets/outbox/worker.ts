import { isRetryable, TicketError, type TicketSink } from '../sink.ts';
import type { Outbox, OutboxEntry } from './outbox.ts';

/** How hard the worker tries before a ticket becomes a dead letter. */
export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** Delay before the second attempt; it doubles each time (with jitter) up to `maxDelayMs`. */
  firstDelayMs: number;
  maxDelayMs: number;
  /** A helpdesk asking for more than this in Retry-After is taken at this. */
  maxRetryAfterMs: number;
  /** How long a delivery may run before another process may take the entry over. */
  leaseMs: number;
}

export const DEFAULT_POLICY: RetryPolicy = {
  maxAttempts: 12,
  firstDelayMs: 10_000,
  maxDelayMs: 60 * 60_000,
  maxRetryAfterMs: 24 * 60 * 60_000,
  leaseMs: 2 * 60_000,
};

/** Minimal logger port (pino fits). Never given ticket texts: they hold personal data. */
export interface WorkerLog {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface WorkerOptions {
  policy?: RetryPolicy;
  clock?: () => number;
  /** In [0, 1); injected so tests can pin the jitter. */
  random?: () => number;
  log?: WorkerLog;
}

/**
 * Exponential backoff with jitter: the n-th retry waits between half and all of
 * `min(max, first * 2^(n-1))`, and never less than the helpdesk's Retry-After.
 */
export function backoffMs(policy: RetryPolicy, attempts: number, random: number, retryAfterMs?: number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.firstDelayMs * 2 ** Math.max(0, attempts - 1));
  const jittered = ceiling / 2 + random * (ceiling / 2);
  return Math.max(jittered, Math.min(retryAfterMs ?? 0, policy.maxRetryAfterMs));
}

const silent: WorkerLog = { info() {}, warn() {}, error() {} };

/**
 * Delivers outbox entries through a ticket sink: claims an entry (a lease), sends it, records the
 * ticket or the error and the time of the next attempt; after the last attempt, or on an error no
 * retry can fix (refused credentials, a rejected ticket), the entry becomes a dead letter.
 */
export class DeliveryWorker {
  readonly policy: RetryPolicy;
  private readonly clock: () => number;
  private readonly random: () => number;
  private readonly log: WorkerLog;
  private readonly inFlight = new Map<string, Promise<OutboxEntry | null>>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  /** Called for delivered and dead entries whose person has not been told; true marks them told. */
  onSettled: ((entry: OutboxEntry) => Promise<boolean>) | null = null;

  constructor(
    readonly outbox: Outbox,
    readonly sink: TicketSink,
    options: WorkerOptions = {},
  ) {
    this.policy = options.policy ?? DEFAULT_POLICY;
    this.clock = options.clock ?? Date.now;
    this.random = options.random ?? Math.random;
    this.log = options.log ?? silent;
  }

  /** One attempt for this entry, unless another attempt holds it; resolves to the entry afterwards. */
  attempt(key: string): Promise<OutboxEntry | null> {
    const running = this.inFlight.get(key);
    if (running) return running;
    const next = this.deliver(key).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, next);
    return next;
  }

  private async deliver(key: string): Promise<OutboxEntry | null> {
    const now = this.clock();
    const claimed = await this.outbox.update(
      key,
      (e) => {
        const free = e.state === 'pending' || (e.state === 'delivering' && this.outbox.leaseLapsed(e, now));
        if (!free) return null;
        return {
          ...e,
          state: 'delivering',
          attempts: e.attempts + 1,
          leaseUntil: now + this.policy.leaseMs,
          leasedBy: this.outbox.owner,
        };
      },
      now,
    );
    if (!claimed) return (await this.outbox.get(key)) ?? null;
    const meta = { key: hashKey(key), attempt: claimed.attempts, sink: this.sink.name };
    try {
      // A ticket the helpdesk holds already (its files failed before) only gets its files.
      if (claimed.ticket) await this.sink.addAttachments(claimed.ticket, claimed.draft);
      const ticket = claimed.ticket ?? (await this.sink.create(claimed.draft));
      const at = this.clock();
      this.log.info({ ...meta, ticket: ticket.id }, 'ticket delivered');
      return await this.outbox.update(
        key,
        (e) => {
          const { leaseUntil: _l, leasedBy: _b, lastError: _e, ...rest } = e;
          return { ...rest, state: 'done', ticket, deliveredAt: new Date(at).toISOString() };
        },
        at,
      );
    } catch (error) {
      return this.failed(key, claimed, error, meta);
    }
  }

  private async failed(key: string, claimed: OutboxEntry, error: unknown, meta: object): Promise<OutboxEntry | null> {
    const at = this.clock();
    const e = error instanceof TicketError ? error : null;
    const code = e?.code ?? 'INTERNAL';
    const lastError = {
      code,
      message: String((error as Error)?.message ?? error).slice(0, 500),
      at: new Date(at).toISOString(),
    };
    const final = !isRetryable(error) || claimed.attempts >= this.policy.maxAttempts;
    const delay = backoffMs(this.policy, claimed.attempts, this.random(), e?.options.retryAfterMs);
    (final ? this.log.error : this.log.warn).call(
      this.log,
      { ...meta, code, status: e?.options.status, ...(final ? {} : { retryInMs: Math.round(delay) }) },
      final ? 'ticket delivery failed for good: dead letter' : 'ticket delivery failed, will retry',
    );
    return this.outbox.update(
      key,
      (entry) => {
        const { leaseUntil: _l, leasedBy: _b, ...rest } = entry;
        const ticket = e?.options.filed ?? entry.ticket;
        return {
          ...rest,
          ...(ticket ? { ticket } : {}),
          lastError,
          state: final ? 'dead' : 'pending',
          nextAttemptAt: final ? Number.MAX_SAFE_INTEGER : at + delay,
          ...(final ? { deadAt: lastError.at } : {}),
        };
      },
      at,
    );
  }

  /** Attempt every due entry (one at a time: a helpdesk that is down need not be hammered), then tell people. */
  async runDue(): Promise<void> {
    for (const entry of await this.outbox.due(this.clock())) {
      await this.attempt(entry.key);
    }
    await this.settle();
  }

  /** Hand delivered and dead entries nobody was told about to `onSettled`. */
  async settle(): Promise<void> {
    if (!this.onSettled) return;
    for (const entry of await this.outbox.unsettled()) {
      if (this.inFlight.has(entry.key)) continue;
      try {
        if (await this.onSettled(entry)) {
          await this.outbox.update(entry.key, (e) => ({ ...e, notified: true }), this.clock());
        }
      } catch (error) {
        this.log.warn({ key: hashKey(entry.key), err: String(error) }, 'could not tell the person; will try again');
      }
    }
  }

  /** Poll every `intervalMs` until `stop()`. */
  start(intervalMs: number): void {
    if (this.timer) return;
    const tick = () => {
      if (this.running) return;
      this.running = this.runDue()
        .catch((error) => this.log.error({ err: String(error) }, 'outbox run failed'))
        .finally(() => {
          this.running = null;
        });
    };
    this.timer = setInterval(tick, intervalMs);
    this.timer.unref();
    tick();
  }

  /** Stop polling and wait for deliveries in flight. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
    await Promise.allSettled([...this.inFlight.values()]);
  }
}

/** Idempotency keys name conversations: logs get a short hash instead. */
export function hashKey(key: string): string {
  let h = 2166136261;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 16777619);
  return (h >>> 0).toString(16).padStart(8, '0');
}
