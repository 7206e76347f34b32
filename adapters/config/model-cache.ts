import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SoftmaxData } from '../../core/classify/softmax.ts';
import type { Config } from '../../core/config/schema.ts';
import { createCore, type TriageCore } from '../../core/engine.ts';

/** The code that turns phrases into a model: a change to any of it makes saved models stale. */
const MODEL_CODE = ['classify', 'text'].map((dir) => join(dirname(fileURLToPath(import.meta.url)), '../../core', dir));

/**
 * Which saved model fits a configuration: a hash of everything training reads (intents, lexicon,
 * classifier settings, default language) and of the training code itself.
 */
export async function modelKey(config: Config): Promise<string> {
  const hash = createHash('sha256');
  const { intents, lexicon, classifier, default_language } = config;
  hash.update(JSON.stringify({ intents, lexicon, classifier, default_language }));
  for (const dir of MODEL_CODE) {
    for (const file of (await readdir(dir)).sort()) hash.update(file).update(await readFile(join(dir, file)));
  }
  return hash.digest('hex').slice(0, 32);
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
    // Best effort: a read-only data folder only costs the training at the next start.
    await mkdir(dirname(file), { recursive: true })
      .then(async () => {
        const temp = `${file}.${process.pid}.tmp`;
        await writeFile(temp, JSON.stringify(saved));
        await rename(temp, file);
      })
      .catch(() => {});
  }
  return core;
}
