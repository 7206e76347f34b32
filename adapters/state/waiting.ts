import { join } from 'node:path';
import Keyv from 'keyv';
import { KeyvFile } from 'keyv-file';

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

const KEY = 'waiting';

/**
 * The list as one value on any Keyv backend, for one process (the embedded store's case): read once,
 * kept in memory, written whole on each change, changes serialised here. Most turns change nothing
 * and write nothing.
 */
export class KeyvWaitingList implements WaitingList {
  private chain: Promise<unknown> = Promise.resolve();
  private loaded: Promise<Set<string>> | null = null;

  constructor(private readonly keyv: Keyv<string[]>) {}

  private current(): Promise<Set<string>> {
    this.loaded ??= this.keyv.get(KEY).then((list) => new Set(list ?? []));
    return this.loaded;
  }

  private change(edit: (list: Set<string>) => boolean): Promise<void> {
    const job = async () => {
      const list = await this.current();
      if (!edit(list)) return;
      if ((await this.keyv.set(KEY, [...list])) === false) throw new Error('could not store the waiting list');
    };
    const next = this.chain.then(job, job);
    this.chain = next.catch(() => {});
    return next;
  }

  add(conversation: string): Promise<void> {
    return this.change((list) => !list.has(conversation) && Boolean(list.add(conversation)));
  }

  remove(conversation: string): Promise<void> {
    return this.change((list) => list.delete(conversation));
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
  return new KeyvWaitingList(new Keyv<string[]>({ namespace: 'waiting' }));
}

/** On disk under `<dataDir>/waiting`, so a restart still reminds the conversations it left waiting. */
export function fileWaitingList(dataDir: string): WaitingList {
  const store = new KeyvFile({
    filename: join(dataDir, 'waiting'),
    separatedFile: true,
    writeDelay: 0,
    expiredCheckDelay: 60 * 60 * 1000,
  });
  return new KeyvWaitingList(new Keyv<string[]>({ store, namespace: 'waiting' }));
}
