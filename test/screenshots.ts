import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../adapters/config/load.ts';

/**
 * Where a browser test saves its screenshot: the docs' pictures with `UPDATE_SCREENSHOTS=1` (how the
 * README's images are made), else a temporary folder, so `npm test` leaves the working tree as it was.
 */
export function screenshotPath(name: string): string {
  const dir = process.env.UPDATE_SCREENSHOTS === '1' ? join(PROJECT_ROOT, 'docs/img') : join(tmpdir(), 'triage-shots');
  mkdirSync(dir, { recursive: true });
  return join(dir, name);
}
