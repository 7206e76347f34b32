import Keyv from 'keyv';
import { StoreError, Transactions } from './transactions.ts';

type Entries = Map<string, { value: string; expires: number | null }>;

/**
 * A Keyv store adapter on a map in memory, whose writes take part in `atomic` blocks like the
 * database's: the in-memory twin of the SQLite store, for tests and one-shot runs (not durable).
 */
export class MemoryKvStore {
  readonly opts = { dialect: 'redis', url: '' };
  namespace?: string;

  constructor(
    private readonly entries: Entries,
    private readonly tx: Transactions<Entries>,
  ) {}

  on(): this {
    return this;
  }

  async get(key: string): Promise<string | undefined> {
    const written = this.tx.current()?.overlay.get(key);
    if (written !== undefined) return written ?? undefined;
    const entry = this.entries.get(key);
    if (!entry || (entry.expires !== null && entry.expires <= Date.now())) return undefined;
    return entry.value;
  }

  private write(key: string, value: string | null, op: (entries: Entries) => void): void {
    const pending = this.tx.current();
    if (!pending) {
      op(this.entries);
      return;
    }
    pending.ops.push(op);
    pending.overlay.set(key, value);
  }

  async set(key: string, value: string, ttl?: number): Promise<boolean> {
    const expires = typeof ttl === 'number' && ttl > 0 ? Date.now() + ttl : null;
    this.write(key, value, (entries) => entries.set(key, { value, expires }));
    return true;
  }

  async delete(key: string): Promise<boolean> {
    this.write(key, null, (entries) => entries.delete(key));
    return true;
  }

  async clear(): Promise<void> {
    const prefix = this.namespace ? `${this.namespace}:` : '';
    for (const key of [...this.entries.keys()]) if (key.startsWith(prefix)) this.entries.delete(key);
  }

  async *iterator(namespace?: string): AsyncGenerator<[string, string]> {
    const prefix = namespace ? `${namespace}:` : '';
    const overlay = this.tx.current()?.overlay;
    for (const [key, entry] of [...this.entries]) {
      if (!key.startsWith(prefix)) continue;
      if (entry.expires !== null && entry.expires <= Date.now()) continue;
      const written = overlay?.get(key);
      if (written === null) continue;
      yield [key, written ?? entry.value];
    }
  }

  async disconnect(): Promise<void> {}
}

/** One map for every port of a memory backend, and its transactions (all ops applied in one go). */
export function memoryKv(): { keyv<T>(namespace: string): Keyv<T>; atomic<T>(fn: () => Promise<T>): Promise<T> } {
  const entries: Entries = new Map();
  const tx = new Transactions<Entries>((ops) => {
    // Applied to a copy first: an op that throws leaves the map as it was (all or nothing).
    const copy: Entries = new Map(entries);
    try {
      for (const op of ops) op(copy);
    } catch (error) {
      throw new StoreError('STORE_WRITE', `memory store: ${(error as Error).message}`, { cause: error });
    }
    entries.clear();
    for (const [k, v] of copy) entries.set(k, v);
  });
  return {
    keyv: <T>(namespace: string) =>
      new Keyv<T>({ store: new MemoryKvStore(entries, tx), namespace, throwOnErrors: true }),
    atomic: (fn) => tx.atomic(fn),
  };
}
