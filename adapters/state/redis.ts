import { randomUUID } from 'node:crypto';
import KeyvRedis, { createClient, Keyv } from '@keyv/redis';
import type { ConversationState } from '../../core/types.ts';
import { Outbox, type OutboxEntry } from '../tickets/outbox/outbox.ts';
import type { DeliveryLog, DeliveryLogOptions } from './deliveries.ts';
import { HandoffBook } from './handoffs.ts';
import { LockTimeoutError, type NamedLock } from './lock.ts';
import { type AddressBook, type AddressBookOptions, KeyvAddressBook } from './references.ts';
import { type ConversationStore, KeyvConversationStore } from './store.ts';
import { StoreError, Transactions } from './transactions.ts';
import type { WaitingList } from './waiting.ts';

export type RedisClient = ReturnType<typeof createClient>;
type Multi = ReturnType<RedisClient['multi']>;

/** Every key the bot writes starts with this, so one Redis can host other data beside it. */
export const REDIS_PREFIX = 'triage';

export interface RedisOptions {
  /** Give up after this many reconnection attempts (0: fail at once, as tests want). Default: never give up. */
  maxReconnects?: number;
  /** How long a conversation lock lives without renewal (a process that died frees it after this). */
  lockTtlMs?: number;
  /** How long a turn waits for another process's turn of the same conversation. */
  lockWaitMs?: number;
  deliveries?: DeliveryLogOptions;
  addresses?: AddressBookOptions;
  /** Told when the connection fails or recovers (the client itself retries). */
  onError?: (error: Error) => void;
  /**
   * How long the start waits for the first connection (default: until it connects, or fails for
   * good). A server passes a few seconds: Redis unreachable at start then leaves the store down
   * (`ping` says why, commands fail at once) while the client goes on retrying in the background.
   */
  firstConnectMs?: number;
  /** Told when the start goes on without Redis (after `firstConnectMs`). */
  onStartWithout?: (reason: string) => void;
}

/**
 * Claims a delivery in one step on the server: first seen, or an earlier claim whose lease lapsed.
 * Values are `claimed:<ms>` or `done:<ms>`.
 */
const CLAIM = `
local v = redis.call('GET', KEYS[1])
if v then
  local state, at = string.match(v, '^(%a+):(%d+)$')
  if state == 'done' then return 0 end
  if state == 'claimed' and tonumber(ARGV[1]) - tonumber(at) < tonumber(ARGV[2]) then return 0 end
end
redis.call('SET', KEYS[1], 'claimed:' .. ARGV[1], 'PX', ARGV[3])
return 1`;

/** Delete or extend a lock only while it is still ours (it may have expired and gone to another process). */
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;
const EXTEND = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;

/** The delivery log on Redis: claims are atomic across every process (a Lua script, one round trip). */
export class RedisDeliveryLog implements DeliveryLog {
  private readonly leaseMs: number;
  private readonly keepMs: number;
  private readonly clock: () => number;

  constructor(
    private readonly client: RedisClient,
    options: DeliveryLogOptions = {},
    private readonly tx?: Transactions<Multi>,
  ) {
    this.leaseMs = options.leaseMs ?? 30_000;
    this.keepMs = options.keepMs ?? 60 * 60_000;
    this.clock = options.clock ?? Date.now;
  }

  private key(delivery: string): string {
    return `${REDIS_PREFIX}:delivery:${delivery}`;
  }

  async claim(delivery: string): Promise<boolean> {
    const claimed = await this.client.eval(CLAIM, {
      keys: [this.key(delivery)],
      arguments: [String(this.clock()), String(this.leaseMs), String(this.keepMs)],
    });
    return claimed === 1;
  }

  async done(delivery: string): Promise<void> {
    const key = this.key(delivery);
    const value = `done:${this.clock()}`;
    const pending = this.tx?.current();
    if (pending) {
      pending.ops.push((m) => m.set(key, value, { PX: this.keepMs }));
      return;
    }
    await this.client.set(key, value, { expiration: { type: 'PX', value: this.keepMs } });
  }

  async release(delivery: string): Promise<void> {
    await this.client.del(this.key(delivery));
  }

  async close(): Promise<void> {}
}

/**
 * A lock per name on Redis (`SET NX PX` with a random token): renewed while the work runs, released
 * only by its holder. A process that dies holding it frees the name after `ttlMs`.
 */
export class RedisLock implements NamedLock {
  constructor(
    private readonly client: RedisClient,
    private readonly options: { ttlMs: number; waitMs: number; onLost?: (name: string) => void },
  ) {}

