import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { PROJECT_ROOT } from '../../adapters/config/load.ts';
import { cachedConfig, cachedCore } from '../../adapters/config/model-cache.ts';
import { configWithLearned } from '../../adapters/learn/learning.ts';
import { learnedStamp, learnedStoreFromEnv } from '../../adapters/learn/stores.ts';
import type { SoftmaxData } from '../../core/classify/softmax.ts';
import type { Config } from '../../core/config/schema.ts';
import { ConfigError, type ConfigProblem } from '../../core/config/validate.ts';
import { createCore, type TriageCore } from '../../core/engine.ts';

/**
 * Where the running bot's configuration comes from: the base file (`--config FILE`, else the shipped
 * profile), an admin's overlay on top of it (`<dataDir>/admin/config.yaml`, written by the admin
 * console: it `extends` the base, so the shipped files stay untouched and an update keeps the admin's
 * changes), and the approved learned examples in the data folder.
 */
export interface ConfigSource {
  base: string;
  overlay: string;
  dataDir: string;
  /** The file the learned store touches at every change (`learnedStamp`): a change reloads. */
  learned: string;
}

export function configSource(base: string, dataDir: string): ConfigSource {
  return {
    base,
    overlay: join(dataDir, 'admin', 'config.yaml'),
    dataDir,
    learned: learnedStamp(dataDir),
  };
}

/** The file the configuration is read from now: the admin's overlay when there is one, else the base. */
export function activeFile(source: ConfigSource): string {
  return existsSync(source.overlay) ? source.overlay : source.base;
}

/**
 * A core for the configuration as it now stands: read and validated (or taken from the data folder's
 * cache when no file changed), the approved learned examples added (`configWithLearned`), the model
 * restored when one trained on exactly this is saved, else trained and saved.
 */
export async function buildCore(source: ConfigSource, clock?: () => number): Promise<TriageCore> {
  const config = await cachedConfig(activeFile(source), source.dataDir);
  // The approved examples from where the bot keeps them (triage.db, or Redis with REDIS_URL); a store
  // that cannot be read leaves the phrases alone rather than keeping the bot from starting.
  const store = await learnedStoreFromEnv(process.env, source.dataDir).catch(() => null);
  const learned = store ? await configWithLearned(config, store, new Date()).catch(() => config) : config;
  await store?.close().catch(() => {});
  return cachedCore(learned, source.dataDir, clock);
}

type WorkerAnswer =
  | { ok: true; config: Config; trained: SoftmaxData[] }
  | { ok: false; message: string; source?: string; problems?: ConfigProblem[] };

/**
 * `buildCore` with the heavy part in a worker thread: reading and validating the YAML (a third of a
 * second) and training the classifier (seconds) no longer hold up the turns the server answers
 * meanwhile; only building the core from the trained parameters (some 50 ms) runs here. Falls back to
 * building here when no worker can be started (the worker's file missing from a partial install).
 */
export async function buildCoreAside(source: ConfigSource, clock?: () => number): Promise<TriageCore> {
  let answer: WorkerAnswer;
  try {
    answer = await inWorker(source);
  } catch (error) {
    if ((error as { code?: string }).code !== 'WORKER_UNAVAILABLE') throw error;
    return buildCore(source, clock);
  }
  if (!answer.ok) {
    if (answer.problems) throw new ConfigError(answer.source ?? activeFile(source), answer.problems);
    throw new Error(answer.message);
  }
  return createCore(answer.config, { trained: answer.trained, ...(clock ? { clock } : {}) });
}

async function workerFile(): Promise<string | null> {
  // From the bundle (bin/build.js) the worker is the bundle's `reload-worker.js` beside this chunk; from
  // the TypeScript sources (tests, tsx) the same bundle is built (or found) for them: a worker thread
  // does not get tsx's loader.
  const here = fileURLToPath(import.meta.url);
  if (!here.endsWith('.ts')) return join(dirname(here), 'reload-worker.js');
  try {
    // @ts-expect-error: bin/build.js is plain JavaScript, without declarations
    const { build } = (await import('../../bin/build.js')) as {
      build(options: { root: string }): Promise<string>;
    };
    return join(dirname(await build({ root: PROJECT_ROOT })), 'reload-worker.js');
  } catch {
    return null;
  }
}

async function inWorker(source: ConfigSource): Promise<WorkerAnswer> {
  const file = await workerFile();
  if (!file || !existsSync(file)) throw Object.assign(new Error('no worker'), { code: 'WORKER_UNAVAILABLE' });
  return new Promise((resolve, reject) => {
    const worker = new Worker(file, { workerData: { source } });
    let answered = false;
    worker.once('message', (answer: WorkerAnswer) => {
      answered = true;
      resolve(answer);
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (!answered) reject(new Error(`the reload worker stopped (exit code ${code}) without an answer`));
    });
  });
}
