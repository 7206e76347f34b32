#!/usr/bin/env node
// Runs the TypeScript CLI through tsx's loader, so `npx triage` works right after `npm install`.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../bots/cli/main.ts');
await main(process.argv);
