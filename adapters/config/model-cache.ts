import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, unlink } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { SoftmaxData } from '../../core/classify/softmax.ts';
import type { Config } from '../../core/config/schema.ts';
import { createCore, type TriageCore } from '../../core/engine.ts';
import { writeFileAtomic } from '../files/atomic.ts';
import { PRIVATE_DIR_MODE } from '../files/private.ts';
import { PROJECT_ROOT, readConfigFile } from './load.ts';

/** The code that turns phrases into a model: a change to any of it makes saved models stale. */
const MODEL_CODE = ['classify', 'text'].map((dir) => join(PROJECT_ROOT, 'core', dir));

/**
 * Which saved model fits a configuration: a hash of everything training reads (intents, lexicon,
 * classifier settings, default language) and of the training code itself.
 */
export async function modelKey(config: Config): Promise<string> {
  const hash = createHash('sha256');
  const { intents, lexicon, classifier, default_language } = config;
  hash.update(JSON.stringify({ intents, lexicon, classifier, default_language }));
  await hashFiles(hash, MODEL_CODE);
  return hash.digest('hex').slice(0, 32);
}

/** The code that reads and validates a configuration (schema, defaults): a change makes saved ones stale. */
const CONFIG_CODE = [join(PROJECT_ROOT, 'core', 'config'), join(PROJECT_ROOT, 'adapters', 'config')];

async function hashFiles(hash: ReturnType<typeof createHash>, dirs: string[]): Promise<void> {
  for (const dir of dirs) {
    for (const file of (await readdir(dir)).sort()) {
      if (file.endsWith('.ts')) hash.update(file).update(await readFile(join(dir, file)));
    }
  }
}

interface Saved {
  models: { classes: string[]; features: string[]; weights: string }[];
}

/**
 * The core for a configuration, its classifier restored from `<dataDir>/models` when a model trained on
 * exactly this configuration and code is there, else trained and saved for the next start. Start-up
 * then skips the training (half a second and more); a stale or unreadable file is simply retrained.
 */
export async function cachedCore(config: Config, dataDir: string, clock?: () => number): Promise<TriageCore> {
  const file = join(dataDir, 'models', `${config.profile}-${await modelKey(config)}.json`);
  let trained: SoftmaxData[] | undefined;
  try {
    const saved = JSON.parse(await readFile(file, 'utf8')) as Saved;
    trained = saved.models.map((m) => ({
      classes: m.classes,
      features: m.features,
      weights: new Float64Array(new Uint8Array(Buffer.from(m.weights, 'base64')).buffer),
    }));
  } catch {
    trained = undefined;
  }
  const core = createCore(config, { ...(clock ? { clock } : {}), ...(trained ? { trained } : {}) });
  if (!core.classifier.restored) {
    const saved: Saved = {
      models: core.classifier.trained().map((m) => ({
        classes: m.classes,
        features: m.features,
        weights: Buffer.from(m.weights.buffer, m.weights.byteOffset, m.weights.byteLength).toString('base64'),
      })),
    };
    await writeAtomically(file, JSON.stringify(saved));
    await removeOlderModels(file, config.profile);
  }
  return core;
}

/**
 * Only the current model of a profile is kept: each edit of the configuration trains a new one (4 MB),
 * and the earlier ones would never be read again unless the edit were undone (that retrains: a second).
 * Best effort, like saving.
 */
async function removeOlderModels(current: string, profile: string): Promise<void> {
  const dir = dirname(current);
  const escaped = profile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const model = new RegExp(`^${escaped}-[0-9a-f]{32}\\.json$`);
  const names = await readdir(dir).catch(() => [] as string[]);
  await Promise.all(
    names
      .filter((name) => model.test(name) && join(dir, name) !== current)
      .map((name) => unlink(join(dir, name)).catch(() => {})),
  );
}

interface SavedConfig {
  /** Hash of the code that validated it. */
  code: string;
  /** Every YAML file the configuration was read from, with a hash of its text. */
  files: { path: string; sha256: string }[];
  config: Config;
}

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

/**
 * The configuration in `file`, read from `<dataDir>/models` when none of the YAML files it was read from
 * changed since it was last validated, else read, validated and saved. Parsing and validating the
 * 180 KB of shipped YAML is about a third of a second of every start; comparing hashes is a millisecond.
 * An invalid file is never saved, so it fails with its problems at every start.
 */
export async function cachedConfig(file: string, dataDir: string): Promise<Config> {
  const saved = join(dataDir, 'models', `config-${sha256(resolve(file)).slice(0, 16)}.json`);
  const codeHash = createHash('sha256');
  await hashFiles(codeHash, CONFIG_CODE);
  const code = codeHash.digest('hex');
  try {
    const entry = JSON.parse(await readFile(saved, 'utf8')) as SavedConfig;
    const unchanged = await Promise.all(entry.files.map(async (f) => sha256(await readFile(f.path)) === f.sha256));
    if (entry.code === code && entry.files.length > 0 && unchanged.every(Boolean)) return entry.config;
  } catch {
    // None saved yet, or unreadable: read the YAML.
  }
  const { config, files } = readConfigFile(file);
  const entry: SavedConfig = {
    code,
    files: await Promise.all(files.map(async (path) => ({ path, sha256: sha256(await readFile(path)) }))),
    config,
  };
  await writeAtomically(saved, JSON.stringify(entry));
  return config;
}

/** Best effort: a read-only data folder only costs the work again at the next start. */
async function writeAtomically(file: string, text: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true, mode: PRIVATE_DIR_MODE })
    .then(() => writeFileAtomic(file, text))
    .catch(() => {});
}
