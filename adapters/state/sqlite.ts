import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Keyv from 'keyv';
import Database from 'libsql';
import { StoreError, Transactions } from './transactions.ts';

type Db = InstanceType<typeof Database>;
/** A prepared statement, as used here. */
interface Statement {
  run(...params: unknown[]): { changes: number };
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
}

/** The embedded store's one file, under the data folder. */
export const DB_FILE = 'triage.db';

/** Folders of the earlier file store (keyv-file, one JSON file per key), imported once into the database. */
const FORMER_FOLDERS = ['conversations', 'deliveries', 'waiting', 'handoffs', 'teams-addresses', 'outbox'];

const SCHEMA = `
CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL, expires INTEGER) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS kv_expires ON kv (expires) WHERE expires IS NOT NULL;
CREATE TABLE IF NOT EXISTS inbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, channel TEXT NOT NULL, body TEXT NOT NULL, at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS numbered (key TEXT PRIMARY KEY, number INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
`;

/** How often expired entries are deleted (reads never return them meanwhile). */
const SWEEP_MS = 10 * 60_000;
/** A database that could not be opened is tried again at most this often. */
const REOPEN_MS = 1000;

export interface SqliteLog {
  warn(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
}

/**
 * The embedded state: one SQLite database `<dataDir>/triage.db` (WAL, file mode 0600) holding the
 * conversations, delivery records, waiting list, outbox, handoff book, Teams addresses, the inbox of
 * requests not yet handled and the local tickets' numbering. Every write is a transaction; `atomic`
 * groups writes of several ports into one. One instance per data folder and process (see `shared`).
 * A database that cannot be opened (a read-only folder) makes every call fail with a `StoreError`
 * and `health()` say why; it is tried again on later calls, so fixing the folder needs no restart.
 */
export class SqliteDatabase {
  readonly file: string;
  readonly transactions: Transactions<Db>;
  private db: Db | null = null;
  private openError: StoreError | null = null;
  private triedAt = 0;
  private sweeper: NodeJS.Timeout | null = null;
  private readonly statements = new Map<string, Statement>();
  /** Stored values that were not valid JSON, skipped when listed. */
  unreadable = 0;

  constructor(
    readonly dataDir: string,
    private readonly log?: SqliteLog,
  ) {
    this.file = join(dataDir, DB_FILE);
    this.transactions = new Transactions<Db>((ops) => {
      const db = this.handle();
      try {
        db.transaction(() => {
          for (const op of ops) op(db);
        })();
      } catch (error) {
        throw new StoreError('STORE_WRITE', `could not write ${this.file}: ${(error as Error).message}`, {
          cause: error,
        });
      }
    });
    try {
      this.handle();
    } catch {
      // Reported by health() and by every call until the folder can be written.
    }
  }

  /** The open connection, opening it (again) if needed. */
  handle(): Db {
    if (this.db) return this.db;
    if (this.openError && Date.now() - this.triedAt < REOPEN_MS) throw this.openError;
    this.triedAt = Date.now();
    try {
      this.db = this.openDb();
      this.openError = null;
      this.sweep();
      this.sweeper = setInterval(() => this.sweep(), SWEEP_MS);
      this.sweeper.unref();
      return this.db;
    } catch (error) {
      this.openError = new StoreError('STORE_OPEN', `cannot open ${this.file}: ${(error as Error).message}`, {
        cause: error,
      });
      throw this.openError;
    }
  }

  private openDb(): Db {
    mkdirSync(this.dataDir, { recursive: true, mode: 0o700 });
    // Created by us, owner-only, before SQLite opens it: its -wal and -shm files take the same mode.
    if (!existsSync(this.file)) closeSync(openSync(this.file, 'a', 0o600));
    chmodSync(this.file, 0o600);
    const db = new Database(this.file);
    try {
      db.pragma('journal_mode = WAL');
      // In WAL mode a commit survives a crash of the process; a power cut may lose the last commits, never
      // corrupt the file. FULL (`TRIAGE_SQLITE_SYNC=full`) also survives power cuts, at an fsync per commit.
      db.pragma(`synchronous = ${process.env.TRIAGE_SQLITE_SYNC?.toLowerCase() === 'full' ? 'FULL' : 'NORMAL'}`);
      db.pragma('busy_timeout = 5000');
      // Deleted rows are overwritten, not left in free pages: an erased learned example or conversation
      // (a person's right to erasure) is gone from the file once the WAL is checkpointed.
      db.pragma('secure_delete = ON');
      db.exec(SCHEMA);
      for (const suffix of ['-wal', '-shm']) {
        if (existsSync(this.file + suffix)) chmodSync(this.file + suffix, 0o600);
      }
      this.importFormerFolders(db);
      return db;
    } catch (error) {
      db.close();
      throw error;
    }
  }

