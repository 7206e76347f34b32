import { fileOutbox, type Outbox } from '../tickets/outbox/outbox.ts';
import { type DeliveryLog, fileDeliveryLog } from './deliveries.ts';
import { fileHandoffBook, type HandoffBook } from './handoffs.ts';
import type { NamedLock } from './lock.ts';
import type { RedisOptions } from './redis.ts';
import { type AddressBook, type AddressBookOptions, fileAddressBook } from './references.ts';
import { type ConversationStore, fileStore } from './store.ts';
import { fileWaitingList, type WaitingList } from './waiting.ts';

/** How the state store stands, for `/healthz`. */
export type StoreHealth =
  | { state: 'ok'; kind: 'file' | 'redis'; ms?: number }
  | { state: 'down'; kind: 'redis'; reason: string };

/**
 * Where a bot process keeps what outlives a turn: conversations, delivery records, the ticket outbox,
 * the agent desk's handoffs, the closing rule's list of conversations waiting on their person, the
 * addresses proactive messages go to, and (when several processes share them) the lock that
 * serialises a conversation's turns.
 */
export interface StateBackend {
  kind: 'file' | 'redis';
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
  /** Null on the embedded store: one process, its own queue is enough. */
  lock: NamedLock | null;
  health(): Promise<StoreHealth>;
  close(): Promise<void>;
}

/** The embedded default: files under `dataDir`, for one process. */
export function fileBackend(dataDir: string, options: { addresses?: AddressBookOptions } = {}): StateBackend {
  const store = fileStore(dataDir);
  const deliveries = fileDeliveryLog(dataDir);
  const outbox = fileOutbox(dataDir);
  const handoffs = fileHandoffBook(dataDir);
  const waiting = fileWaitingList(dataDir);
  const addresses = fileAddressBook(dataDir, options.addresses);
  return {
    kind: 'file',
    store,
    deliveries,
    outbox,
    handoffs,
    waiting,
    addresses,
    lock: null,
    health: async () => ({ state: 'ok', kind: 'file' }),
    async close() {
      await Promise.all([
        store.close(),
        deliveries.close(),
        outbox.close(),
        handoffs.close(),
        waiting.close(),
        addresses.close(),
      ]);
    },
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
    lock: redis.lock,
    async health() {
      const ping = await redis.ping();
      return ping.ok
        ? { state: 'ok', kind: 'redis', ms: Number(ping.ms.toFixed(1)) }
        : { state: 'down', kind: 'redis', reason: ping.reason };
    },
    close: () => redis.close(),
  };
}

/** `REDIS_URL` set: Redis; otherwise the embedded files under `dataDir`. */
export function backendFromEnv(
  env: NodeJS.ProcessEnv,
  dataDir: string,
  options: RedisOptions = {},
): Promise<StateBackend> {
  const url = env.REDIS_URL?.trim();
  return url ? redisBackend(url, options) : Promise.resolve(fileBackend(dataDir, options));
}
