#!/usr/bin/env node
// Runs the `triage` CLI from its bundle (bin/build.js, rebuilt when the sources changed), or from the
// TypeScript sources through tsx's loader when the bundle cannot be built (a read-only install) or
// TRIAGE_FROM_SOURCE=1 asks for it (stack traces then point at the .ts lines).
import { pathToFileURL } from 'node:url';

// restify 11 loads spdy, whose http-deceiver touches process.binding on import (DEP0111): known and
// harmless, but printed twice on every start. Only that one warning is silenced.
const emitWarning = process.emitWarning;
process.emitWarning = (warning, ...rest) => {
  const code = typeof rest[0] === 'object' && rest[0] !== null ? rest[0].code : rest[1];
  if (code === 'DEP0111') return;
  return emitWarning.call(process, warning, ...rest);
};

let entry = null;
if (process.env.TRIAGE_FROM_SOURCE !== '1') {
  try {
    const { build } = await import('./build.js');
    entry = await build();
  } catch (error) {
    process.stderr.write(`triage: running from the TypeScript sources (no bundle: ${error.message})\n`);
  }
}
if (entry) {
  const { main } = await import(pathToFileURL(entry).href);
  await main(process.argv);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  const { main } = await import('../bots/cli/main.ts');
  await main(process.argv);
}
