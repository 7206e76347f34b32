import { randomUUID } from 'node:crypto';
import Keyv from 'keyv';
import type { FiledTicket, TicketDraft } from '../../../core/types.ts';
import type { NamedLock } from '../../state/lock.ts';
import { sqliteKeyv } from '../../state/sqlite.ts';

/**
 * One ticket on its way to the helpdesk. `pending` waits for its next attempt, `delivering` is being
 * sent (until `leaseUntil`: a process that died mid-delivery leaves it for another to pick up),
 * `done` was accepted, `dead` failed for good and waits for a person (`triage tickets retry`).
 */
export interface OutboxEntry {
  key: string;
  draft: TicketDraft;
  /** The adapter it was registered for. */
  sink: string;
  state: 'pending' | 'delivering' | 'done' | 'dead';
  attempts: number;
  /** Epoch ms; the worker leaves the entry alone before this. */
  nextAttemptAt: number;
  leaseUntil?: number;
  /** Which outbox (process) holds the lease: see `Outbox.leaseLapsed`. */
  leasedBy?: string;
  lastError?: { code: string; message: string; at: string };
  /** Set once the helpdesk accepted the ticket (also when only its attachments are still to send). */
  ticket?: FiledTicket;
  /** The person has been told the outcome (the number, or that a colleague will follow up). */
  notified: boolean;
  createdAt: string;
  updatedAt: string;
  deliveredAt?: string;
  deadAt?: string;
}

/** How long delivered entries are kept: a repeat of the same key within this window gets the same ticket. */
export const KEEP_DONE_MS = 30 * 24 * 60 * 60_000;

/**
 * The durable outbox: every ticket the core asks to file is written here before the person is told
 * anything, and leaves only when the helpdesk accepted it or a person dealt with its dead letter.
 * Any Keyv store that can iterate works (file by default, Redis for several bot processes).
 */
export class Outbox {
  private readonly locks = new Map<string, Promise<unknown>>();

  private readonly lock: NamedLock | null;
  private readonly refreshMs: number;
  /** This outbox's name on the leases it takes. */
  readonly owner = randomUUID();
  private readonly soleOwner: boolean;
  /**
   * Every entry in brief (no transcript, no files), so the worker's rounds, the ask-once look-up and the
   * metrics need not read the whole outbox (30 days of delivered tickets) every time: rebuilt from the
   * store at most every `refreshMs` (entries other processes wrote show up by then), this process's
   * own writes at once.
   */
  private catalogue: Map<string, OutboxEntry> | null = null;
  private cataloguedAt = 0;
  private rebuilding: Promise<Map<string, OutboxEntry>> | null = null;
  /** Writes made while the catalogue is being rebuilt, applied on top of it. */
  private writtenDuringRebuild = new Map<string, OutboxEntry>();

  /**
   * With a `lock` shared by several processes (Redis), an entry's read-change-write is atomic across
   * them too. `refreshMs` bounds how long another process's new entry may go unseen by this one's worker
   * rounds (it sends its own entries itself at once).
   */
  constructor(
    private readonly keyv: Keyv<OutboxEntry>,
    options: { lock?: NamedLock; refreshMs?: number; soleOwner?: boolean } = {},
  ) {
    this.lock = options.lock ?? null;
    this.soleOwner = options.soleOwner ?? false;
    this.refreshMs = options.refreshMs ?? 30_000;
    if (!keyv.iterator)
      throw new Error('the outbox needs a Keyv store that can list its keys (memory, file, Redis, SQLite)');
  }

