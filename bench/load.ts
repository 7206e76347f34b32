// Load benchmark (not a test: prints figures, asserts nothing). Signed Slack events at rising rates
// against the real server (`triage serve` as a process, on loopback), with the embedded store and,
// when redis-server is installed, with Redis; the same load against a bare Bolt echo app as the floor.
// Prints ack latency p50/p99, throughput, errors, RSS, state bytes per conversation, start-up time.
//
// Usage: npm run bench:load [-- --quick] [-- --rates 50,100,200,400] [-- --seconds 5] [-- --no-redis]
//
// Each target is a `Target`: how to start it and how to build one request. A Teams target (signed-less
// Bot Framework activities to /api/messages, against the server and a bare botbuilder echo bot) plugs
// in as two more entries of `targets` once the Teams channel is on this branch.
import { type ChildProcess, spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import autocannon from 'autocannon';
import { loadConfig } from '../adapters/config/load.ts';
import { connectRedis } from '../adapters/state/redis.ts';
import { fileStore } from '../adapters/state/store.ts';
import { appLogger } from '../bots/runtime/log.ts';
import { serve } from '../bots/server/main.ts';
import { createCore } from '../core/engine.ts';
import { freePort, hasRedisServer, startRedis } from '../test/scale/redis-server.ts';
import { BOT_TOKEN, SIGNING_SECRET } from '../test/slack/requests.ts';

const args = process.argv.slice(2);
const option = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const quick = args.includes('--quick');
const rates = (option('rates') ?? (quick ? '50,200' : '50,100,200,400')).split(',').map(Number);
const seconds = Number(option('seconds') ?? (quick ? 3 : 5));
const USERS = 50;
/** First messages; each conversation then answers as people do (academy, "don't know", send). */
const OPENINGS = [
  'Het programma crasht telkens als ik iets wil opslaan in de evaluaties.',
  'Bij het openen van de leerlingenfiche van Mila Jacobs krijg ik de foutmelding "Geboortedatum ongeldig". Academie De Klankkast',
  'Hoe kan ik een extra vak toevoegen aan het rapport?',
  'Onze printer op het secretariaat loopt vast bij elk rapport.',
];
const ANSWERS = ['Academie De Klankkast', 'ik weet het niet', 'verstuur'];
const TURNS_PER_CONVERSATION = 1 + ANSWERS.length;

interface Running {
  url: string;
  /** Bytes of stored state per conversation (servers only). */
  stateBytes?: () => Promise<number[]>;
  /** Deliveries the server finished (handled or copies), to wait for its backlog between levels. */
  finished?: () => Promise<number>;
  rss: () => Promise<number | null>;
  stop(): Promise<void>;
}

interface Target {
  name: string;
  /** The floor others are compared with. */
  floor?: boolean;
  start(): Promise<Running>;
}

// ---- processes ---------------------------------------------------------------------------------

function child(command: string[], env: NodeJS.ProcessEnv, cwd = process.cwd()): ChildProcess {
  return spawn(process.execPath, command, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Resolves with the first match of `pattern` in the child's output. */
function waitFor(proc: ChildProcess, pattern: RegExp): Promise<RegExpExecArray> {
  return new Promise((done, fail) => {
    let seen = '';
    const look = (chunk: Buffer) => {
      seen += String(chunk);
      const m = pattern.exec(seen);
      if (m) done(m);
    };
    proc.stdout?.on('data', look);
    proc.stderr?.on('data', look);
    proc.once('exit', (code) => fail(new Error(`exited (${code}) before ${pattern}: ${seen.slice(-2000)}`)));
  });
}

async function stop(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null) return;
  const exited = new Promise((done) => proc.once('exit', done));
  proc.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
  if (proc.exitCode === null) proc.kill('SIGKILL');
}

/** Resident memory of a process from /proc (Linux), in bytes. */
async function rssOf(pid: number | undefined): Promise<number | null> {
  if (!pid) return null;
  try {
    const { readFile } = await import('node:fs/promises');
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kb = /VmRSS:\s+(\d+)/.exec(status)?.[1];
    return kb ? Number(kb) * 1024 : null;
  } catch {
    return null;
  }
}

async function healthy(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/healthz`)).status === 200;
  } catch {
    return false;
  }
}

// ---- targets -----------------------------------------------------------------------------------

function triageServer(name: string, apiUrl: string, redisUrl?: string): Target {
  return {
    name,
    async start() {
      const dataDir = mkdtempSync(join(tmpdir(), 'triage-load-'));
      const port = await freePort();
      const started = performance.now();
      const proc = child(
        [resolve('bin/triage.js'), 'serve', '--host', '127.0.0.1', '--port', String(port)],
        {
          TRIAGE_DATA_DIR: dataDir,
          SLACK_BOT_TOKEN: BOT_TOKEN,
          SLACK_SIGNING_SECRET: SIGNING_SECRET,
          SLACK_API_URL: apiUrl,
          LOG_LEVEL: 'warn',
          // Take every event, as the bare app does, so throughput compares like with like (in production
          // the default 2000 refuses a burst's excess with 503 for Slack to redeliver).
          MAX_WAITING_TURNS: '100000',
          ...(redisUrl ? { REDIS_URL: redisUrl } : { REDIS_URL: '' }),
        },
        dataDir,
      );
      proc.stderr?.resume();
      const url = `http://127.0.0.1:${port}`;
      while (!(await healthy(url))) {
        if (proc.exitCode !== null) throw new Error(`${name} exited at start`);
        await new Promise((r) => setTimeout(r, 10));
      }
      console.log(`  ${name}: process start to /healthz ok in ${(performance.now() - started).toFixed(0)} ms`);
      const metric = async (pattern: RegExp) => {
        const text = await (await fetch(`${url}/metrics`)).text();
        let sum = 0;
        for (const m of text.matchAll(pattern)) sum += Number(m[1]);
        return sum;
      };
      const conversations = () =>
        Array.from({ length: Math.ceil(sequence / TURNS_PER_CONVERSATION) }, (_, i) => `slack:D0LOAD${i}`);
      return {
        url,
        rss: () => rssOf(proc.pid),
        finished: () => metric(/^triage_deliveries_total\{[^}]*outcome="(?:handled|duplicate|failed)"\} (\d+)$/gm),
        async stateBytes() {
          if (redisUrl) {
            const redis = await connectRedis(redisUrl, { maxReconnects: 0 });
            try {
              return (await Promise.all(conversations().map((c) => redis.stateBytes(c)))).filter((n) => n > 0);
            } finally {
              await redis.close();
            }
          }
          // Read after the server stopped: the file store does not write atomically.
          const store = fileStore(dataDir);
          const states = await Promise.all(conversations().map((c) => store.get(c)));
          return states.filter((s) => s !== undefined).map((s) => Buffer.byteLength(JSON.stringify(s)));
        },
        stop: () => stop(proc),
      };
    },
  };
}

