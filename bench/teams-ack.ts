// Teams: how soon activities are answered (HTTP 200) on loopback, and how soon every one is handled.
// The real server (`serve`, file stores in a temporary folder, the shipped academy profile) in local
// mode, replies going to the local fake Bot Connector. Prints figures; asserts nothing.
// Usage: npm run bench:teams [-- BURST]   (default 200 activities at once)
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { loadConfig } from '../adapters/config/load.ts';
import { appLogger } from '../bots/runtime/log.ts';
import { serve } from '../bots/server/main.ts';
import type { TeamsChannel } from '../bots/teams/channel.ts';
import { createCore } from '../core/engine.ts';
import { FakeConnector } from '../test/teams/fake-connector.ts';
import { BOT_TOKEN, FixedTokenCredentials } from '../test/teams/harness.ts';
import { personalMessage } from '../test/teams/requests.ts';

const burst = Number(process.argv[2] ?? 200);
const fake = new FakeConnector(BOT_TOKEN);
await fake.start();
const quiet = new Writable({ write: (_chunk, _encoding, done) => done() });
const running = await serve({
  core: createCore(loadConfig({ profile: 'academy' })),
  dataDir: mkdtempSync(join(tmpdir(), 'triage-bench-')),
  port: 0,
  host: '127.0.0.1',
  env: { TEAMS_LOCAL_MODE: '1' },
  log: appLogger('warn', quiet),
  teams: { credentials: new FixedTokenCredentials(BOT_TOKEN) },
});
const teams = running.channels.find((c) => c.name === 'teams') as TeamsChannel;
const endpoint = `${running.url}/api/messages`;
const texts = [
  'Het programma crasht telkens als ik iets wil opslaan in de evaluaties.',
  'Bij het openen van de leerlingenfiche van Mila Jacobs krijg ik de foutmelding "Geboortedatum ongeldig". Academie De Klankkast',
  'Hoe kan ik een extra vak toevoegen aan het rapport?',
  'Onze printer op het secretariaat loopt vast bij elk rapport.',
];

async function post(i: number): Promise<number> {
  const activity = personalMessage(fake.url, texts[i % texts.length]!, {
    from: { id: `29:bench-${i}`, name: `Bench ${i}`, aadObjectId: `bench-${i}` },
  });
  // One conversation per person, as personal chats are.
  (activity.conversation as { id: string }).id = `a:bench-${i}`;
  const start = performance.now();
  const res = await fetch(endpoint, {
    method: 'POST',
    body: JSON.stringify(activity),
    headers: { 'content-type': 'application/json' },
  });
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`answered ${res.status}`);
  return performance.now() - start;
}

function stats(label: string, values: number[]): void {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!.toFixed(1);
  console.log(`${label}: n=${values.length} p50 ${at(0.5)} ms, p95 ${at(0.95)} ms, max ${at(1)} ms`);
}

// One at a time first (warms up the server and the core), then the burst.
const single: number[] = [];
for (let i = 0; i < 20; i++) {
  single.push(await post(100_000 + i));
  await teams.idle();
}
stats('HTTP answer, one activity at a time', single);
const before = fake.sent().length;
const start = performance.now();
const times = await Promise.all(Array.from({ length: burst }, (_, i) => post(i)));
const lastAnswer = performance.now() - start;
await teams.idle();
const allHandled = performance.now() - start;
stats(`HTTP answer, ${burst} concurrent activities`, times);
console.log(
  `burst: last HTTP answer after ${lastAnswer.toFixed(0)} ms, every turn answered after ${allHandled.toFixed(0)} ms`,
);
console.log(`replies sent: ${fake.sent().length - before} of ${burst}`);
await running.close();
await fake.close();
