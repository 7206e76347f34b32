import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../adapters/config/load.ts';
import { configWithLearned, trainingSet } from '../adapters/learn/learning.ts';
import { FileLearnedStore, type LearnedExample, type LearnedStore, purgeExpired } from '../adapters/learn/store.ts';
import {
  LazyLearnedStore,
  learnedStoreFromEnv,
  migrateFileStore,
  redisLearnedStore,
  sqliteLearnedStore,
} from '../adapters/learn/stores.ts';
import { tempDir } from './helpers.ts';
import { hasRedisServer, redisTestsRun, startRedis } from './scale/redis-server.ts';

// One contract for every learned-examples store: the same cases against the file store, the embedded
// database (triage.db) and Redis (skipped where `redis-server` is not installed; CI installs it).

const NOW = new Date('2026-03-10T12:00:00Z');

function example(id: string, over: Partial<LearnedExample> = {}): LearnedExample {
  return {
    id,
    profile: 'academy',
    text: `de zwiebelkrant flobbert weer ${id}`,
    label: 'incident',
    oos_reason: null,
    source: 'import:labelled',
    status: 'approved',
    created_at: '2026-03-01T00:00:00Z',
    ...over,
  };
}

let redis: { url: string; stop(): Promise<void> } | null = null;

interface Kind {
  name: string;
  available: () => boolean;
  /** A store on `dir` (the data folder); the same `dir` again is the same store seen by a new process. */
  open(dir: string): Promise<LearnedStore>;
  /** Empty the store's backend before a case (Redis is shared by the cases). */
  clean?(): Promise<void>;
}

const kinds: Kind[] = [
  { name: 'file', available: () => true, open: async (dir) => new FileLearnedStore(dir) },
  { name: 'sqlite', available: () => true, open: async (dir) => sqliteLearnedStore(dir) },
  {
    name: 'redis',
    // Without redis-server skipped (the run says so in one line); with TRIAGE_REQUIRE_REDIS=1 a failure.
    available: redisTestsRun,
    open: () => redisLearnedStore(redis!.url, { maxReconnects: 0 }),
    async clean() {
      const { connectRedis } = await import('../adapters/state/redis.ts');
      const r = await connectRedis(redis!.url, { maxReconnects: 0 });
      await r.client.flushDb();
      await r.close();
    },
  },
];