function bareBolt(apiUrl: string): Target {
  return {
    name: 'bare Bolt echo',
    floor: true,
    async start() {
      const port = await freePort();
      const proc = child(['--import', 'tsx', resolve('bench/load/bare-bolt.ts')], {
        PORT: String(port),
        SLACK_BOT_TOKEN: BOT_TOKEN,
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_API_URL: apiUrl,
      });
      await waitFor(proc, /"port"/);
      return { url: `http://127.0.0.1:${port}`, rss: () => rssOf(proc.pid), stop: () => stop(proc) };
    },
  };
}

// ---- load --------------------------------------------------------------------------------------

let sequence = 0;
/** One signed `message.im` event; conversations and users rotate, so state builds up as in real use. */
function signedEvent(path: string): autocannon.Request {
  return {
    method: 'POST',
    path,
    setupRequest(request) {
      const i = sequence++;
      const turn = i % TURNS_PER_CONVERSATION;
      const conversation = Math.floor(i / TURNS_PER_CONVERSATION);
      const ts = (1_800_000_000 + i / 1000).toFixed(6);
      const body = JSON.stringify({
        token: 'unused',
        team_id: 'T0001',
        api_app_id: 'A0001',
        type: 'event_callback',
        event_id: `EvLOAD${process.pid}x${i}`,
        event_time: Math.floor(Date.now() / 1000),
        event: {
          type: 'message',
          channel_type: 'im',
          channel: `D0LOAD${conversation}`,
          user: `ULOAD${conversation % USERS}`,
          text: turn === 0 ? OPENINGS[conversation % OPENINGS.length] : ANSWERS[turn - 1],
          ts,
          event_ts: ts,
        },
      });
      const timestamp = Math.floor(Date.now() / 1000);
      const signature = createHmac('sha256', SIGNING_SECRET).update(`v0:${timestamp}:${body}`).digest('hex');
      return {
        ...request,
        body,
        headers: {
          'content-type': 'application/json',
          'x-slack-request-timestamp': String(timestamp),
          'x-slack-signature': `v0=${signature}`,
        },
      };
    },
  };
}

