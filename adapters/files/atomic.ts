import { randomUUID } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { PRIVATE_FILE_MODE } from './private.ts';

/**
 * Write a file so that readers see its old content or the new, never half of it: written beside it
 * under a name of its own (process and random id, so concurrent writers never share one), then renamed
 * over it. `sync` flushes it to disk before the rename, for what must survive a power cut (the outbox).
 * The file is its owner's only (0600): what the bot writes holds personal data.
 */
export async function writeFileAtomic(
  file: string,
  data: string | Uint8Array,
  options: { sync?: boolean } = {},
): Promise<void> {
  const temp = `${file}.${process.pid}.${randomUUID()}.tmp`;
  const handle = await open(temp, 'w', PRIVATE_FILE_MODE);
  try {
    await handle.writeFile(data);
    if (options.sync) await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, file);
  } catch (error) {
    await unlink(temp).catch(() => {});
    throw error;
  }
}
