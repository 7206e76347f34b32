import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMap, LineCounter, parseDocument } from 'yaml';
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

function readYaml(file: string, problems: ConfigProblem[]): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    problems.push({ path: '(file)', message: `cannot read ${file}: ${(error as NodeJS.ErrnoException).code}` });
    return undefined;
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true });
  for (const err of doc.errors) {
    const pos = lineCounter.linePos(err.pos[0]);
    problems.push({ path: `${file}:${pos.line}:${pos.col}`, message: err.message.split('\n')[0] ?? err.message });
  }
  if (doc.errors.length > 0) return undefined;
  if (!isMap(doc.contents)) {
    problems.push({ path: file, message: 'the file must hold a YAML mapping (key: value lines)' });
    return undefined;
  }
  return doc.toJS();
}

function loadMerged(file: string, problems: ConfigProblem[], seen: Set<string>, read: Set<string>): unknown {
  if (seen.has(file)) {
    problems.push({ path: 'extends', message: `${file} extends itself (a cycle)` });
    return undefined;
  }
  seen.add(file);
  read.add(file);
  const own = readYaml(file, problems) as Record<string, unknown> | undefined;
  if (own === undefined) return undefined;
  const parents = own.extends === undefined ? [] : Array.isArray(own.extends) ? own.extends : [own.extends];
  let merged: unknown = {};
  for (const parent of parents) {
    if (typeof parent !== 'string') {
      problems.push({ path: 'extends', message: 'must be a file name or a list of file names' });
      continue;
    }
    merged = mergeConfig(merged, loadMerged(resolve(dirname(file), parent), problems, new Set(seen), read));
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
  const raw = loadMerged(path, problems, new Set(), files);
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