interface Level {
  rate: number | 'max';
  p50: number;
  p99: number;
  /** The server's own p99 (its histogram: from the request's arrival to the ack sent), as a bucket bound. */
  serverP99: number | null;
  /** Acknowledged (2xx) per second: refusals while busy (503) do not count. */
  rps: number;
  sent: number;
  errors: number;
  rss: number | null;
}

/** Cumulative bucket counts of the server's ack histogram for 200s on /slack/events (ms bound -> count). */
async function ackBuckets(target: Running): Promise<Map<number, number> | null> {
  if (!target.finished) return null;
  const text = await (await fetch(`${target.url}/metrics`)).text();
  const buckets = new Map<number, number>();
  const pattern =
    /^triage_http_request_duration_seconds_bucket\{le="([^"]+)",route="\/slack\/events",method="POST",status="200"\} (\d+)$/gm;
  for (const m of text.matchAll(pattern)) buckets.set(m[1] === '+Inf' ? Infinity : Number(m[1]) * 1000, Number(m[2]));
  return buckets;
}

function p99Between(before: Map<number, number> | null, after: Map<number, number> | null): number | null {
  if (!before || !after) return null;
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const total = (after.get(Infinity) ?? 0) - (before.get(Infinity) ?? 0);
  if (total === 0) return null;
  return bounds.find((b) => (after.get(b) ?? 0) - (before.get(b) ?? 0) >= 0.99 * total) ?? null;
}

async function level(target: Running, rate: number | 'max'): Promise<Level> {
  const before = await ackBuckets(target);
  const result = await autocannon({
    url: target.url,
    connections: rate === 'max' ? 50 : Math.max(4, Math.ceil((rate as number) / 20)),
    duration: seconds,
    ...(rate === 'max' ? {} : { overallRate: rate }),
    requests: [signedEvent('/slack/events')],
  });
  const errors = result.errors + result.timeouts + result.non2xx;
  return {
    rate,
    p50: result.latency.p50,
    p99: result.latency.p99,
    serverP99: p99Between(before, await ackBuckets(target)),
    rps: (result.requests.total - errors) / seconds,
    sent: result.requests.total,
    errors,
    rss: await target.rss(),
  };
}

/** Wait until the server has worked through every event it acknowledged (its turns run after the ack). */
async function drained(target: Running, expected: number): Promise<number> {
  if (!target.finished) return 0;
  const start = performance.now();
  let done = await target.finished();
  while (done < expected && performance.now() - start < 120_000) {
    await new Promise((r) => setTimeout(r, 200));
    done = await target.finished();
  }
  return performance.now() - start;
}

const mb = (bytes: number | null) => (bytes === null ? '?' : `${(bytes / 1024 / 1024).toFixed(0)} MB`);

// ---- run ---------------------------------------------------------------------------------------

console.log(
  `load bench: rates ${rates.join(', ')} req/s then max, ${seconds} s each, conversations of ${TURNS_PER_CONVERSATION} turns`,
);
const fakeProc = child(['--import', 'tsx', resolve('bench/load/fake-slack.ts'), String(USERS)], {});
const { apiUrl } = JSON.parse((await waitFor(fakeProc, /\{.*"apiUrl".*\}/))[0]) as { apiUrl: string };

