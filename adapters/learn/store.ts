import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { LABELS, OOS_REASONS } from '../../core/config/schema.ts';
import { writeFileAtomic } from '../files/atomic.ts';

/** A learned example as kept: scrubbed text, its kind, where it came from, and whether the admin approved it. */
export const learnedExample = z.object({
  id: z.string().min(1),
  profile: z.string().min(1),
  text: z.string().min(1),
  label: z.enum(LABELS),
  oos_reason: z.enum(OOS_REASONS).nullable(),
  /** `import:freshdesk`, `import:jira`..., or `correction:cli`, `correction:slack`, `correction:teams`. */
  source: z.string().min(1),
  /** The ticket it came from, in its system (for erasure on request and to replace a re-correction). */
  ref: z.string().optional(),
  /** Who corrected it (an agent id), for corrections. */
  by: z.string().optional(),
  status: z.enum(['pending', 'approved']),
  created_at: z.string(),
  approved_at: z.string().optional(),
});
export type LearnedExample = z.infer<typeof learnedExample>;

/** Where learned examples are kept: the one port the learning commands and the server use. */
export interface LearnedStore {
  /** Where they are, for people: a file, the database, a Redis URL without its password. */
  readonly where: string;
  /** Every example, in the order they were first kept. */
  list(): Promise<LearnedExample[]>;
  /** Add or replace by id. */
  put(examples: LearnedExample[]): Promise<void>;
  /** Remove by id; answers how many were there. */
  remove(ids: Iterable<string>): Promise<number>;
  close(): Promise<void>;
}

const fileShape = z.object({ version: z.literal(1), examples: z.array(learnedExample) });

/**
 * The embedded learned-examples store: one JSON file, `<dataDir>/learned/examples.json`, rewritten
 * atomically; writes in one process are queued so none is lost. A damaged file is an error, never
 * silently emptied.
 */
export class FileLearnedStore implements LearnedStore {
  readonly file: string;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(dataDir: string) {
    this.file = join(dataDir, 'learned', 'examples.json');
  }

  get where(): string {
    return this.file;
  }

  async close(): Promise<void> {
    await this.queue;
  }

  async list(): Promise<LearnedExample[]> {
    await this.queue;
    return this.read();
  }

  private async read(): Promise<LearnedExample[]> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const parsed = fileShape.safeParse(JSON.parse(text));
    if (!parsed.success)
      throw new Error(`${this.file}: not a learned-examples file (${parsed.error.issues[0]?.message})`);
    return parsed.data.examples;
  }

  private change(update: (all: Map<string, LearnedExample>) => number): Promise<number> {
    const next = this.queue.then(async () => {
      const all = new Map((await this.read()).map((e) => [e.id, e]));
      const n = update(all);
      await mkdir(join(this.file, '..'), { recursive: true });
      await writeFileAtomic(this.file, `${JSON.stringify({ version: 1, examples: [...all.values()] }, null, 1)}\n`);
      return n;
    });
    this.queue = next.catch(() => {});
    return next;
  }

  async put(examples: LearnedExample[]): Promise<void> {
    await this.change((all) => {
      for (const e of examples) all.set(e.id, learnedExample.parse(e));
      return examples.length;
    });
  }

  remove(ids: Iterable<string>): Promise<number> {
    const wanted = new Set(ids);
    return this.change((all) => {
      let n = 0;
      for (const id of wanted) if (all.delete(id)) n++;
      return n;
    });
  }
}

/** True when an example is older than the retention period (0 days: kept for ever). */
export function isExpired(e: LearnedExample, now: Date, retentionDays: number): boolean {
  if (retentionDays <= 0) return false;
  return now.getTime() - Date.parse(e.created_at) > retentionDays * 86_400_000;
}

/** Drop the examples past the retention period; answers how many went. */
export async function purgeExpired(store: LearnedStore, now: Date, retentionDays: number): Promise<number> {
  const old = (await store.list()).filter((e) => isExpired(e, now, retentionDays)).map((e) => e.id);
  return old.length > 0 ? store.remove(old) : 0;
}
