import { closeSync, constants, existsSync, fstatSync, openSync, readSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Document, isMap, isScalar, LineCounter, parseDocument, visit, type YAMLMap } from 'yaml';
import type { Config } from '../../core/config/schema.ts';
import { ConfigError, type ConfigProblem, mergeConfig, validateConfig } from '../../core/config/validate.ts';

/**
 * The project folder (package.json and config/ beside it), found upward from this module: the same from
 * the TypeScript sources and from the bundle `bin/triage.js` runs under `dist/`.
 */
export const PROJECT_ROOT = projectRoot(dirname(fileURLToPath(import.meta.url)));

function projectRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'config'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no project folder (package.json and config/) above ${from}`);
  }
}

/** Where the shipped profiles live. */
export const PROFILE_DIR = join(PROJECT_ROOT, 'config');

/** The profiles shipped with the product. */
export const PROFILES = ['academy', 'site'] as const;

/** Path of a shipped profile's YAML file. */
export function profilePath(profile: string): string {
  if (!(PROFILES as readonly string[]).includes(profile)) {
    throw new ConfigError(profile, [
      { path: 'profile', message: `unknown profile "${profile}" (shipped: ${PROFILES.join(', ')})` },
    ]);
  }
  return resolve(PROFILE_DIR, `${profile}.yaml`);
}

/**
 * How large a configuration may be. The shipped profiles are about 150 KB and 5,000 entries (keys and
 * list items) over 11 files; these limits leave ten times that, and refuse in milliseconds what would
 * otherwise take minutes and gigabytes to read (`extends: /dev/zero`, 300,000 lexicon words).
 */
export const CONFIG_LIMITS = { fileBytes: 512 * 1024, totalBytes: 2 * 1024 * 1024, entries: 50_000, files: 64 };

/** What the files read so far for one configuration took. */
interface Budget {
  bytes: number;
  entries: number;
  files: number;
}

/** The file's text, or a problem: only regular files within {@link CONFIG_LIMITS}, read no further. */
function readLimited(file: string, problems: ConfigProblem[], budget: Budget): string | undefined {
  let fd: number;
  try {
    // Non-blocking: a FIFO named in `extends` must not hang the start.
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    problems.push({ path: '(file)', message: `cannot read ${file}: ${(error as NodeJS.ErrnoException).code}` });
    return undefined;
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) {
      problems.push({ path: file, message: 'is not a regular file (a configuration is a YAML file)' });
      return undefined;
    }
    budget.files += 1;
    if (budget.files > CONFIG_LIMITS.files) {
      problems.push({ path: file, message: `more than ${CONFIG_LIMITS.files} files through extends` });
      return undefined;
    }
    const room = Math.min(CONFIG_LIMITS.fileBytes, CONFIG_LIMITS.totalBytes - budget.bytes);
    // Read at most one byte past the limit: a file growing while read is still caught.
    const buffer = Buffer.alloc(room + 1);
    let size = 0;
    for (let n = 1; n > 0 && size < buffer.length; size += n)
      n = readSync(fd, buffer, size, buffer.length - size, null);
    if (size > room) {
      problems.push({
        path: file,
        message:
          room < CONFIG_LIMITS.fileBytes
            ? `the configuration's files hold more than ${CONFIG_LIMITS.totalBytes / 1024 / 1024} MB together`
            : `is larger than ${CONFIG_LIMITS.fileBytes / 1024} KB (${Math.ceil(stat.size / 1024)} KB): split it or trim it`,
      });
      return undefined;
    }
    budget.bytes += size;
    return buffer.subarray(0, size).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/**
 * Entries (keys and list items) past the budget, and keys given twice in one mapping, as problems. In
 * one pass: the parser's own duplicate check compares every key with every other (20,000 keys took 18 s).
 */
