import Keyv from 'keyv';
import { sqliteKeyv } from './sqlite.ts';

/**
 * Remembers which deliveries (a Slack event id, a button click, a Teams activity id) were handled, so
 * that a platform's retry or a double delivery is acted on once. A claim that was never finished (the
 * process died mid-turn) lapses after a lease, so the platform's next retry is handled after all:
 * copies are recognised, retries are never dropped blindly.
 */
export interface DeliveryLog {
  /** True when the caller should handle this delivery: first seen, or an earlier claim lapsed unfinished. */
  claim(key: string): Promise<boolean>;
  /** Handled: later copies are ignored until the record expires. */
  done(key: string): Promise<void>;
  /** Not handled after all (nothing was said or filed): a later copy may try again. */
  release(key: string): Promise<void>;
  close(): Promise<void>;
}

interface Entry {
  state: 'claimed' | 'done';
  at: number;
}

export interface DeliveryLogOptions {
  /** How long an unfinished claim holds off copies (longer than a turn takes, shorter than Slack's 1-minute retry). */
  leaseMs?: number;
  /** How long a handled delivery is remembered (Slack retries up to about 5 minutes later). */
  keepMs?: number;
  clock?: () => number;
  /**
   * Claims made before this log was opened are void (one process: it died, their requests come back
   * from the inbox): forgotten before the first claim.
   */
  forgetEarlierClaims?: boolean;
}

/**
 * A delivery log on any Keyv backend. Claims are atomic within the process (copies arriving at the same
 * moment see the in-process claim); across processes sharing one backend the read-then-write leaves a
 * small window, acceptable because copies from Slack arrive seconds apart.
 */
export class KeyvDeliveryLog implements DeliveryLog {
  private readonly handling = new Set<string>();
  private readonly leaseMs: number;
  private readonly keepMs: number;
  private readonly clock: () => number;
  private readonly openedAt: number;
  private forgotten: Promise<void> | null;

  constructor(
    private readonly keyv: Keyv<Entry>,
    options: DeliveryLogOptions = {},
  ) {
    this.leaseMs = options.leaseMs ?? 30_000;
    this.keepMs = options.keepMs ?? 60 * 60_000;
    this.clock = options.clock ?? Date.now;
    this.openedAt = this.clock();
    this.forgotten = options.forgetEarlierClaims ? null : Promise.resolve();
  }

  private forgetEarlierClaims(): Promise<void> {
    this.forgotten ??= (async () => {
      for await (const [key, entry] of this.keyv.iterator!(undefined)) {
        const e = entry as Entry | undefined;
        if (e?.state === 'claimed' && e.at < this.openedAt) await this.keyv.delete(String(key));
      }
    })().catch((error: unknown) => {
      // Tried again at the next claim: a failed first look must not stick.
      this.forgotten = null;
      throw error;
    });
    return this.forgotten;
  }

  async claim(key: string): Promise<boolean> {
    await this.forgetEarlierClaims();
    if (this.handling.has(key)) return false;
    this.handling.add(key);
    let mine = false;
    try {
      const entry = await this.keyv.get(key);
      if (entry && (entry.state === 'done' || this.clock() - entry.at < this.leaseMs)) return false;
      await this.keyv.set(key, { state: 'claimed', at: this.clock() }, this.keepMs);
      mine = true;
      return true;
    } finally {
      if (!mine) this.handling.delete(key);
    }
  }

  async done(key: string): Promise<void> {
    try {
      await this.keyv.set(key, { state: 'done', at: this.clock() }, this.keepMs);
    } finally {
      this.handling.delete(key);
    }
  }

  async release(key: string): Promise<void> {
    try {
      await this.keyv.delete(key);
    } finally {
      this.handling.delete(key);
    }
  }

  async close(): Promise<void> {
    await this.keyv.disconnect();
  }
}

/** In memory: for tests. */
export function memoryDeliveryLog(options: DeliveryLogOptions = {}): DeliveryLog {
  return new KeyvDeliveryLog(new Keyv<Entry>({ namespace: 'delivery' }), options);
}

/**
 * In the data folder's database (`<dataDir>/triage.db`), so a restart still recognises a retry of what
 * it handled. One process uses it: a claim left unfinished by an earlier run of the process is void
 * (its request is handled again from the inbox), so it is forgotten at the first claim.
 */
export function fileDeliveryLog(dataDir: string, options: DeliveryLogOptions = {}): DeliveryLog {
  return new KeyvDeliveryLog(sqliteKeyv<Entry>(dataDir, 'delivery'), { ...options, forgetEarlierClaims: true });
}
