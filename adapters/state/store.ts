import Keyv from 'keyv';
import type { ConversationState } from '../../core/types.ts';
import { sqliteKeyv } from './sqlite.ts';
import { StoreError } from './transactions.ts';

/** A store client's failure (Redis away...) as a `StoreError`, so the turn says "not saved". */
function asStoreError(code: 'STORE_READ' | 'STORE_WRITE', error: unknown): StoreError {
  if (error instanceof StoreError) return error;
  return new StoreError(code, `conversation store: ${(error as Error)?.message ?? String(error)}`, { cause: error });
}

/** Where conversations live between turns. */
export interface ConversationStore {
  get(conversation: string): Promise<ConversationState | undefined>;
  set(conversation: string, state: ConversationState, ttlMs: number): Promise<void>;
  close(): Promise<void>;
}

/** A conversation store on any Keyv backend (memory, SQLite, Redis). */
export class KeyvConversationStore implements ConversationStore {
  constructor(private readonly keyv: Keyv<ConversationState>) {}

  async get(conversation: string): Promise<ConversationState | undefined> {
    try {
      return await this.keyv.get(conversation);
    } catch (error) {
      throw asStoreError('STORE_READ', error);
    }
  }

  async set(conversation: string, state: ConversationState, ttlMs: number): Promise<void> {
    let ok: boolean;
    try {
      ok = await this.keyv.set(conversation, state, ttlMs);
    } catch (error) {
      throw asStoreError('STORE_WRITE', error);
    }
    if (ok === false) throw new StoreError('STORE_WRITE', `could not store conversation ${conversation}`);
  }

  async close(): Promise<void> {
    await this.keyv.disconnect();
  }
}

/** In memory: for tests and one-shot CLI runs. */
export function memoryStore(): ConversationStore {
  return new KeyvConversationStore(new Keyv<ConversationState>({ namespace: 'conv' }));
}

/** In the data folder's database (`<dataDir>/triage.db`), so a restart loses nothing. */
export function fileStore(dataDir: string): ConversationStore {
  return new KeyvConversationStore(sqliteKeyv<ConversationState>(dataDir, 'conv'));
}