function checkEntries(
  file: string,
  doc: Document,
  lineCounter: LineCounter,
  problems: ConfigProblem[],
  budget: Budget,
) {
  const where = (node: unknown) => {
    const range = (node as { range?: [number, number, number] } | null)?.range;
    const pos = lineCounter.linePos(range?.[0] ?? 0);
    return `${file}:${pos.line}:${pos.col}`;
  };
  let over = false;
  visit(doc, {
    Map(_key, map: YAMLMap) {
      budget.entries += map.items.length;
      const seen = new Set<string>();
      for (const pair of map.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : JSON.stringify(pair.key);
        if (seen.has(key))
          problems.push({
            path: where(pair.key),
            message: `Map keys must be unique: "${key.slice(0, 80)}" is given twice`,
          });
        seen.add(key);
      }
      if (budget.entries > CONFIG_LIMITS.entries) over = true;
      return over ? visit.BREAK : undefined;
    },
    Seq(_key, seq) {
      budget.entries += seq.items.length;
      if (budget.entries > CONFIG_LIMITS.entries) over = true;
      return over ? visit.BREAK : undefined;
    },
  });
  if (over)
    problems.push({
      path: file,
      message: `the configuration holds more than ${CONFIG_LIMITS.entries.toLocaleString('en')} keys and list items`,
    });
}

function readYaml(file: string, problems: ConfigProblem[], budget: Budget): unknown {
  const text = readLimited(file, problems, budget);
  if (text === undefined) return undefined;
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: false });
  for (const err of doc.errors) {
    const pos = lineCounter.linePos(err.pos[0]);
    problems.push({ path: `${file}:${pos.line}:${pos.col}`, message: err.message.split('\n')[0] ?? err.message });
  }
  if (doc.errors.length > 0) return undefined;
  const before = problems.length;
  checkEntries(file, doc, lineCounter, problems, budget);
  if (problems.length > before) return undefined;
  if (!isMap(doc.contents)) {
    problems.push({ path: file, message: 'the file must hold a YAML mapping (key: value lines)' });
    return undefined;
  }
  return doc.toJS();
}

function loadMerged(
  file: string,
  problems: ConfigProblem[],
  seen: Set<string>,
  read: Set<string>,
  budget: Budget,
): unknown {
  if (seen.has(file)) {
    problems.push({ path: 'extends', message: `${file} extends itself (a cycle)` });
    return undefined;
  }
  seen.add(file);
  read.add(file);
  const own = readYaml(file, problems, budget) as Record<string, unknown> | undefined;
  if (own === undefined) return undefined;
  const parents = own.extends === undefined ? [] : Array.isArray(own.extends) ? own.extends : [own.extends];
  let merged: unknown = {};
  for (const parent of parents) {
    if (typeof parent !== 'string') {
      problems.push({ path: 'extends', message: 'must be a file name or a list of file names' });
      continue;
    }
    merged = mergeConfig(merged, loadMerged(resolve(dirname(file), parent), problems, new Set(seen), read, budget));
  }
  const { extends: _ignored, ...rest } = own;
  return mergeConfig(merged, rest);
}

/** Read, merge (`extends`) and validate a YAML configuration; throws ConfigError listing every problem. */
export function loadConfigFile(file: string): Config {
  return readConfigFile(file).config;
}

/** `loadConfigFile`, with every file it was read from (the file and those it extends). */
export function readConfigFile(file: string): { config: Config; files: string[] } {
  const path = resolve(file);
  const problems: ConfigProblem[] = [];
  const files = new Set<string>();
  const raw = loadMerged(path, problems, new Set(), files, { bytes: 0, entries: 0, files: 0 });
  if (problems.length > 0) throw new ConfigError(path, problems);
  const result = validateConfig(raw);
  if (!result.ok) throw new ConfigError(path, result.problems);
  return { config: result.config, files: [...files] };
}

/** The file `--config FILE` or the shipped `--profile` (default academy) names. */
export function configPath(options: { config?: string | undefined; profile?: string | undefined }): string {
  return options.config ?? profilePath(options.profile ?? 'academy');
}

/** Load `--config FILE` when given, else the shipped `--profile` (default academy). */
export function loadConfig(options: { config?: string | undefined; profile?: string | undefined }): Config {
  return loadConfigFile(configPath(options));
}
