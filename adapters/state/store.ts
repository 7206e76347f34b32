import { join } from 'node:path';
import Keyv from 'keyv';
import { KeyvFile } from 'keyv-file';
import type { ConversationState } from '../../core/types.ts';

/** Where conversations live between turns. */
export interface ConversationStore {
  get(conversation: string): Promise<ConversationState | undefined>;
  set(conversation: string, state: ConversationState, ttlMs: number): Promise<void>;
  close(): Promise<void>;
}

/** A conversation store on any Keyv backend (memory, file, SQLite, Redis). */
export class KeyvConversationStore implements ConversationStore {
  constructor(private readonly keyv: Keyv<ConversationState>) {}

  async get(conversation: string): Promise<ConversationState | undefined> {
    return this.keyv.get(conversation);
  }

  async set(conversation: string, state: ConversationState, ttlMs: number): Promise<void> {
    const ok = await this.keyv.set(conversation, state, ttlMs);
    if (ok === false) throw new Error(`could not store conversation ${conversation}`);
  }

  async close(): Promise<void> {
    await this.keyv.disconnect();
  }
}

/** In memory: for tests and one-shot CLI runs. */
export function memoryStore(): ConversationStore {
  return new KeyvConversationStore(new Keyv<ConversationState>({ namespace: 'conv' }));
}

/** On disk under `<dataDir>/conversations` (one file per conversation), so a restart loses nothing. */
export function fileStore(dataDir: string): ConversationStore {
  const store = new KeyvFile({
    filename: join(dataDir, 'conversations'),
    separatedFile: true,
    writeDelay: 0,
    expiredCheckDelay: 60 * 60 * 1000,
  });
  return new KeyvConversationStore(new Keyv<ConversationState>({ store, namespace: 'conv' }));
}
