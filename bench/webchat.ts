// The web chat: how soon a person gets the bot's first answer on loopback (POST /web/messages of a
// fresh conversation, answered with the core's replies), and what the page weighs. The real server
// (`serve`, file stores in a temporary folder, the shipped academy profile). Prints figures; asserts nothing.
// Usage: npm run bench:webchat [-- CONVERSATIONS]   (default 200, one after the other, then 4 at a time)
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { loadConfig } from '../adapters/config/load.ts';
import { appLogger } from '../bots/runtime/log.ts';
import { serve } from '../bots/server/main.ts';
import { createCore } from '../core/engine.ts';

const conversations = Number(process.argv[2] ?? 200);
const quiet = new Writable({ write: (_chunk, _encoding, done) => done() });
const running = await serve({
  core: createCore(loadConfig({ profile: 'academy' })),
  dataDir: mkdtempSync(join(tmpdir(), 'triage-bench-')),
  port: 0,
  host: '127.0.0.1',
  // Many sessions from one address: the limit is not what is measured here.
  env: { WEBCHAT_SESSIONS_PER_MINUTE: '1000000' },
  log: appLogger('warn', quiet),
});
const url = running.url;
const texts = [
  'Het programma crasht telkens als ik iets wil opslaan in de evaluaties.',
  'Bij het openen van de leerlingenfiche van Mila Jacobs krijg ik de foutmelding "Geboortedatum ongeldig". Academie De Klankkast',
  'Hoe kan ik een extra vak toevoegen aan het rapport?',
  'Onze printer op het secretariaat loopt vast bij elk rapport.',
];

async function session(i: number): Promise<{ cookie: string; csrf: string }> {
  const res = await fetch(`${url}/web/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: url },
    body: JSON.stringify({ name: `Bench ${i}`, email: `bench${i}@x.example` }),
  });
  if (res.status !== 200) throw new Error(`session: ${res.status}`);
  const body = (await res.json()) as { csrf: string };
  return { cookie: (res.headers.get('set-cookie') ?? '').split(';')[0]!, csrf: body.csrf };
}

/** Milliseconds from sending the first message to having the whole answer. */
async function firstAnswer(i: number): Promise<number> {
  const { cookie, csrf } = await session(i);
  const start = performance.now();
  const res = await fetch(`${url}/web/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: url, cookie, 'x-csrf-token': csrf },
    body: JSON.stringify({ text: texts[Math.abs(i) % texts.length] }),
  });
  await res.json();
  if (res.status !== 200) throw new Error(`message: ${res.status}`);
  return performance.now() - start;
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
const report = (name: string, ms: number[]) => {
  const s = [...ms].sort((a, b) => a - b);
  console.log(
    `${name}: n=${s.length} p50=${pct(s, 0.5).toFixed(1)} ms p95=${pct(s, 0.95).toFixed(1)} ms max=${s.at(-1)!.toFixed(1)} ms`,
  );
};

const cold = await firstAnswer(-1);
console.log(`first answer of the server's first conversation: ${cold.toFixed(1)} ms`);
const one: number[] = [];
for (let i = 0; i < conversations; i++) one.push(await firstAnswer(i));
report('first answer, one conversation at a time', one);
const four: number[] = [];
let next = 0;
await Promise.all(
  Array.from({ length: 4 }, async () => {
    while (next < conversations) four.push(await firstAnswer(conversations + next++));
  }),
);
report('first answer, 4 conversations at once', four);

const page = await Promise.all(
  ['/', '/web/chat.js', '/web/chat.css', '/web/texts.json'].map(async (path) => {
    const body = Buffer.from(await (await fetch(`${url}${path}`)).arrayBuffer());
    return { path, bytes: body.length, gzip: gzipSync(body).length };
  }),
);
for (const p of page) console.log(`page ${p.path}: ${p.bytes} bytes, ${p.gzip} gzipped`);
console.log(`page in all: ${page.reduce((a, p) => a + p.gzip, 0)} bytes gzipped`);
await running.close();
