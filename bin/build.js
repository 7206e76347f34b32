// Bundles the TypeScript sources for `triage` with esbuild into dist/<stamp>/, so a start does not
// compile TypeScript through a loader on every run (tsx's loader cost about 0.7 s of CPU per start).
// The stamp is a hash of the sources: an edited file gets a fresh bundle at the next start, and
// processes starting at once each build aside and keep whichever bundle lands first.
//
// Run by `npm install` (prepare), by `npm run build`, and by bin/triage.js when the bundle is stale.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
/** What the bundle is made of; package dependencies stay outside it (loaded from node_modules). */
const SOURCES = ['core', 'adapters', 'bots'];
/** Changes whenever the build options below change, so older bundles are not taken for current. */
const RECIPE = 'esm-node20-split-2';
/** Bundles other than the current one are removed once this old (a running process may still load from one). */
const KEEP_OLD_MS = 24 * 3_600_000;

/** Hash of every source file's path and content (some 80 files: a few milliseconds). */
export function stamp(root = ROOT) {
  const hash = createHash('sha256').update(RECIPE);
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts')) hash.update(relative(root, path)).update('\0').update(readFileSync(path));
    }
  };
  for (const dir of SOURCES) walk(join(root, dir));
  return hash.digest('hex').slice(0, 16);
}

/** The entry of the bundle for the current sources of the project at `root`, built first when missing. */
export async function build({ root = ROOT, quiet = true } = {}) {
  const id = stamp(root);
  const dist = join(root, 'dist');
  const dir = join(dist, id);
  const entry = join(dir, 'main.js');
  if (existsSync(entry)) return entry;
  const esbuild = await import('esbuild');
  const temp = `${dir}.tmp-${process.pid}`;
  await esbuild.build({
    // The reload worker (bots/runtime/reload-worker.ts) is an entry of its own: a worker thread loads a file.
    entryPoints: { main: join(root, 'bots/cli/main.ts'), 'reload-worker': join(root, 'bots/runtime/reload-worker.ts') },
    bundle: true,
    // Split so that what the sources load lazily (Redis, the channels' SDK glue) stays lazy.
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    outdir: temp,
    sourcemap: 'linked',
    logLevel: quiet ? 'error' : 'warning',
  });
  try {
    renameSync(temp, dir);
  } catch (error) {
    // Another process built the same sources meanwhile: its bundle is identical.
    rmSync(temp, { recursive: true, force: true });
    if (!existsSync(entry)) throw error;
  }
  prune(dist, id);
  return entry;
}

function prune(dist, current) {
  const now = Date.now();
  for (const name of readdirSync(dist)) {
    if (name === current) continue;
    const path = join(dist, name);
    try {
      if (now - statSync(path).mtimeMs > (name.includes('.tmp-') ? 3_600_000 : KEEP_OLD_MS)) {
        rmSync(path, { recursive: true, force: true });
      }
    } catch {
      // Removed by another process meanwhile.
    }
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const started = performance.now();
  const entry = await build({ quiet: false });
  console.log(`triage bundle: ${relative(ROOT, entry)} (${(performance.now() - started).toFixed(0)} ms)`);
}
