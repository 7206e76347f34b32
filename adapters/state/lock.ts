/**
 * Runs work for one name (a conversation, an outbox entry) alone across every process sharing a store.
 * Within one process callers queue before asking (the runtime does that), so a lock only arbitrates
 * between processes.
 */
export interface NamedLock {
  run<T>(name: string, work: () => Promise<T>): Promise<T>;
}

/** The lock could not be had in time: another process holds the name far longer than a turn takes. */
export class LockTimeoutError extends Error {
  readonly code = 'LOCK_TIMEOUT';
  constructor(readonly lockName: string) {
    super(`timed out waiting for the lock on ${lockName}`);
  }
}
