import Keyv from 'keyv';
import { sqliteKeyv } from './sqlite.ts';

/**
 * Where a channel keeps how to reach a conversation later (Teams: the conversation reference a
 * proactive message needs), so a ticket number that comes after its turn, a reminder or an agent's
 * message still reaches the person after a restart, and, kept with the state on Redis, from whichever
 * process sends it.
 */
export interface AddressBook<T = unknown> {
  get(conversation: string): Promise<T | undefined>;
  /**
   * Remember (or renew) the address: it is kept at least `keepMs` after the last call. Cheap when
   * nothing changed: most calls (each message of a conversation) write nothing.
   */
  set(conversation: string, address: T): Promise<void>;
  close(): Promise<void>;
}

export interface AddressBookOptions {
  /**
   * How long an address is kept after its last use: at least as long as its conversation can be kept
   * (the host derives it from the configuration). Default: a month.
   */
  keepMs?: number;
  /**
   * An address unchanged since this process wrote it is written again only this long after (default:
   * an hour), to renew its expiry; so an entry lives `keepMs` after its last use, plus this at most.
   */
  refreshMs?: number;
  clock?: () => number;
}

/**
 * An address book on any Keyv backend (memory, file, Redis); the store's own expiry forgets. It writes
 * an address only when it differs from what this process last wrote for the conversation, or to renew
 * it: a conversation's address rarely changes, and a write per message (a file, or a round trip to
 * Redis) is what a busy channel can least afford. Another process may have written a newer address
 * meanwhile; that one works as well, so it is left.
 */
export class KeyvAddressBook<T = unknown> implements AddressBook<T> {
  private readonly keepMs: number;
  private readonly refreshMs: number;
  private readonly clock: () => number;
  /** What this process last wrote per conversation, and when (bounded: the oldest are dropped first). */
  private readonly written = new Map<string, { json: string; at: number }>();

  constructor(
    private readonly keyv: Keyv<T>,
    options: AddressBookOptions = {},
  ) {
    this.keepMs = options.keepMs ?? KEEP_MS;
    this.refreshMs = options.refreshMs ?? 60 * 60_000;
    this.clock = options.clock ?? Date.now;
  }

  get(conversation: string): Promise<T | undefined> {
    return this.keyv.get(conversation);
  }

  async set(conversation: string, address: T): Promise<void> {
    const json = JSON.stringify(address);
    const now = this.clock();
    const last = this.written.get(conversation);
    if (last?.json === json && now - last.at < this.refreshMs) return;
    // Kept `refreshMs` longer than asked: calls within that time after this one write nothing.
    if ((await this.keyv.set(conversation, address, this.keepMs + this.refreshMs)) === false)
      throw new Error(`could not store the address of ${conversation}`);
    this.written.delete(conversation);
    if (this.written.size >= REMEMBERED) this.written.delete(this.written.keys().next().value!);
    this.written.set(conversation, { json, at: now });
  }

  async close(): Promise<void> {
    await this.keyv.disconnect();
  }
}

const KEEP_MS = 30 * 24 * 3_600_000;
const REMEMBERED = 10_000;

/** In memory: for tests. */
export function memoryAddressBook<T = unknown>(options: AddressBookOptions = {}): AddressBook<T> {
  return new KeyvAddressBook(new Keyv<T>({ namespace: 'address' }), options);
}

/** In the data folder's database (`<dataDir>/triage.db`), for one process (Redis: `connectRedis`). */
export function fileAddressBook<T = unknown>(dataDir: string, options: AddressBookOptions = {}): AddressBook<T> {
  return new KeyvAddressBook(sqliteKeyv<T>(dataDir, 'address'), options);
}
