import type { ConversationStore } from '../../adapters/state/store.ts';

/**
 * The conversations this process saw lately (newest first), for the admin console: the stores keep
 * conversations by id and cannot list them (Redis would have to scan every key), so the runtime notes
 * each one it saves. Bounded: the oldest are forgotten first.
 */
export class RecentConversations {
  private readonly seen = new Map<string, number>();

  constructor(private readonly max = 500) {}

  note(conversation: string, at: number): void {
    this.seen.delete(conversation);
    this.seen.set(conversation, at);
    if (this.seen.size > this.max) this.seen.delete(this.seen.keys().next().value!);
  }

  list(): { conversation: string; at: number }[] {
    return [...this.seen].reverse().map(([conversation, at]) => ({ conversation, at }));
  }

  has(conversation: string): boolean {
    return this.seen.has(conversation);
  }
}

/** The store, noting in `recent` every conversation saved through it. */
export function noting(store: ConversationStore, recent: RecentConversations): ConversationStore {
  return {
    get: (conversation) => store.get(conversation),
    async set(conversation, state, ttlMs) {
      await store.set(conversation, state, ttlMs);
      recent.note(conversation, Date.now());
    },
    close: () => store.close(),
  };
}
