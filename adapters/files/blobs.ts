import { createHash } from 'node:crypto';
import { mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic.ts';
import { PRIVATE_DIR_MODE } from './private.ts';

/**
 * Where channels keep the files people send (screenshots) once downloaded, so ticket adapters can
 * attach the bytes later, from another process too. Content-addressed: the same file is stored once,
 * and an attachment's `ref` is its key.
 */
export interface BlobStore {
  put(bytes: Uint8Array): Promise<string>;
  get(ref: string): Promise<Uint8Array | null>;
}

const REF = /^sha256-[0-9a-f]{64}$/;

/** Files under `<dataDir>/files`, written atomically (temp file, then rename). */
export class FileBlobStore implements BlobStore {
  private readonly dir: string;

  constructor(dataDir: string) {
    this.dir = join(dataDir, 'files');
  }

  async put(bytes: Uint8Array): Promise<string> {
    const ref = `sha256-${createHash('sha256').update(bytes).digest('hex')}`;
    const path = join(this.dir, ref);
    const exists = await stat(path).then(
      () => true,
      () => false,
    );
    if (!exists) {
      await mkdir(this.dir, { recursive: true, mode: PRIVATE_DIR_MODE });
      await writeFileAtomic(path, bytes);
    }
    return ref;
  }

  async get(ref: string): Promise<Uint8Array | null> {
    if (!REF.test(ref)) throw new Error(`not a file reference: ${ref.slice(0, 80)}`);
    try {
      return await readFile(join(this.dir, ref));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }
}
