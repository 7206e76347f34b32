#!/usr/bin/env node
// Runs the TypeScript CLI through tsx's loader, so `npx triage` works right after `npm install`.
import { register } from 'tsx/esm/api';

// restify 11 loads spdy, whose http-deceiver touches process.binding on import (DEP0111): known and
// harmless, but printed twice on every start. Only that one warning is silenced.
const emitWarning = process.emitWarning;
process.emitWarning = (warning, ...rest) => {
  const code = typeof rest[0] === 'object' && rest[0] !== null ? rest[0].code : rest[1];
  if (code === 'DEP0111') return;
  return emitWarning.call(process, warning, ...rest);
};

register();
const { main } = await import('../bots/cli/main.ts');
await main(process.argv);