  async run<T>(name: string, work: () => Promise<T>): Promise<T> {
    const key = `${REDIS_PREFIX}:lock:${name}`;
    const token = randomUUID();
    const { ttlMs, waitMs } = this.options;
    const deadline = Date.now() + waitMs;
    let pause = 2;
    while (
      (await this.client.set(key, token, { condition: 'NX', expiration: { type: 'PX', value: ttlMs } })) === null
    ) {
      if (Date.now() >= deadline) throw new LockTimeoutError(name);
      await new Promise((resolve) => setTimeout(resolve, pause * (0.5 + Math.random())));
      pause = Math.min(pause * 2, 50);
    }
    const renewal = setInterval(() => {
      this.client
        .eval(EXTEND, { keys: [key], arguments: [token, String(ttlMs)] })
        .then((kept) => {
          if (kept !== 1) this.options.onLost?.(name);
        })
        .catch(() => {});
    }, ttlMs / 3);
    renewal.unref();
    try {
      return await work();
    } finally {
      clearInterval(renewal);
      await this.client.eval(RELEASE, { keys: [key], arguments: [token] }).catch(() => {});
    }
  }
}

/**
 * The closing rule's list as a Redis set: every process adds and strikes off in one command, and
 * every process's sweep sees the conversations the others asked something (the conversation lock and
 * the reminder recorded in the state keep two sweeps from reminding twice).
 */
export class RedisWaitingList implements WaitingList {
  private readonly key = `${REDIS_PREFIX}:waiting`;

  constructor(
    private readonly client: RedisClient,
    private readonly tx?: Transactions<Multi>,
  ) {}

  async add(conversation: string): Promise<void> {
    const pending = this.tx?.current();
    if (pending) pending.ops.push((m) => m.sAdd(this.key, conversation));
    else await this.client.sAdd(this.key, conversation);
  }

  async remove(conversation: string): Promise<void> {
    const pending = this.tx?.current();
    if (pending) pending.ops.push((m) => m.sRem(this.key, conversation));
    else await this.client.sRem(this.key, conversation);
  }

  async list(): Promise<string[]> {
    return this.client.sMembers(this.key);
  }

  async close(): Promise<void> {}
}

/**
 * Conversations, delivery records, the outbox, the agent desk's handoffs, the closing rule's list, the
 * conversations' addresses and the locks of every bot process sharing one Redis.
 */
export interface RedisState {
  client: RedisClient;
  store: ConversationStore;
  deliveries: DeliveryLog;
  outbox: Outbox;
  handoffs: HandoffBook;
  waiting: WaitingList;
  addresses: AddressBook;
  lock: RedisLock;
  /** Writes of the ports above made inside `fn`, applied in one MULTI (all or none). */
  atomic<T>(fn: () => Promise<T>): Promise<T>;
  /** Round trip to the server, or why it failed. */
  ping(): Promise<{ ok: true; ms: number } | { ok: false; reason: string }>;
  /** Bytes Redis holds for one conversation's state (its serialised value). */
  stateBytes(conversation: string): Promise<number>;
  close(): Promise<void>;
}

/**
 * Keyv's Redis store, whose writes inside an `atomic` block join the block's MULTI (and whose reads in
 * the block see them) instead of going out one by one.
 */
class AtomicKeyvRedis<T> extends KeyvRedis<T> {
  constructor(
    client: RedisClient,
    private readonly tx: Transactions<Multi>,
  ) {
    super(client, { throwOnErrors: true, throwOnConnectError: true });
  }

  private full(key: string): string {
    return this.createKeyPrefix(key, this.namespace);
  }

  override async get<U = T>(key: string): Promise<U | undefined> {
    const written = this.tx.current()?.overlay.get(this.full(key));
    if (written !== undefined) return (written ?? undefined) as U | undefined;
    return super.get<U>(key);
  }

  override async set(key: string, value: string, ttl?: number): Promise<void> {
    const pending = this.tx.current();
    if (!pending) return super.set(key, value, ttl);
    const full = this.full(key);
    pending.ops.push((m) => (ttl ? m.set(full, value, { PX: ttl }) : m.set(full, value)));
    pending.overlay.set(full, value);
  }

  override async delete(key: string): Promise<boolean> {
    const pending = this.tx.current();
    if (!pending) return super.delete(key);
    const full = this.full(key);
    pending.ops.push((m) => m.del(full));
    pending.overlay.set(full, null);
    return true;
  }
}

/** Keyv on the shared client: the namespace is the Redis key prefix, errors throw (a lost write must show). */
function keyvOn<T>(client: RedisClient, namespace: string, tx: Transactions<Multi>): Keyv<T> {
  const store = new AtomicKeyvRedis<T>(client, tx);
  return new Keyv<T>({ store, namespace: `${REDIS_PREFIX}:${namespace}`, useKeyPrefix: false, throwOnErrors: true });
}

