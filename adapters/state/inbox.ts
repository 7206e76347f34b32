/**
 * Requests a channel took from its platform (and acknowledged) but has not finished handling: written
 * before the acknowledgement, struck off once the turn is through. After a crash the channel handles
 * what is left, so an acknowledged message or click is never lost (the platform will not send it
 * again). For one process (the embedded store): with several processes sharing Redis, one process's
 * restart cannot tell another's requests under way from its own, so there is no inbox there.
 */
export interface Inbox {
  put(id: string, channel: string, body: unknown): Promise<void>;
  remove(id: string): Promise<void>;
  /** What is left for the channel, oldest first. */
  list(channel: string): Promise<{ id: string; body: unknown }[]>;
  close(): Promise<void>;
}

/** In memory: for tests (not durable). */
export function memoryInbox(): Inbox {
  const entries = new Map<string, { channel: string; body: unknown }>();
  return {
    async put(id, channel, body) {
      if (!entries.has(id)) entries.set(id, { channel, body: structuredClone(body) });
    },
    async remove(id) {
      entries.delete(id);
    },
    async list(channel) {
      return [...entries].filter(([, e]) => e.channel === channel).map(([id, e]) => ({ id, body: e.body }));
    },
    async close() {},
  };
}
