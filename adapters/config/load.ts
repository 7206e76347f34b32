import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMap, LineCounter, parseDocument } from 'yaml';
import type { Config } from '../../core/config/schema.ts';
import { ConfigError, type ConfigProblem, mergeConfig, validateConfig } from '../../core/config/validate.ts';

/** Where the shipped profiles live. */
export const PROFILE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../config');

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

function loadMerged(file: string, problems: ConfigProblem[], seen: Set<string>): unknown {
  if (seen.has(file)) {
    problems.push({ path: 'extends', message: `${file} extends itself (a cycle)` });
    return undefined;
  }
  seen.add(file);
  const own = readYaml(file, problems) as Record<string, unknown> | undefined;
  if (own === undefined) return undefined;
  const parents = own.extends === undefined ? [] : Array.isArray(own.extends) ? own.extends : [own.extends];
  let merged: unknown = {};
  for (const parent of parents) {
    if (typeof parent !== 'string') {
      problems.push({ path: 'extends', message: 'must be a file name or a list of file names' });
      continue;
    }
    merged = mergeConfig(merged, loadMerged(resolve(dirname(file), parent), problems, new Set(seen)));
  }
  const { extends: _ignored, ...rest } = own;
  return mergeConfig(merged, rest);
}

/** Read, merge (`extends`) and validate a YAML configuration; throws ConfigError listing every problem. */
export function loadConfigFile(file: string): Config {
  const path = resolve(file);
  const problems: ConfigProblem[] = [];
  const raw = loadMerged(path, problems, new Set());
  if (problems.length > 0) throw new ConfigError(path, problems);
  const result = validateConfig(raw);
  if (!result.ok) throw new ConfigError(path, result.problems);
  return result.config;
}

/** Load `--config FILE` when given, else the shipped `--profile` (default academy). */
export function loadConfig(options: { config?: string | undefined; profile?: string | undefined }): Config {
  return loadConfigFile(options.config ?? profilePath(options.profile ?? 'academy'));
}