/**
 * Connect to Redis (`redis://[:password@]host:port[/db]`, `rediss://` for TLS) and build the shared
 * state on one connection. Commands fail at once while the connection is down (no offline queue), so a
 * turn fails visibly instead of hanging; the connection is retried in the background.
 */
export async function connectRedis(url: string, options: RedisOptions = {}): Promise<RedisState> {
  const maxReconnects = options.maxReconnects ?? Number.POSITIVE_INFINITY;
  const client: RedisClient = createClient({
    url,
    disableOfflineQueue: true,
    socket: {
      connectTimeout: 5000,
      reconnectStrategy: (retries: number) =>
        retries >= maxReconnects ? false : Math.min(100 * 2 ** Math.min(retries, 5), 3000),
    },
  });
  let lastError = 'not connected yet';
  client.on('error', (error: Error) => {
    lastError = error.message || String(error);
    options.onError?.(error);
  });
  const connecting = client.connect();
  if (options.firstConnectMs === undefined) await connecting;
  else {
    let timer: NodeJS.Timeout | undefined;
    const waited = await Promise.race([
      connecting.then(() => 'connected' as const),
      new Promise<'late'>((resolve) => {
        timer = setTimeout(() => resolve('late'), options.firstConnectMs);
      }),
    ]).finally(() => clearTimeout(timer));
    if (waited === 'late') {
      connecting.catch(() => {});
      options.onStartWithout?.(lastError);
    }
  }
  const tx = new Transactions<Multi>(async (ops) => {
    const multi = client.multi();
    for (const op of ops) op(multi);
    try {
      await multi.exec();
    } catch (error) {
      throw new StoreError('STORE_WRITE', `Redis: ${(error as Error).message}`, { cause: error });
    }
  });
  const conversations = keyvOn<ConversationState>(client, 'conv', tx);
  const outboxKeyv = keyvOn<OutboxEntry>(client, 'outbox', tx);
  const lock = new RedisLock(client, {
    ttlMs: options.lockTtlMs ?? 15_000,
    waitMs: options.lockWaitMs ?? 30_000,
  });
  const ping: RedisState['ping'] = async () => {
    const start = performance.now();
    if (!client.isReady) return { ok: false, reason: `Redis unreachable: ${lastError}` };
    try {
      await client.ping();
      return { ok: true, ms: performance.now() - start };
    } catch (error) {
      return { ok: false, reason: (error as Error).message };
    }
  };
  return {
    client,
    store: new KeyvConversationStore(conversations),
    deliveries: new RedisDeliveryLog(client, options.deliveries, tx),
    outbox: new Outbox(outboxKeyv, { lock }),
    // Its changes under the shared lock (name `handoffs`): see HandoffBook. Closed with the client.
    handoffs: new HandoffBook(keyvOn(client, 'handoffs', tx), { lock }),
    waiting: new RedisWaitingList(client, tx),
    // Each with the expiry the host gives (Redis `PX`), like the conversations they lead to.
    addresses: new KeyvAddressBook(keyvOn(client, 'addresses', tx), options.addresses),
    lock,
    atomic: (fn) => tx.atomic(fn),
    ping,
    async stateBytes(conversation) {
      return (await client.strLen(`${REDIS_PREFIX}:conv::${conversation}`)) ?? 0;
    },
    async close() {
      if (client.isReady) await client.close();
      else if (client.isOpen) client.destroy();
    },
  };
}

/**
 * A Keyv of its own on Redis (`triage:<namespace>:*`, its own connection), for data kept beside the
 * state but not part of a turn (the learned examples). `close` ends the connection.
 */
export async function redisKeyv<T>(
  url: string,
  namespace: string,
  options: { maxReconnects?: number } = {},
): Promise<{ keyv: Keyv<T>; close(): Promise<void> }> {
  const maxReconnects = options.maxReconnects ?? Number.POSITIVE_INFINITY;
  const client: RedisClient = createClient({
    url,
    disableOfflineQueue: true,
    socket: {
      connectTimeout: 5000,
      reconnectStrategy: (retries: number) =>
        retries >= maxReconnects ? false : Math.min(100 * 2 ** Math.min(retries, 5), 3000),
    },
  });
  client.on('error', () => {});
  await client.connect();
  const tx = new Transactions<Multi>(async (ops) => {
    const multi = client.multi();
    for (const op of ops) op(multi);
    await multi.exec();
  });
  return {
    keyv: keyvOn<T>(client, namespace, tx),
    async close() {
      if (client.isReady) await client.close();
      else if (client.isOpen) client.destroy();
    },
  };
}
