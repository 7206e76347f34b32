import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { mkdir, readdir, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../files/atomic.ts';
import { PRIVATE_DIR_MODE } from '../../files/private.ts';

/**
 * A Keyv store adapter keeping one JSON file per key, written durably: a temporary file, fsync, then
 * rename, so a crash (SIGKILL, power loss after the fsync) leaves the old or the new value, never half
 * of one. keyv-file writes in place and swallows write errors, which an outbox cannot afford.
 */
export class DurableFileStore extends EventEmitter {
  /** Keyv only offers `iterator()` for adapters whose dialect it lists; this store iterates like Redis does. */
  readonly opts = { dialect: 'redis', url: '' };
  namespace?: string;

  constructor(readonly dir: string) {
    super();
  }

  private fileOf(key: string): string {
    return join(this.dir, `${createHash('sha256').update(key).digest('hex').slice(0, 40)}.json`);
  }

  private async read(file: string): Promise<{ key: string; value: unknown } | undefined> {
    try {
      return JSON.parse(await readFile(file, 'utf8')) as { key: string; value: unknown };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async get(key: string): Promise<unknown> {
    return (await this.read(this.fileOf(key)))?.value;
  }

  async set(key: string, value: unknown): Promise<boolean> {
    await mkdir(this.dir, { recursive: true, mode: PRIVATE_DIR_MODE });
    const file = this.fileOf(key);
    await writeFileAtomic(file, JSON.stringify({ key, value }), { sync: true });
    return true;
  }

  async delete(key: string): Promise<boolean> {
    try {
      await unlink(this.fileOf(key));
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
  }

  async clear(): Promise<void> {
    for await (const [key] of this.iterator(this.namespace)) await this.delete(key);
  }

  async *iterator(namespace?: string): AsyncGenerator<[string, unknown]> {
    let files: string[];
    try {
      files = await readdir(this.dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    for (const f of files.filter((f) => f.endsWith('.json')).sort()) {
      const entry = await this.read(join(this.dir, f));
      if (entry && (!namespace || entry.key.startsWith(`${namespace}:`))) yield [entry.key, entry.value];
    }
  }

  async disconnect(): Promise<void> {}
}
