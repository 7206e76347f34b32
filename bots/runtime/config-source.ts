import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { cachedConfig, cachedCore } from '../../adapters/config/model-cache.ts';
import { configWithLearned } from '../../adapters/learn/learning.ts';
import { FileLearnedStore } from '../../adapters/learn/store.ts';
import type { TriageCore } from '../../core/engine.ts';

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
  /** The learned examples' file: a change reloads. */
  learned: string;
}

export function configSource(base: string, dataDir: string): ConfigSource {
  return {
    base,
    overlay: join(dataDir, 'admin', 'config.yaml'),
    dataDir,
    learned: new FileLearnedStore(dataDir).file,
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
  const learned = await configWithLearned(config, new FileLearnedStore(source.dataDir), new Date());
  return cachedCore(learned, source.dataDir, clock);
}
