import type { ConversationState } from '../../core/types.ts';
import { fileOutbox, Outbox, type OutboxEntry } from '../tickets/outbox/outbox.ts';
import { type DeliveryLog, fileDeliveryLog, KeyvDeliveryLog } from './deliveries.ts';
import { fileHandoffBook, HandoffBook } from './handoffs.ts';
import { type Inbox, memoryInbox } from './inbox.ts';
import type { NamedLock } from './lock.ts';
import { memoryKv } from './memory.ts';
import type { RedisOptions } from './redis.ts';
import { type AddressBook, type AddressBookOptions, fileAddressBook, KeyvAddressBook } from './references.ts';
import { SqliteInbox, type SqliteLog, sharedDatabase } from './sqlite.ts';
import { type ConversationStore, fileStore, KeyvConversationStore } from './store.ts';
import { fileWaitingList, KeyvWaitingList, type WaitingList } from './waiting.ts';

/** How the state store stands, for `/healthz`. */
export type StoreHealth =
  | { state: 'ok'; kind: 'memory' | 'sqlite' | 'redis'; ms?: number; unreadable?: number }
  | { state: 'down'; kind: 'memory' | 'sqlite' | 'redis'; reason: string };

/**
 * Where a bot process keeps what outlives a turn: conversations, delivery records, the ticket outbox,
 * the agent desk's handoffs, the closing rule's list of conversations waiting on their person, the
 * addresses proactive messages go to, and (when several processes share them) the lock that
 * serialises a conversation's turns.
 */
export interface StateBackend {
  kind: 'memory' | 'sqlite' | 'redis';
  store: ConversationStore;
  deliveries: DeliveryLog;
  outbox: Outbox;
  handoffs: HandoffBook;
  waiting: WaitingList;
  /**
   * How to reach each conversation outside a turn (Teams' conversation references): beside the
   * conversations, so that the process sending a reminder or a late ticket number finds it.
   */
  addresses: AddressBook;
  /** Requests acknowledged and not yet handled, handled again after a crash (embedded store only). */
  inbox: Inbox | null;
  /** Null on the embedded store: one process, its own queue is enough. */
  lock: NamedLock | null;
  /**
   * Run `fn` with the writes it makes through these ports applied all together or not at all (one
   * SQLite transaction, one Redis MULTI), e.g. a ticket's outbox entry with the conversation that
   * promised it.
   */
  atomic<T>(fn: () => Promise<T>): Promise<T>;
  health(): Promise<StoreHealth>;
  close(): Promise<void>;
}

/**
 * The embedded default: one SQLite database, `<dataDir>/triage.db`, for one process. Earlier data
 * folders (one JSON file per key) are imported on first start.
 */
export function fileBackend(
  dataDir: string,
  options: { addresses?: AddressBookOptions; log?: SqliteLog } = {},
): StateBackend {
  // Held for the backend's life: the ports below share this one connection (so `atomic` spans them).
  const { db, release } = sharedDatabase(dataDir, options.log);
  const store = fileStore(dataDir);
  const deliveries = fileDeliveryLog(dataDir);
  const outbox = fileOutbox(dataDir);
  const handoffs = fileHandoffBook(dataDir);
  const waiting = fileWaitingList(dataDir);
  const addresses = fileAddressBook(dataDir, options.addresses);
  const held = sharedDatabase(dataDir);
  const inbox = new SqliteInbox(held.db, held.release);
  return {
    kind: 'sqlite',
    store,
    deliveries,
    outbox,
    handoffs,
    waiting,
    addresses,
    inbox,
    lock: null,
    atomic: (fn) => db.atomic(fn),
    health: async () => db.health(),
    async close() {
      await Promise.all([
        store.close(),
        deliveries.close(),
        outbox.close(),
        handoffs.close(),
        waiting.close(),
        addresses.close(),
        inbox.close(),
      ]);
      release();
    },
  };
}

/** In memory, with the same ports and the same all-or-nothing `atomic`: tests and one-shot runs. */
export function memoryBackend(options: { addresses?: AddressBookOptions } = {}): StateBackend {
  const kv = memoryKv();
  const inbox = memoryInbox();
  return {
    kind: 'memory',
    store: new KeyvConversationStore(kv.keyv<ConversationState>('conv')),
    deliveries: new KeyvDeliveryLog(kv.keyv('delivery')),
    outbox: new Outbox(kv.keyv<OutboxEntry>('outbox'), { soleOwner: true }),
    handoffs: new HandoffBook(kv.keyv('handoffs')),
    waiting: new KeyvWaitingList(kv.keyv<true>('waiting')),
    addresses: new KeyvAddressBook(kv.keyv('address'), options.addresses),
    inbox,
    lock: null,
    atomic: kv.atomic,
    health: async () => ({ state: 'ok', kind: 'memory' }),
    async close() {},
  };
}

/** Redis at `url`: every process pointed at it serves the same conversations. */
export async function redisBackend(url: string, options: RedisOptions = {}): Promise<StateBackend> {
  // Loaded only when used: the Redis client adds ~0.2 s to every start of an embedded bot otherwise.
  const { connectRedis } = await import('./redis.ts');
  const redis = await connectRedis(url, options);
  return {
    kind: 'redis',
    store: redis.store,
    deliveries: redis.deliveries,
    outbox: redis.outbox,
    handoffs: redis.handoffs,
    waiting: redis.waiting,
    addresses: redis.addresses,
    inbox: null,
    lock: redis.lock,
    atomic: (fn) => redis.atomic(fn),
    async health() {
      const ping = await redis.ping();
      return ping.ok
        ? { state: 'ok', kind: 'redis', ms: Number(ping.ms.toFixed(1)) }
        : { state: 'down', kind: 'redis', reason: ping.reason };
    },
    close: () => redis.close(),
  };
}

/** `REDIS_URL` set: Redis; otherwise the embedded database under `dataDir`. */
export function backendFromEnv(
  env: NodeJS.ProcessEnv,
  dataDir: string,
  options: RedisOptions & { log?: SqliteLog } = {},
): Promise<StateBackend> {
  const url = env.REDIS_URL?.trim();
  return url ? redisBackend(url, options) : Promise.resolve(fileBackend(dataDir, options));
}
