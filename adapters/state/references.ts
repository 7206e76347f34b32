import { join } from 'node:path';
import Keyv from 'keyv';
import { KeyvFile } from 'keyv-file';

/**
 * Where a channel keeps how to reach a conversation later (Teams: the conversation reference a
 * proactive message needs), so a ticket number that comes after its turn, or a reminder, still reaches
 * the person after a restart.
 */
export interface AddressBook<T> {
  get(conversation: string): Promise<T | undefined>;
  /** Remember (or refresh) the address; it is forgotten after `keepMs` without use. */
  set(conversation: string, address: T): Promise<void>;
  close(): Promise<void>;
}

class KeyvAddressBook<T> implements AddressBook<T> {
  constructor(
    private readonly keyv: Keyv<T>,
    private readonly keepMs: number,
  ) {}

  get(conversation: string): Promise<T | undefined> {
    return this.keyv.get(conversation);
  }

  async set(conversation: string, address: T): Promise<void> {
    await this.keyv.set(conversation, address, this.keepMs);
  }

  async close(): Promise<void> {
    await this.keyv.disconnect();
  }
}

/** Default: a month, longer than the closing rule keeps a conversation waiting. */
const KEEP_MS = 30 * 24 * 3_600_000;

/** In memory: for tests. */
export function memoryAddressBook<T>(keepMs = KEEP_MS): AddressBook<T> {
  return new KeyvAddressBook(new Keyv<T>({ namespace: 'address' }), keepMs);
}

/** On disk under `<dataDir>/<name>`. */
export function fileAddressBook<T>(dataDir: string, name: string, keepMs = KEEP_MS): AddressBook<T> {
  const store = new KeyvFile({
    filename: join(dataDir, name),
    separatedFile: true,
    writeDelay: 0,
    expiredCheckDelay: 60 * 60 * 1000,
  });
  return new KeyvAddressBook(new Keyv<T>({ store, namespace: 'address' }), keepMs);
}
