import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { PROJECT_ROOT } from '../../adapters/config/load.ts';
import { cachedConfig, cachedCore } from '../../adapters/config/model-cache.ts';
import { configWithLearned } from '../../adapters/learn/learning.ts';
import type { LearnedStore } from '../../adapters/learn/store.ts';
import { learnedStamp, learnedStoreFromEnv } from '../../adapters/learn/stores.ts';
import type { SoftmaxData } from '../../core/classify/softmax.ts';
import type { Config } from '../../core/config/schema.ts';
import { ConfigError, type ConfigProblem } from '../../core/config/validate.ts';
import { createCore, type TriageCore } from '../../core/engine.ts';
import type { ComponentHealth } from '../server/server.ts';
import { scrubText } from './log.ts';
import type { Logger } from './service.ts';

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

/** Whether a core took the approved learned examples, or why they were left out. */
export type LearnedRead = { state: 'used' } | { state: 'unavailable'; reason: string };

/** A core, and whether it was trained with the learned examples. */
export interface BuiltCore {
  core: TriageCore;
  learned: LearnedRead;
}

/**
 * A core for the configuration as it now stands: read and validated (or taken from the data folder's
 * cache when no file changed), the approved learned examples added (`withLearnedExamples`), the model
 * restored when one trained on exactly this is saved, else trained and saved.
 */
export async function buildCore(
  source: ConfigSource,
  clock?: () => number,
  env: NodeJS.ProcessEnv = process.env,
): Promise<BuiltCore> {
  const config = await cachedConfig(activeFile(source), source.dataDir);
  const { config: learned, read } = await withLearnedExamples(config, source.dataDir, env);
  return { core: await cachedCore(learned, source.dataDir, clock), learned: read };
}

/**
 * The configuration with the approved examples from where the bot keeps them (triage.db, or Redis with
 * REDIS_URL). A store that cannot be read leaves the phrases alone rather than keeping the bot from
 * starting, and the answer says why (the caller tells the log and `/healthz`).
 */
export async function withLearnedExamples(
  config: Config,
  dataDir: string,
  env: NodeJS.ProcessEnv,
): Promise<{ config: Config; read: LearnedRead }> {
  let store: LearnedStore | null = null;
  try {
    store = await learnedStoreFromEnv(env, dataDir);
    return { config: await configWithLearned(config, store, new Date()), read: { state: 'used' } };
  } catch (error) {
    return { config, read: { state: 'unavailable', reason: shownReason(error, env) } };
  } finally {
    await store?.close().catch(() => {});
  }
}

/** Why a store failed, fit for a log and `/healthz`: no credentials of a URL, nor REDIS_URL's password. */
export function shownReason(error: unknown, env: NodeJS.ProcessEnv): string {
  let text = String((error as Error | undefined)?.message ?? error);
  const password = redisPassword(env.REDIS_URL);
  if (password) text = text.replaceAll(password, '[redacted]');
  return scrubText(text, true);
}

function redisPassword(url: string | undefined): string {
  try {
    const password = new URL(url?.trim() ?? '').password;
    return password ? decodeURIComponent(password) : '';
  } catch {
    return '';
  }
}

/**
 * What `/healthz` says of the learned examples in the core in use, and the log line when they are left
 * out: once for a reason (a watcher's reloads while Redis is away say it once), once when they are back.
 */
export class LearnedHealth {
  private last: LearnedRead | null = null;

  constructor(private readonly log: Pick<Logger, 'info' | 'warn'>) {}

  /** How the core that is about to be used was built. */
  told(read: LearnedRead): void {
    const before = this.last;
    this.last = read;
    if (read.state === 'unavailable') {
      if (before?.state === 'unavailable' && before.reason === read.reason) return;
      this.log.warn({ reason: read.reason }, 'learned examples not used: training on the configured phrases only');
    } else if (before?.state === 'unavailable') {
      this.log.info({}, 'learned examples used again');
    }
  }

  health(): ComponentHealth {
    if (!this.last) return { state: 'ok', examples: 'not read' };
    if (this.last.state === 'used') return { state: 'ok', examples: 'used' };
    return { state: 'degraded', examples: 'left out', reason: this.last.reason };
  }
}

type WorkerAnswer =
  | { ok: true; config: Config; trained: SoftmaxData[]; learned: LearnedRead }
  | { ok: false; message: string; source?: string; problems?: ConfigProblem[] };

/**
 * `buildCore` with the heavy part in a worker thread: reading and validating the YAML (a third of a
 * second) and training the classifier (seconds) no longer hold up the turns the server answers
 * meanwhile; only building the core from the trained parameters (some 50 ms) runs here. Falls back to
 * building here when no worker can be started (the worker's file missing from a partial install).
 */
export async function buildCoreAside(
  source: ConfigSource,
  clock?: () => number,
  env: NodeJS.ProcessEnv = process.env,
): Promise<BuiltCore> {
  let answer: WorkerAnswer;
  try {
    answer = await inWorker(source, env);
  } catch (error) {
    if ((error as { code?: string }).code !== 'WORKER_UNAVAILABLE') throw error;
    return buildCore(source, clock, env);
  }
  if (!answer.ok) {
    if (answer.problems) throw new ConfigError(answer.source ?? activeFile(source), answer.problems);
    throw new Error(answer.message);
  }
  const core = createCore(answer.config, { trained: answer.trained, ...(clock ? { clock } : {}) });
  return { core, learned: answer.learned };
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

async function inWorker(source: ConfigSource, env: NodeJS.ProcessEnv): Promise<WorkerAnswer> {
  const file = await workerFile();
  if (!file || !existsSync(file)) throw Object.assign(new Error('no worker'), { code: 'WORKER_UNAVAILABLE' });
  return new Promise((resolve, reject) => {
    // The worker reads the learned store as the server reads its state: with the server's environment.
    const worker = new Worker(file, { workerData: { source }, env: { ...env } });
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