beforeAll(async () => {
  if (hasRedisServer()) redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

for (const kind of kinds) {
  describe.skipIf(!kind.available())(`learned-store contract: ${kind.name}`, () => {
    let dir: string;
    const opened: LearnedStore[] = [];
    const open = async () => {
      const s = await kind.open(dir);
      opened.push(s);
      return s;
    };
    beforeEach(async () => {
      dir = tempDir();
      await kind.clean?.();
      return async () => {
        for (const s of opened.splice(0)) await s.close();
      };
    });

    it('keeps examples in the order first kept, replaces by id, removes; a reopened store sees the same', async () => {
      const a = await open();
      expect(await a.list()).toEqual([]);
      await a.put([example('1'), example('2')]);
      await a.put([example('3')]);
      await a.put([{ ...example('1'), label: 'change' }]);
      const b = await open();
      expect((await b.list()).map((e) => [e.id, e.label])).toEqual([
        ['1', 'change'],
        ['2', 'incident'],
        ['3', 'incident'],
      ]);
      expect(await b.remove(['2', 'nope'])).toBe(1);
      expect((await a.list()).map((e) => e.id)).toEqual(['1', '3']);
      await expect(a.put([{ ...example('4'), label: 'bug' as never }])).rejects.toThrow();
      expect((await a.list()).map((e) => e.id)).toEqual(['1', '3']);
    });

    it('erasure: the examples of one ticket go, and what trains no longer holds them', async () => {
      const config = loadConfig({ profile: 'academy' });
      const store = await open();
      await store.put([example('a', { ref: 'HD-000007' }), example('b', { ref: 'HD-000008' })]);
      const before = await configWithLearned(config, store, NOW);
      expect(before.intents['learned:incident']?.examples).toHaveLength(2);
      const ids = (await store.list()).filter((e) => e.ref === 'HD-000007').map((e) => e.id);
      expect(await store.remove(ids)).toBe(1);
      const after = await configWithLearned(config, store, NOW);
      expect(after.intents['learned:incident']?.examples).toEqual(['de zwiebelkrant flobbert weer b']);
      expect(JSON.stringify(await (await open()).list())).not.toContain('HD-000007');
    });

    it('expiry: past the retention period an example neither trains nor stays; pending ones never train', async () => {
      const config = loadConfig({ profile: 'academy' });
      const store = await open();
      await store.put([
        example('old', { created_at: '2026-01-01T00:00:00Z' }),
        example('new'),
        example('waiting', { status: 'pending' }),
      ]);
      const thirty = { ...config, learning: { ...config.learning, retention_days: 30 } };
      expect(trainingSet(thirty, await store.list(), NOW).map((e) => e.id)).toEqual(['new']);
      expect(await purgeExpired(store, NOW, 30)).toBe(1);
      expect((await store.list()).map((e) => e.id)).toEqual(['new', 'waiting']);
      expect(await purgeExpired(store, NOW, 0)).toBe(0);
    });

    it("an earlier file store's examples move in once, without overwriting what the store holds", async () => {
      if (kind.name === 'file') return;
      const file = new FileLearnedStore(dir);
      await file.put([example('1'), example('2', { label: 'question' })]);
      const store = await open();
      await store.put([{ ...example('2'), label: 'complaint' }]);
      expect(await migrateFileStore(store, dir)).toBe(1);
      expect((await store.list()).map((e) => [e.id, e.label])).toEqual([
        ['2', 'complaint'],
        ['1', 'incident'],
      ]);
      expect(existsSync(file.file)).toBe(false);
      expect(existsSync(`${file.file}.migrated`)).toBe(true);
      // Once: the file is not read again, so an erased example does not come back.
      await store.remove(['1']);
      expect(await migrateFileStore(store, dir)).toBe(0);
      expect((await store.list()).map((e) => e.id)).toEqual(['2']);
    });
  });
}

describe('erasure in the embedded database', () => {
  it('an erased example is gone from triage.db itself, not only from the list', async () => {
    const dir = tempDir();
    const secret = 'Quirinus Zwaneveld belde over zijn rapport';
    const store = sqliteLearnedStore(dir);
    await store.put([example('gone', { text: secret }), example('kept')]);
    await store.close();
    const reopened = sqliteLearnedStore(dir);
    expect(await reopened.remove(['gone'])).toBe(1);
    await reopened.close();
    // The last connection closed: the WAL is checkpointed into the file and removed.
    const bytes = [join(dir, 'triage.db'), join(dir, 'triage.db-wal')]
      .filter((f) => existsSync(f))
      .map((f) => readFileSync(f).toString('latin1'))
      .join('');
    expect(bytes).toContain('de zwiebelkrant flobbert weer kept');
    expect(bytes).not.toContain('Quirinus');
  });
});

describe('the learned store is chosen as the state store is', () => {
  it('without REDIS_URL the data folder’s database, the file store moved in; a lazy store opens at first use', async () => {
    const dir = tempDir();
    await new FileLearnedStore(dir).put([example('1')]);
    const store = await learnedStoreFromEnv({}, dir);
    expect(store.where).toMatch(/triage\.db/);
    expect((await store.list()).map((e) => e.id)).toEqual(['1']);
    await store.close();

    let opens = 0;
    const lazy = new LazyLearnedStore(async () => {
      opens++;
      if (opens === 1) throw new Error('Redis unreachable');
      return sqliteLearnedStore(dir);
    }, 'test');
    expect(opens).toBe(0);
    await expect(lazy.list()).rejects.toThrow(/unreachable/);
    expect((await lazy.list()).map((e) => e.id)).toEqual(['1']);
    expect(opens).toBe(2);
    await lazy.close();
  });

  it.skipIf(!redisTestsRun())('with REDIS_URL: Redis, shown without its password', async () => {
    const url = new URL(redis!.url);
    const store = await learnedStoreFromEnv({ REDIS_URL: url.toString() }, tempDir(), { maxReconnects: 0 });
    expect(store.where).toContain('redis://');
    await store.close();
  });
});