  /**
   * Run `fn` alone for this key in this process (the worker and a turn may touch one entry at once),
   * and across processes when a shared lock is given.
   */
  private locked<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(key) ?? Promise.resolve();
    const lock = this.lock;
    const alone = lock ? () => lock.run(`outbox:${key}`, fn) : fn;
    const next = previous.then(alone, alone);
    this.locks.set(key, next);
    void next
      .finally(() => {
        if (this.locks.get(key) === next) this.locks.delete(key);
      })
      .catch(() => {});
    return next;
  }

  async get(key: string): Promise<OutboxEntry | undefined> {
    return this.keyv.get(key);
  }

  private async write(entry: OutboxEntry): Promise<void> {
    const ok = await this.keyv.set(entry.key, entry, entry.state === 'done' ? KEEP_DONE_MS : undefined);
    if (ok === false) throw new Error(`outbox: could not store ${entry.key}`);
    const brief = briefOf(entry);
    this.catalogue?.set(entry.key, brief);
    if (this.rebuilding) this.writtenDuringRebuild.set(entry.key, brief);
  }

  /** Every entry in brief (see `catalogue`): enough to choose which to read in full. */
  async briefs(): Promise<OutboxEntry[]> {
    if (!this.catalogue || Date.now() - this.cataloguedAt >= this.refreshMs) {
      this.rebuilding ??= (async () => {
        this.writtenDuringRebuild = new Map();
        const fresh = new Map<string, OutboxEntry>();
        for (const entry of await this.all()) fresh.set(entry.key, briefOf(entry));
        for (const [key, entry] of this.writtenDuringRebuild) fresh.set(key, entry);
        return fresh;
      })().finally(() => {
        this.rebuilding = null;
      });
      this.catalogue = await this.rebuilding;
      this.cataloguedAt = Date.now();
    }
    return [...this.catalogue.values()];
  }

  /** Entries whose person has not been told their delivered or dead outcome, read in full. */
  async unsettled(): Promise<OutboxEntry[]> {
    const settled = (e: OutboxEntry) => !e.notified && (e.state === 'done' || e.state === 'dead');
    return this.fresh((await this.briefs()).filter(settled), settled);
  }

  /** Re-read candidates from the store (another process may have moved them on) and keep those still passing. */
  private async fresh(candidates: OutboxEntry[], test: (e: OutboxEntry) => boolean): Promise<OutboxEntry[]> {
    const entries = await Promise.all(candidates.map((c) => this.get(c.key)));
    return entries
      .filter((e): e is OutboxEntry => e !== undefined && test(e))
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.key.localeCompare(b.key));
  }

  /** Register a draft; a key registered before keeps its entry (same key, same ticket). */
  put(draft: TicketDraft, sink: string, now: number): Promise<{ entry: OutboxEntry; created: boolean }> {
    return this.locked(draft.idempotencyKey, async () => {
      const existing = await this.get(draft.idempotencyKey);
      if (existing) return { entry: existing, created: false };
      const at = new Date(now).toISOString();
      const entry: OutboxEntry = {
        key: draft.idempotencyKey,
        draft,
        sink,
        state: 'pending',
        attempts: 0,
        nextAttemptAt: now,
        notified: false,
        createdAt: at,
        updatedAt: at,
      };
      await this.write(entry);
      return { entry, created: true };
    });
  }

  /** Change an entry under the key's lock; `change` returns null to leave it as it is. */
  update(key: string, change: (entry: OutboxEntry) => OutboxEntry | null, now: number): Promise<OutboxEntry | null> {
    return this.locked(key, async () => {
      const entry = await this.get(key);
      if (!entry) return null;
      const next = change(structuredClone(entry));
      if (!next) return null;
      next.updatedAt = new Date(now).toISOString();
      await this.write(next);
      return next;
    });
  }

  /** Entries that could not be read as entries (skipped: one damaged entry must not stop the others). */
  unreadable = 0;

  async all(): Promise<OutboxEntry[]> {
    const out: OutboxEntry[] = [];
    let unreadable = 0;
    for await (const [, value] of this.keyv.iterator!(undefined)) {
      if (isEntry(value)) out.push(value);
      else unreadable++;
    }
    this.unreadable = unreadable;
    return out.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.key.localeCompare(b.key));
  }

  /**
   * Whether a delivery under way may be taken over: its lease ran out, or, where this process is the
   * outbox's only user (the embedded store), another outbox took it: an earlier run of this process,
   * which died (waiting out its lease would keep a person from their number for minutes).
   */
  leaseLapsed(e: OutboxEntry, now: number): boolean {
    if ((e.leaseUntil ?? 0) <= now) return true;
    return this.soleOwner && e.leasedBy !== this.owner;
  }

  /** Entries to attempt now: pending and due, or left mid-delivery by a process whose lease ran out. */
  async due(now: number): Promise<OutboxEntry[]> {
    const due = (e: OutboxEntry) =>
      (e.state === 'pending' && e.nextAttemptAt <= now) || (e.state === 'delivering' && this.leaseLapsed(e, now));
    return this.fresh((await this.briefs()).filter(due), due);
  }

  async dead(): Promise<OutboxEntry[]> {
    return (await this.all()).filter((e) => e.state === 'dead');
  }

  /** Send a dead letter again: back to pending with a fresh count of attempts. */
  retry(key: string, now: number): Promise<OutboxEntry | null> {
    return this.update(
      key,
      (e) =>
        e.state === 'dead' ? { ...e, state: 'pending', attempts: 0, nextAttemptAt: now, notified: e.notified } : null,
      now,
    );
  }

  async close(): Promise<void> {
    await this.keyv.disconnect();
  }
}

function isEntry(value: unknown): value is OutboxEntry {
  const e = value as Partial<OutboxEntry> | null;
  return (
    typeof e === 'object' &&
    e !== null &&
    typeof e.key === 'string' &&
    typeof e.state === 'string' &&
    typeof e.draft === 'object' &&
    e.draft !== null &&
    typeof e.createdAt === 'string'
  );
}

/** An entry without what only delivery needs (the transcript, the files): what the catalogue keeps. */
function briefOf(entry: OutboxEntry): OutboxEntry {
  return { ...entry, draft: { ...entry.draft, transcript: [], attachments: [] } };
}

/** An outbox in memory: tests, one-shot runs. Not durable. */
export function memoryOutbox(): Outbox {
  return new Outbox(new Keyv<OutboxEntry>({ namespace: 'outbox' }));
}

/** The durable outbox in the data folder's database (`<dataDir>/triage.db`, one row per ticket). */
export function fileOutbox(dataDir: string): Outbox {
  return new Outbox(sqliteKeyv<OutboxEntry>(dataDir, 'outbox'), { soleOwner: true });
}
