import { join } from 'node:path';
import Keyv from 'keyv';
import { KeyvFile } from 'keyv-file';

/**
 * Where a channel keeps how to reach a conversation later (Teams: the conversation reference a
 * proactive message needs), so a ticket number that comes after its turn, a reminder or an agent's
 * message still reaches the person after a restart, and, kept with the state on Redis, from whichever
 * process sends it.
 */
export interface AddressBook<T = unknown> {
  get(conversation: string): Promise<T | undefined>;
  /** Remember (or refresh) the address; it is forgotten after `keepMs` without use. */
  set(conversation: string, address: T): Promise<void>;
  close(): Promise<void>;
}

export interface AddressBookOptions {
  /**
   * How long an address is kept after its last use: at least as long as its conversation can be kept
   * (the host derives it from the configuration). Default: a month.
   */
  keepMs?: number;
}

/** An address book on any Keyv backend (memory, file, Redis); the store's own expiry forgets. */
export class KeyvAddressBook<T = unknown> implements AddressBook<T> {
  private readonly keepMs: number;

  constructor(
    private readonly keyv: Keyv<T>,
    options: AddressBookOptions = {},
  ) {
    this.keepMs = options.keepMs ?? KEEP_MS;
  }

  get(conversation: string): Promise<T | undefined> {
    return this.keyv.get(conversation);
  }

  async set(conversation: string, address: T): Promise<void> {
    if ((await this.keyv.set(conversation, address, this.keepMs)) === false)
      throw new Error(`could not store the address of ${conversation}`);
  }

  async close(): Promise<void> {
    await this.keyv.disconnect();
  }
}

const KEEP_MS = 30 * 24 * 3_600_000;

/** In memory: for tests. */
export function memoryAddressBook<T = unknown>(options: AddressBookOptions = {}): AddressBook<T> {
  return new KeyvAddressBook(new Keyv<T>({ namespace: 'address' }), options);
}

/**
 * On disk under `<dataDir>/teams-addresses`, for one process (with Redis the book lives there:
 * `connectRedis`). Teams is the channel that needs addresses; the folder keeps the name it always had.
 */
export function fileAddressBook<T = unknown>(dataDir: string, options: AddressBookOptions = {}): AddressBook<T> {
  const store = new KeyvFile({
    filename: join(dataDir, 'teams-addresses'),
    separatedFile: true,
    writeDelay: 0,
    expiredCheckDelay: 60 * 60 * 1000,
  });
  return new KeyvAddressBook(new Keyv<T>({ store, namespace: 'address' }), options);
}
