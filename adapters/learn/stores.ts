import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type Keyv from 'keyv';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../files/private.ts';
import { DB_FILE, sqliteKeyvWithDb } from '../state/sqlite.ts';
import { FileLearnedStore, type LearnedExample, type LearnedStore, learnedExample } from './store.ts';

/** One example as kept under its id: with the order it was first kept in (a replacement keeps it). */
interface Kept {
  seq: number;
  example: LearnedExample;
}

/**
 * Learned examples in a key-value store, one key per example (`learned:<id>`): the embedded SQLite
 * database (`triage.db`, beside the conversations) or Redis, whichever holds the bot's state. A stored
 * value that is not an example is an error naming it, never skipped quietly.
 */
export class KeyvLearnedStore implements LearnedStore {
  private last = 0;

  constructor(
    private readonly keyv: Keyv<Kept>,
    readonly where: string,
    private readonly onClose: () => Promise<void> = async () => {},
    /** After examples were removed: make sure they are gone from the backend's files too. */
    private readonly afterRemove: () => void = () => {},
    /** After any change: a running server on this machine retrains (see `learnedStamp`). */
    private readonly changed: () => Promise<void> = async () => {},
  ) {}

  async list(): Promise<LearnedExample[]> {
    const kept: Kept[] = [];
    for await (const [key, value] of this.keyv.iterator!(undefined)) {
      const parsed = learnedExample.safeParse((value as Kept | undefined)?.example);
      if (!parsed.success)
        throw new Error(`${this.where}: ${String(key)} is not a learned example (${parsed.error.issues[0]?.message})`);
      kept.push({ seq: Number((value as Kept).seq) || 0, example: parsed.data });
    }
    return kept.sort((a, b) => a.seq - b.seq || a.example.id.localeCompare(b.example.id)).map((k) => k.example);
  }

  /** A number after every one this process gave, from the clock: later puts sort after earlier ones. */
  private next(): number {
    this.last = Math.max(this.last + 1, Date.now() * 1000);
    return this.last;
  }

  async put(examples: LearnedExample[]): Promise<void> {
    if (examples.length === 0) return;
    const valid = examples.map((e) => learnedExample.parse(e));
    const before = await this.keyv.getMany<Kept>(valid.map((e) => e.id));
    await this.keyv.setMany(
      valid.map((example, i) => ({ key: example.id, value: { seq: before[i]?.seq ?? this.next(), example } })),
    );
    await this.changed();
  }

  async remove(ids: Iterable<string>): Promise<number> {
    // Counted from what was there: not every backend's delete says whether the key existed.
    const wanted = [...new Set(ids)];
    if (wanted.length === 0) return 0;
    const held = await this.keyv.getMany<Kept>(wanted);
    const present = wanted.filter((_, i) => held[i] !== undefined);
    if (present.length > 0) {
      await this.keyv.deleteMany(present);
      this.afterRemove();
      await this.changed();
    }
    return present.length;
  }

  close(): Promise<void> {
    return this.onClose();
  }
}

/**
 * A file the learned store touches at every change, for a server on this machine to watch (the database
 * itself changes with every conversation turn; Redis has no file): `<dataDir>/learned/changed`.
 */
export function learnedStamp(dataDir: string): string {
  return join(dataDir, 'learned', 'changed');
}

async function touch(file: string): Promise<void> {
  try {
    await mkdir(dirname(file), { recursive: true, mode: PRIVATE_DIR_MODE });
    await writeFile(file, new Date().toISOString(), { mode: PRIVATE_FILE_MODE });
  } catch {
    // Best effort: a reload from the admin console or SIGHUP picks the change up all the same.
  }
}

/** In the data folder's database, `<dataDir>/triage.db`. */
export function sqliteLearnedStore(dataDir: string): LearnedStore {
  const { keyv, db } = sqliteKeyvWithDb<Kept>(dataDir, 'learned');
  // Erased rows are overwritten in the file (secure_delete); the checkpoint empties the WAL that still held them.
  return new KeyvLearnedStore(
    keyv,
    `${join(dataDir, DB_FILE)} (learned examples)`,
    () => keyv.disconnect(),
    () => {
      try {
        db.checkpoint();
      } catch {
        // Another process reading: the next checkpoint (SQLite's own, at 1,000 pages) finishes it.
      }
    },
    () => touch(learnedStamp(dataDir)),
  );
}

/** In Redis at `url`, under `triage:learned:*`, shared by every process pointed at it. */
export async function redisLearnedStore(
  url: string,
  options: { maxReconnects?: number; stamp?: string } = {},
): Promise<LearnedStore> {
  // Loaded only when used, like the Redis state backend.
  const { redisKeyv } = await import('../state/redis.ts');
  const { keyv, close } = await redisKeyv<Kept>(url, 'learned', options);
  const shown = new URL(url);
  shown.password = '';
  shown.username = '';
  const stamp = options.stamp;
  return new KeyvLearnedStore(
    keyv,
    `${shown.toString()} (learned examples)`,
    close,
    () => {},
    stamp ? () => touch(stamp) : undefined,
  );
}

/**
 * The examples of an earlier file store (`<dataDir>/learned/examples.json`) moved into `store`, once:
 * those the store does not hold yet are added, and the file is renamed `examples.json.migrated`, so
 * it is never read again. Answers how many were added.
 */
export async function migrateFileStore(store: LearnedStore, dataDir: string): Promise<number> {
  const file = new FileLearnedStore(dataDir);
  const earlier = await file.list();
  if (earlier.length === 0) return 0;
  const held = new Set((await store.list()).map((e) => e.id));
  const missing = earlier.filter((e) => !held.has(e.id));
  await store.put(missing);
  await rename(file.file, `${file.file}.migrated`).catch((error: NodeJS.ErrnoException) => {
    // Another process moved it first: its examples are in the store already.
    if (error.code !== 'ENOENT') throw error;
  });
  return missing.length;
}

/**
 * The learned store beside the bot's state, chosen as the state store is (`REDIS_URL` set: Redis;
 * otherwise the data folder's database), with an earlier file store's examples moved in once.
 */
export async function learnedStoreFromEnv(
  env: NodeJS.ProcessEnv,
  dataDir: string,
  options: { maxReconnects?: number } = {},
): Promise<LearnedStore> {
  const url = env.REDIS_URL?.trim();
  // A command gives up on an unreachable Redis after a few tries instead of waiting for ever.
  const store = url
    ? await redisLearnedStore(url, { maxReconnects: options.maxReconnects ?? 3, stamp: learnedStamp(dataDir) })
    : sqliteLearnedStore(dataDir);
  try {
    await migrateFileStore(store, dataDir);
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}

/**
 * A store opened at its first use, not before (a server starts while Redis is away; the desks'
 * corrections need it only when an agent corrects a kind). A failed opening is tried again next time.
 */
export class LazyLearnedStore implements LearnedStore {
  private opening: Promise<LearnedStore> | null = null;

  constructor(
    private readonly open: () => Promise<LearnedStore>,
    readonly where: string,
  ) {}

  private store(): Promise<LearnedStore> {
    this.opening ??= this.open().catch((error: unknown) => {
      this.opening = null;
      throw error;
    });
    return this.opening;
  }

  async list(): Promise<LearnedExample[]> {
    return (await this.store()).list();
  }

  async put(examples: LearnedExample[]): Promise<void> {
    await (await this.store()).put(examples);
  }

  async remove(ids: Iterable<string>): Promise<number> {
    return (await this.store()).remove(ids);
  }

  async close(): Promise<void> {
    const opening = this.opening;
    this.opening = null;
    await (await opening?.catch(() => null))?.close();
  }
}
