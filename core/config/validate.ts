import type { z } from 'zod';
import { type Config, configSchema } from './schema.ts';
import { semanticProblems } from './semantics.ts';

/** One problem in a configuration, with the dotted path to the value at fault. */
export interface ConfigProblem {
  path: string;
  message: string;
}

export type ConfigResult = { ok: true; config: Config } | { ok: false; problems: ConfigProblem[] };

/** Thrown when a configuration is refused; carries every problem at once. */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(
    readonly source: string,
    readonly problems: ConfigProblem[],
  ) {
    super(`${source}: ${problems.length} problem(s)\n${problems.map((p) => `  ${p.path}: ${p.message}`).join('\n')}`);
  }
}

function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  return path
    .map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`))
    .join('');
}

function toProblems(error: z.ZodError): ConfigProblem[] {
  return error.issues.map((issue) => {
    let message = issue.message;
    if (issue.code === 'unrecognized_keys') message = `unknown key(s): ${issue.keys.join(', ')}`;
    if (issue.code === 'invalid_type' && message.includes('received undefined')) message = 'is missing';
    return { path: formatPath(issue.path), message };
  });
}

/** Validate a merged configuration object; reports every problem with its path. */
export function validateConfig(raw: unknown): ConfigResult {
  const parsed = configSchema.safeParse(raw);
  const problems = [...(parsed.success ? [] : toProblems(parsed.error)), ...semanticProblems(raw)];
  if (parsed.success && problems.length === 0) return { ok: true, config: parsed.data };
  return { ok: false, problems };
}

type Plain = Record<string, unknown>;

function isPlain(value: unknown): value is Plain {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Merge configuration documents, later on top: maps merge key by key, lists and scalars replace,
 * and `null` removes an inherited key (so a profile can drop an intent it extends).
 */
export function mergeConfig(base: unknown, top: unknown): unknown {
  if (!isPlain(base) || !isPlain(top)) return top === undefined ? base : top;
  const out: Plain = { ...base };
  for (const [key, value] of Object.entries(top)) {
    if (value === null) delete out[key];
    else out[key] = key in out ? mergeConfig(out[key], value) : value;
  }
  return out;
}