// Start-up inside one process: building the core (classifier training) and `serve` until /healthz is ok.
{
  const started = performance.now();
  const core = createCore(loadConfig({ profile: 'academy' }));
  const trained = performance.now();
  const running = await serve({
    core,
    dataDir: mkdtempSync(join(tmpdir(), 'triage-start-')),
    port: 0,
    host: '127.0.0.1',
    env: { SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: apiUrl },
    log: appLogger('warn', new Writable({ write: (_c, _e, done) => done() })),
  });
  while (!(await healthy(running.url))) await new Promise((r) => setTimeout(r, 5));
  const ready = performance.now();
  console.log(
    `start-up (in process): core built in ${(trained - started).toFixed(0)} ms, serve to /healthz ok in ${(ready - trained).toFixed(0)} ms, total ${(ready - started).toFixed(0)} ms`,
  );
  await running.close();
}

const redis = !args.includes('--no-redis') && hasRedisServer() ? await startRedis() : null;
const targets: Target[] = [
  bareBolt(apiUrl),
  triageServer('triage (files)', apiUrl),
  ...(redis ? [triageServer('triage (Redis)', apiUrl, redis.url)] : []),
];

const results = new Map<string, Level[]>();
const stateBytes = new Map<string, number[]>();
for (const target of targets) {
  console.log(`\n${target.name}`);
  const running = await target.start();
  const levels: Level[] = [];
  let sent = 0;
  const baseline = (await running.finished?.()) ?? 0;
  // Warm up (JIT, connections), not counted.
  await autocannon({ url: running.url, connections: 4, amount: 200, requests: [signedEvent('/slack/events')] });
  sent += 200;
  for (const rate of [...rates, 'max' as const]) {
    const wait = await drained(running, baseline + sent);
    const l = await level(running, rate);
    sent += l.sent - l.errors;
    levels.push(l);
    console.log(
      `  ${String(rate).padStart(4)} req/s: ack p50 ${l.p50.toFixed(1)} ms, p99 ${l.p99.toFixed(1)} ms` +
        `${l.serverP99 !== null ? ` (server-side p99 <= ${l.serverP99} ms)` : ''}, ${l.rps.toFixed(0)} acks/s, ` +
        `errors/503 ${l.errors}, RSS ${mb(l.rss)}${wait > 300 ? ` (waited ${(wait / 1000).toFixed(1)} s for the backlog first)` : ''}`,
    );
  }
  if (running.finished) {
    const wait = await drained(running, baseline + sent);
    const max = levels.at(-1)!;
    // Turns run after their ack: the sustained rate is what the last level brought over the time to finish it.
    const sustained = (max.sent - max.errors) / (seconds + wait / 1000);
    console.log(
      `  every acknowledged event handled ${(wait / 1000).toFixed(1)} s after the last level ` +
        `(turns sustained ~${sustained.toFixed(0)}/s); RSS ${mb(await running.rss())}`,
    );
  }
  await running.stop();
  if (running.stateBytes) {
    const bytes = await running.stateBytes();
    stateBytes.set(target.name, bytes);
    if (bytes.length > 0) {
      const sorted = [...bytes].sort((a, b) => a - b);
      const mean = bytes.reduce((a, b) => a + b, 0) / bytes.length;
      console.log(
        `  state per conversation (${bytes.length}, up to ${TURNS_PER_CONVERSATION} turns each): mean ${mean.toFixed(0)} B, p50 ${sorted[Math.floor(sorted.length / 2)]} B, max ${sorted.at(-1)} B`,
      );
    }
  }
  results.set(target.name, levels);
}

const floor = targets.find((t) => t.floor);
const floorMax = floor ? results.get(floor.name)?.at(-1)?.rps : undefined;
console.log('\nsummary');
for (const target of targets) {
  const levels = results.get(target.name) ?? [];
  const at200 = levels.find((l) => l.rate === 200);
  const max = levels.at(-1);
  const ratio = floorMax && max ? ` = ${(max.rps / floorMax).toFixed(2)}x the bare app` : '';
  console.log(
    `  ${target.name}: ack p99 at 200 req/s ${at200 ? `${at200.p99.toFixed(1)} ms` : '-'}; max ${max?.rps.toFixed(0)} req/s${target.floor ? '' : ratio}`,
  );
}
await redis?.stop();
await stop(fakeProc);
