#!/usr/bin/env node
// Runs the `triage` CLI from its bundle (bin/build.js, rebuilt when the sources changed), or from the
// TypeScript sources through tsx's loader when the bundle cannot be built (a read-only install) or
// TRIAGE_FROM_SOURCE=1 asks for it (stack traces then point at the .ts lines).
import { pathToFileURL } from 'node:url';
import { quietSpdyWarning } from './warnings.js';

// restify's spdy prints DEP0111 (process.binding('http_parser')) at every start: only that is dropped.
quietSpdyWarning();

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
