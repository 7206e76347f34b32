import Keyv from 'keyv';
import { sqliteKeyv } from './sqlite.ts';

/**
 * The conversations whose last turn asked the person something: the closing rule's sweep visits them
 * (a reminder, later the closing). Kept beside the conversations, so that a restart, or another
 * process sharing them, still reminds the person. A conversation listed that no longer waits (or no
 * longer exists) is simply struck off by the next sweep.
 */
export interface WaitingList {
  add(conversation: string): Promise<void>;
  remove(conversation: string): Promise<void>;
  list(): Promise<string[]>;
  close(): Promise<void>;
}

/**
 * The list on any Keyv backend, for one process (the embedded store's case): one entry per conversation,
 * read once and mirrored in memory; an entry is written or deleted only when the list changes, so most
 * turns write nothing, and a change writes one small entry (the whole list written on each change made a
 * busy hour's turns quadratic: 2,600 waiting conversations, 2,600 rewrites of all of them).
 */
export class KeyvWaitingList implements WaitingList {
  private chain: Promise<unknown> = Promise.resolve();
  private loaded: Promise<Set<string>> | null = null;

  constructor(private readonly keyv: Keyv<true>) {}

  private current(): Promise<Set<string>> {
    this.loaded ??= (async () => {
      const list = new Set<string>();
      for await (const [key] of this.keyv.iterator!(undefined)) list.add(String(key));
      return list;
    })().catch((error: unknown) => {
      // A failed first read is tried again at the next call, never kept (it stopped every turn).
      this.loaded = null;
      throw error;
    });
    return this.loaded;
  }

  private change(conversation: string, add: boolean): Promise<void> {
    const job = async () => {
      const list = await this.current();
      if (list.has(conversation) === add) return;
      if (add) {
        if ((await this.keyv.set(conversation, true)) === false) throw new Error('could not store the waiting list');
        list.add(conversation);
      } else {
        await this.keyv.delete(conversation);
        list.delete(conversation);
      }
    };
    const next = this.chain.then(job, job);
    this.chain = next.catch(() => {});
    return next;
  }

  add(conversation: string): Promise<void> {
    return this.change(conversation, true);
  }

  remove(conversation: string): Promise<void> {
    return this.change(conversation, false);
  }

  async list(): Promise<string[]> {
    return [...(await this.current())];
  }

  async close(): Promise<void> {
    await this.chain;
    await this.keyv.disconnect();
  }
}

/** In memory: for tests and one-shot CLI runs. */
export function memoryWaitingList(): WaitingList {
  return new KeyvWaitingList(new Keyv<true>({ namespace: 'waiting' }));
}

/** In the data folder's database (`<dataDir>/triage.db`), for one process (Redis: `connectRedis`). */
export function fileWaitingList(dataDir: string): WaitingList {
  return new KeyvWaitingList(sqliteKeyv<true>(dataDir, 'waiting'));
}