  /**
   * Copy the WAL into the file and empty it (after an erasure: the WAL still holds the erased rows'
   * earlier pages). Best effort: another process reading at that moment leaves part of it for later.
   */
  checkpoint(): void {
    this.handle().pragma('wal_checkpoint(TRUNCATE)');
  }

  /** A prepared statement, prepared once per connection. */
  statement(sql: string): Statement {
    const db = this.handle();
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = db.prepare<unknown[]>(sql) as unknown as Statement;
      this.statements.set(sql, statement);
    }
    return statement;
  }

  /** Read: errors become `StoreError`s. */
  read<T>(what: string, fn: () => T): T {
    try {
      return fn();
    } catch (error) {
      if (error instanceof StoreError) throw error;
      throw new StoreError('STORE_READ', `could not read ${what}: ${(error as Error).message}`, { cause: error });
    }
  }

  /**
   * Write now (its own transaction), or, inside an `atomic` block, with the block's other writes.
   * `overlay` is what the block's own reads of `key` see until it commits.
   */
  write(op: (db: Db) => void, overlay?: { key: string; value: string | null }): void {
    const pending = this.transactions.current();
    if (pending) {
      pending.ops.push(op);
      if (overlay) pending.overlay.set(overlay.key, overlay.value);
      return;
    }
    const db = this.handle();
    try {
      op(db);
    } catch (error) {
      throw new StoreError('STORE_WRITE', `could not write ${this.file}: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  /** What an open `atomic` block wrote for this key: a value, null (deleted), or undefined (nothing). */
  overlay(key: string): string | null | undefined {
    return this.transactions.current()?.overlay.get(key);
  }

  atomic<T>(fn: () => Promise<T>): Promise<T> {
    return this.transactions.atomic(fn);
  }

  /** Whether the database can be written now (a real write), or why not. */
  health(): { state: 'ok'; kind: 'sqlite'; unreadable?: number } | { state: 'down'; kind: 'sqlite'; reason: string } {
    try {
      this.handle();
      this.write((db) => db.prepare(`INSERT OR REPLACE INTO meta (name, value) VALUES ('health', ?)`).run(nowIso()));
      return { state: 'ok', kind: 'sqlite', ...(this.unreadable ? { unreadable: this.unreadable } : {}) };
    } catch (error) {
      return { state: 'down', kind: 'sqlite', reason: (error as Error).message };
    }
  }

  /**
   * The number of `key` in the series `name` (local tickets: one per idempotency key): the one it has,
   * or the series' next (at least `floor`), taken and recorded in one transaction, so that a key never
   * gets two numbers nor two keys one, across processes sharing the folder too.
   */
  numberFor(name: string, key: string, floor = 1): number {
    const db = this.handle();
    const id = `${name}\u0000${key}`;
    try {
      return db
        .transaction(() => {
          const known = db.prepare('SELECT number FROM numbered WHERE key = ?').get(id) as
            | { number: number }
            | undefined;
          if (known) return known.number;
          const row = db.prepare('SELECT value FROM counters WHERE name = ?').get(name) as
            | { value: number }
            | undefined;
          const value = Math.max((row?.value ?? 0) + 1, floor);
          db.prepare('INSERT OR REPLACE INTO counters (name, value) VALUES (?, ?)').run(name, value);
          db.prepare('INSERT INTO numbered (key, number) VALUES (?, ?)').run(id, value);
          return value;
        })
        .immediate() as number;
    } catch (error) {
      throw new StoreError('STORE_WRITE', `could not number ${name}: ${(error as Error).message}`, { cause: error });
    }
  }

  /** The number `key` has in the series `name`, if any. */
  numberOf(name: string, key: string): number | undefined {
    const row = this.read('a number', () =>
      this.statement('SELECT number FROM numbered WHERE key = ?').get(`${name}\u0000${key}`),
    ) as { number: number } | undefined;
    return row?.number;
  }

  private sweep(): void {
    try {
      this.db?.prepare('DELETE FROM kv WHERE expires IS NOT NULL AND expires <= ?').run(Date.now());
    } catch (error) {
      this.log?.warn({ err: (error as Error).message }, 'could not delete expired state');
    }
  }

  /**
   * The earlier file store kept one JSON file per key (`{"expire", "value"}`, named by the encoded key)
   * in a folder per kind: each is imported once, then renamed `<folder>.imported` (kept for the operator
   * to delete). Files that cannot be read (0 bytes, cut off) are counted and left.
   */
  private importFormerFolders(db: Db): void {
    const insert = db.prepare('INSERT OR IGNORE INTO kv (key, value, expires) VALUES (?, ?, ?)');
    for (const folder of FORMER_FOLDERS) {
      const dir = join(this.dataDir, folder);
      if (!existsSync(dir)) continue;
      let imported = 0;
      let skipped = 0;
      const rows: [string, string, number | null][] = [];
      for (const name of readdirSync(dir)) {
        if (name.startsWith('.') || name.endsWith('.tmp')) continue;
        try {
          const entry = JSON.parse(readFileSync(join(dir, name), 'utf8')) as {
            key?: string;
            value?: unknown;
            expire?: number;
          };
          // The outbox's files carry their key; keyv-file's are named by it.
          const key = folder === 'outbox' ? entry.key : decodeFormerName(name);
          if (typeof key !== 'string' || typeof entry.value !== 'string') throw new Error('not an entry');
          const expires = typeof entry.expire === 'number' ? entry.expire : expiresOf(entry.value);
          if (expires !== null && expires <= Date.now()) continue;
          rows.push([key, entry.value, expires]);
        } catch {
          skipped++;
        }
      }
      db.transaction(() => {
        for (const row of rows) imported += insert.run(...row).changes;
      })();
      renameSync(dir, `${dir}.imported`);
      this.log?.info({ folder, imported, skipped }, `imported ${folder}/ into ${DB_FILE}`);
    }
  }

  close(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = null;
    this.statements.clear();
    this.db?.close();
    this.db = null;
  }
}

function nowIso(): string {
  return new Date().toISOString();
}

/** keyv-file's file names: the key with every other character than [0-9a-zA-Z] as `_hh`. */
function decodeFormerName(name: string): string {
  return decodeURIComponent(name.replace(/_/g, '%'));
}

function expiresOf(serialized: string): number | null {
  try {
    const expires = (JSON.parse(serialized) as { expires?: unknown }).expires;
    return typeof expires === 'number' ? expires : null;
  } catch {
    return null;
  }
}

const open = new Map<string, { db: SqliteDatabase; users: number }>();

/**
 * The database of a data folder, shared by every port of this process that uses it (so `atomic`
 * spans them); `release` once per call, the last release closes it.
 */
export function sharedDatabase(dataDir: string, log?: SqliteLog): { db: SqliteDatabase; release(): void } {
  const path = resolve(dataDir);
  let entry = open.get(path);
  if (!entry) {
    entry = { db: new SqliteDatabase(path, log), users: 0 };
    open.set(path, entry);
  }
  entry.users++;
  const held = entry;
  let released = false;
  return {
    db: held.db,
    release() {
      if (released) return;
      released = true;
      held.users--;
      if (held.users === 0) {
        held.db.close();
        if (open.get(path) === held) open.delete(path);
      }
    },
  };
}

/**
 * A Keyv store adapter on the database's `kv` table (keys as Keyv prefixes them: `<namespace>:<key>`).
 * Writes take part in an open `atomic` block. Failures throw `StoreError`s (give Keyv `throwOnErrors`).
 */
export class SqliteKeyvStore {
  /** Keyv lists keys only for adapters whose dialect it knows; this one iterates like Redis's. */
  readonly opts = { dialect: 'redis', url: '' };
  namespace?: string;
  private readonly listeners = new Map<string, ((...args: unknown[]) => void)[]>();

  constructor(
    private readonly db: SqliteDatabase,
    private readonly release: () => void,
  ) {}

  on(event: string, listener: (...args: unknown[]) => void): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return this;
  }

  async get(key: string): Promise<string | undefined> {
    const written = this.db.overlay(key);
    if (written !== undefined) return written ?? undefined;
    await pause();
    const row = this.db.read(key, () => this.db.statement('SELECT value, expires FROM kv WHERE key = ?').get(key)) as
      | { value: string; expires: number | null }
      | undefined;
    if (!row || (row.expires !== null && row.expires <= Date.now())) return undefined;
    return row.value;
  }

  async set(key: string, value: string, ttl?: number): Promise<boolean> {
    if (!this.db.transactions.current()) await pause();
    const expires = typeof ttl === 'number' && ttl > 0 ? Date.now() + ttl : null;
    this.db.write(
      () =>
        this.db.statement('INSERT OR REPLACE INTO kv (key, value, expires) VALUES (?, ?, ?)').run(key, value, expires),
      { key, value },
    );
    return true;
  }

  async delete(key: string): Promise<boolean> {
    this.db.write(() => this.db.statement('DELETE FROM kv WHERE key = ?').run(key), { key, value: null });
    return true;
  }

  async clear(): Promise<void> {
    const [from, to] = range(this.namespace);
    this.db.write((db) => db.prepare('DELETE FROM kv WHERE key >= ? AND key < ?').run(from, to));
  }

  /**
   * Every live entry of the namespace. A value that is not JSON (a damaged row) is counted and given as
   * an empty value, so that the caller sees it, skips it and can say so (the outbox reports it on
   * `/healthz`), and one damaged row never stops the listing of the others.
   */
  async *iterator(namespace?: string): AsyncGenerator<[string, string]> {
    const [from, to] = range(namespace);
    const rows = this.db.read(namespace ?? 'kv', () =>
      this.db
        .statement('SELECT key, value FROM kv WHERE key >= ? AND key < ? AND (expires IS NULL OR expires > ?)')
        .all(from, to, Date.now()),
    ) as { key: string; value: string }[];
    const pending = this.db.transactions.current();
    for (const { key, value } of rows) {
      const written = pending?.overlay.get(key);
      if (written === null) continue;
      const current = written ?? value;
      try {
        JSON.parse(current);
      } catch {
        this.db.unreadable++;
        yield [key, '{"value":null}'];
        continue;
      }
      yield [key, current];
    }
  }

  async disconnect(): Promise<void> {
    this.release();
  }
}

/**
 * Let the event loop run before a call into the database. The driver answers synchronously: without a
 * pause, turns that only touch the database would run back to back as one chain of promises and hold
 * up everything waiting on I/O, such as the acknowledgements Slack wants within 3 seconds.
 */
function pause(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Keys of a namespace: from `<ns>:` up to (not including) `<ns>;`, the next character. */
function range(namespace?: string): [string, string] {
  return namespace ? [`${namespace}:`, `${namespace};`] : ['', '\uffff'];
}

/** Requests taken from a platform and not yet handled (see `Inbox`), in the database. */
export class SqliteInbox {
  constructor(
    private readonly db: SqliteDatabase,
    private readonly release: () => void,
  ) {}

  /** Written at once, without a pause: it stands between a request and its acknowledgement. */
  async put(id: string, channel: string, body: unknown): Promise<void> {
    const json = JSON.stringify(body);
    this.db.write(() =>
      this.db
        .statement('INSERT OR IGNORE INTO inbox (id, channel, body, at) VALUES (?, ?, ?, ?)')
        .run(id, channel, json, Date.now()),
    );
  }

  async remove(id: string): Promise<void> {
    this.db.write(() => this.db.statement('DELETE FROM inbox WHERE id = ?').run(id));
  }

  async list(channel: string): Promise<{ id: string; body: unknown }[]> {
    const rows = this.db.read('the inbox', () =>
      this.db.statement('SELECT id, body FROM inbox WHERE channel = ? ORDER BY seq').all(channel),
    ) as { id: string; body: string }[];
    const out: { id: string; body: unknown }[] = [];
    for (const row of rows) {
      try {
        out.push({ id: row.id, body: JSON.parse(row.body) });
      } catch {
        this.db.unreadable++;
      }
    }
    return out;
  }

  async close(): Promise<void> {
    this.release();
  }
}

/**
 * A Keyv on the data folder's database, for one namespace (`conv`, `delivery`...). Errors throw: a
 * write that did not happen must show.
 */
export function sqliteKeyv<T>(dataDir: string, namespace: string): Keyv<T> {
  return sqliteKeyvWithDb<T>(dataDir, namespace).keyv;
}

/** `sqliteKeyv`, with the database it writes to (for a checkpoint after an erasure). */
export function sqliteKeyvWithDb<T>(dataDir: string, namespace: string): { keyv: Keyv<T>; db: SqliteDatabase } {
  const { db, release } = sharedDatabase(dataDir);
  return { keyv: new Keyv<T>({ store: new SqliteKeyvStore(db, release), namespace, throwOnErrors: true }), db };
}
