// The admin console: what its page weighs, how long "try a sentence" and an evaluation take, and how
// long a reload takes (the same configuration, then one with an added phrase: the classifier retrains),
// with the web chat's answers timed while it runs. The real server (`serve`) on loopback, a temporary
// data folder, the shipped academy profile. Prints figures; asserts nothing.
// Usage: npm run bench:admin
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { loadConfig, PROJECT_ROOT } from '../adapters/config/load.ts';
import { appLogger } from '../bots/runtime/log.ts';
import { serve } from '../bots/server/main.ts';
import { createCore } from '../core/engine.ts';

const quiet = new Writable({ write: (_chunk, _encoding, done) => done() });
const dataDir = mkdtempSync(join(tmpdir(), 'triage-bench-admin-'));
const running = await serve({
  core: createCore(loadConfig({ profile: 'academy' })),
  dataDir,
  port: 0,
  host: '127.0.0.1',
  env: { WEBCHAT_SESSIONS_PER_MINUTE: '1000000' },
  log: appLogger('warn', quiet),
});
const url = running.url;
const post = async (path: string, body: unknown) => {
  const res = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: url },
    body: JSON.stringify(body),
  });
  return res.json() as Promise<Record<string, unknown>>;
};
const timed = async <T>(f: () => Promise<T>): Promise<[T, number]> => {
  const start = performance.now();
  const value = await f();
  return [value, performance.now() - start];
};

const page = await Promise.all(
  ['/admin', '/admin/admin.js', '/admin/admin.css'].map(async (path) => {
    const body = Buffer.from(await (await fetch(`${url}${path}`)).arrayBuffer());
    return { path, bytes: body.length, gzip: gzipSync(body).length };
  }),
);
for (const p of page) console.log(`page ${p.path}: ${p.bytes} bytes, ${p.gzip} gzipped`);
console.log(`admin page in all: ${page.reduce((a, p) => a + p.gzip, 0)} bytes gzipped (script: ${page[1]!.gzip})`);

const tries: number[] = [];
for (let i = 0; i < 20; i++)
  tries.push(
    (await timed(() => post('/admin/api/try', { text: 'Het rapport van Mila Jacobs is leeg sinds vanmorgen' })))[1],
  );
tries.sort((a, b) => a - b);
console.log(`try a sentence: p50 ${tries[10]!.toFixed(1)} ms, max ${tries.at(-1)!.toFixed(1)} ms`);
const [report, evalMs] = await timed(() => post('/admin/api/eval', { file: 'holdout.jsonl' }));
console.log(`evaluation of holdout.jsonl (${report.n} lines): ${evalMs.toFixed(0)} ms over HTTP`);

/** A web chat's first answer, repeated while `during` runs: how long people wait during a reload. */
async function answersDuring(during: Promise<unknown>): Promise<number[]> {
  const waits: number[] = [];
  let done = false;
  void during.finally(() => {
    done = true;
  });
  while (!done) {
    const res = await fetch(`${url}/web/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: url },
      body: JSON.stringify({ name: 'Bench', email: 'bench@x.example' }),
    });
    const { csrf } = (await res.json()) as { csrf: string };
    const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
    const [, ms] = await timed(async () =>
      (
        await fetch(`${url}/web/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', origin: url, cookie, 'x-csrf-token': csrf },
          body: JSON.stringify({ text: 'Het programma crasht telkens als ik iets wil opslaan.' }),
        })
      ).json(),
    );
    waits.push(ms);
  }
  return waits;
}

for (const [name, overlay] of [
  ['the same configuration (first reload: validates and trains once)', null],
  ['the same configuration again (saved model restored)', null],
  ['a changed welcome text (saved model restored)', 'messages:\n  welcome:\n    nl: "Dag! Waarmee kan ik helpen?"\n'],
  [
    'an added example phrase (retrains)',
    'intents:\n  bench_added:\n    label: incident\n    examples: ["de klok van het lessenrooster loopt een uur achter"]\n',
  ],
] as const) {
  if (overlay) {
    mkdirSync(join(dataDir, 'admin'), { recursive: true });
    writeFileSync(
      join(dataDir, 'admin', 'config.yaml'),
      `extends: ${join(PROJECT_ROOT, 'config', 'academy.yaml')}\n${overlay}`,
    );
  }
  const reload = running.reload('bench');
  const [outcome, waits] = await Promise.all([reload, answersDuring(reload)]);
  waits.sort((a, b) => a - b);
  console.log(
    `reload, ${name}: ${outcome.ok ? `${outcome.ms} ms` : `failed: ${outcome.error} ${JSON.stringify(outcome.problems)}`}; ` +
      `${waits.length} web chat answers meanwhile, slowest ${waits.at(-1)?.toFixed(0) ?? '-'} ms`,
  );
}
await running.close();
