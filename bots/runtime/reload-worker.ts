// Builds a core's configuration and model away from the server's event loop (see `buildCoreAside`):
// reads and validates the YAML, adds the learned examples, trains (or restores the saved model), and
// posts back the configuration and the trained parameters. A configuration's problems go back as data.
import { parentPort, workerData } from 'node:worker_threads';
import { ConfigError } from '../../core/config/validate.ts';
import { buildCore, type ConfigSource } from './config-source.ts';

const { source } = workerData as { source: ConfigSource };
try {
  const { core, learned } = await buildCore(source);
  parentPort!.postMessage({ ok: true, config: core.config, trained: core.classifier.trained(), learned });
} catch (error) {
  parentPort!.postMessage({
    ok: false,
    message: (error as Error).message ?? String(error),
    ...(error instanceof ConfigError ? { source: error.source, problems: error.problems } : {}),
  });
}
