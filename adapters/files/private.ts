import { chmod, mkdir } from 'node:fs/promises';

/**
 * What the bot writes under `TRIAGE_DATA_DIR` holds personal data (student names, e-mail addresses,
 * transcripts): folders are its owner's only (0700), files too (0600). The adapters that write files
 * themselves pass these modes; the stores written by libraries (keyv-file, SQLite) get them from the
 * process's file mode mask (`privateFileMask`).
 */
export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** Create the data folder for its owner only, and tighten one an earlier version left world-readable. */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  await chmod(dir, PRIVATE_DIR_MODE).catch((error: NodeJS.ErrnoException) => {
    // Not ours to change (a folder prepared by an administrator): leave it as they set it.
    if (error.code !== 'EPERM') throw error;
  });
}

/**
 * Everything this process creates from now on is its owner's only (umask 077): covers the files that
 * libraries create with their own defaults (keyv-file's 0644, SQLite's journals). Called by the CLI,
 * the only entry that runs the bot as a process.
 */
export function privateFileMask(): void {
  process.umask(0o077);
}
