import { AsyncLocalStorage } from 'node:async_hooks';

/** A store could not be read or written: the turn must fail visibly, nothing may be claimed saved. */
export class StoreError extends Error {
  constructor(
    readonly code: 'STORE_OPEN' | 'STORE_READ' | 'STORE_WRITE',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StoreError';
  }
}

/** True for a store failure (ours, or one a store client threw while the store is unreachable). */
export function isStoreError(error: unknown): boolean {
  return error instanceof StoreError;
}

/** Writes gathered by one `atomic` block, applied together when it ends. */
export interface Pending<Tx> {
  ops: ((tx: Tx) => void)[];
  /** What the block wrote, by store key (null: deleted), so that its own reads see it. */
  overlay: Map<string, string | null>;
  closed: boolean;
}

/**
 * All-or-nothing groups of writes across the ports of one state backend (the conversation, its
 * outbox entry, the waiting list, the delivery record): inside `atomic(fn)` every write a port makes
 * is held back and the block's reads see it; when `fn` resolves, the writes are applied in one
 * transaction (SQLite) or one MULTI (Redis). If `fn` throws, nothing is written. Blocks of different
 * turns run side by side: each sees only its own writes (the block is found through the async context).
 */
export class Transactions<Tx> {
  private readonly context = new AsyncLocalStorage<Pending<Tx>>();
  /**
   * Blocks open now. On Node 20 an AsyncLocalStorage in use makes every promise of the process about
   * three times dearer (async hooks); it is on only while a block is open, and off between blocks.
   */
  private open = 0;

  constructor(private readonly commit: (ops: ((tx: Tx) => void)[]) => Promise<void> | void) {}

  /** The open block of the calling async context, if any (a closed one no longer takes writes). */
  current(): Pending<Tx> | undefined {
    const pending = this.context.getStore();
    return pending && !pending.closed ? pending : undefined;
  }

  async atomic<T>(fn: () => Promise<T>): Promise<T> {
    // Nested blocks join the outer one: it commits them all.
    if (this.current()) return fn();
    const pending: Pending<Tx> = { ops: [], overlay: new Map(), closed: false };
    let result: T;
    this.open++;
    try {
      result = await this.context.run(pending, fn);
    } finally {
      pending.closed = true;
      // Later reads of the context give nothing (the blocks that could ask are closed).
      if (--this.open === 0) this.context.disable();
    }
    if (pending.ops.length > 0) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      await this.commit(pending.ops);
    }
    return result;
  }
}
