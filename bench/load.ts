// Load benchmark (not a test: prints figures, asserts nothing). Signed Slack events, then Teams
// activities, at rising rates against the real server (`triage serve` as a process, on loopback), with
// the embedded store and, when redis-server is installed, with Redis; the same load against a bare Bolt
// echo app and a bare botbuilder echo bot as the floors. Prints ack latency p50/p99, throughput, errors,
// RSS, state bytes per conversation, start-up time, and each server's throughput as a ratio of its floor.
//
// Usage: npm run bench:load [-- --quick] [-- --rates 50,100,200,400] [-- --seconds 5] [-- --no-redis]
//                           [-- --only slack|teams]
// Profile the server under load: BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" npm run bench:load
// (BENCH_SERVER_LOG=file keeps the server's output, e.g. with BENCH_SERVER_NODE_ARGS=--trace-gc).
//
// Each target is a `Target`: how to start it, and the `Platform` whose requests it takes (Slack: signed
// events to /slack/events; Teams: Bot Framework activities to /api/messages, unauthenticated as the
// server's local mode and the bare bot without an app id take them, replies going to a fake Bot Connector).
import { type ChildProcess, spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { createWriteStream, mkdtempSync } from 'node:fs';
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
import { BOT, TENANT } from '../test/teams/requests.ts';

const args = process.argv.slice(2);
const option = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const quick = args.includes('--quick');
const rates = (option('rates') ?? (quick ? '50,200' : '50,100,200,400')).split(',').map(Number);
const seconds = Number(option('seconds') ?? (quick ? 3 : 5));
const only = option('only');
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

/** What one platform sends: where, how one request is built, and how the server keys its conversations. */
interface Platform {
  name: 'Slack' | 'Teams';
  /** The `channel` label of the server's metrics. */
  channel: 'slack' | 'teams';
  route: string;
  request(): autocannon.Request;
  /** The store key of the n-th conversation the requests open. */
  conversation(n: number): string;
}

interface Target {
  name: string;
  platform: Platform;
  /** The floor the platform's other targets are compared with. */
  floor?: boolean;
  /**
   * Answers each request only once its reply is sent (the botbuilder samples' echo bot): its acks per
   * second are then its turns per second too, so the server's sustained turns compare with them as well.
   */
  repliesInline?: boolean;
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

/**
 * `triage serve` with the channel under test on: Slack with the fake Web API, or Teams in local mode
 * (no MicrosoftAppId, no Slack token) with the fake Bot Connector as the activities' serviceUrl.
 */
function triageServer(name: string, platform: Platform, channelEnv: NodeJS.ProcessEnv, redisUrl?: string): Target {
  return {
    name,
    platform,
    async start() {
      const dataDir = mkdtempSync(join(tmpdir(), 'triage-load-'));
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      const launch = async () => {
        const started = performance.now();
        // BENCH_SERVER_NODE_ARGS: Node options for the server alone (`--cpu-prof`, not allowed in NODE_OPTIONS).
        const nodeArgs = process.env.BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
        const proc = child(
          [...nodeArgs, resolve('bin/triage.js'), 'serve', '--host', '127.0.0.1', '--port', String(port)],
          {
            TRIAGE_DATA_DIR: dataDir,
            ...channelEnv,
            LOG_LEVEL: 'warn',
            // Take every event, as the bare app does, so throughput compares like with like (in production
            // the default 2000 refuses a burst's excess with 503 for Slack to redeliver; Teams has no such limit).
            MAX_WAITING_TURNS: '100000',
            ...(redisUrl ? { REDIS_URL: redisUrl } : { REDIS_URL: '' }),
          },
          dataDir,
        );
        // Nobody reads its log: drained, so a full pipe never blocks the server's writes (or kept in the
        // file BENCH_SERVER_LOG names, e.g. with BENCH_SERVER_NODE_ARGS=--trace-gc).
        const keep = process.env.BENCH_SERVER_LOG
          ? createWriteStream(process.env.BENCH_SERVER_LOG, { flags: 'a' })
          : null;
        for (const out of [proc.stdout, proc.stderr]) {
          if (keep) out?.pipe(keep, { end: false });
          else out?.resume();
        }
        while (!(await healthy(url))) {
          if (proc.exitCode !== null) throw new Error(`${name} exited at start`);
          await new Promise((r) => setTimeout(r, 10));
        }
        return { proc, ms: performance.now() - started };
      };
      // Started twice: the first start trains the classifier and saves it with the validated configuration
      // in the data folder; the restart is what every later start (a deploy, a crash, scaling out) costs.
      const first = await launch();
      await stop(first.proc);
      const { proc, ms } = await launch();
      console.log(
        `  ${name}: process start to /healthz ok in ${first.ms.toFixed(0)} ms the first time (training), ${ms.toFixed(0)} ms on restart`,
      );
      const metric = async (pattern: RegExp) => {
        const text = await (await fetch(`${url}/metrics`)).text();
        let sum = 0;
        for (const m of text.matchAll(pattern)) sum += Number(m[1]);
        return sum;
      };
      const conversations = () =>
        Array.from({ length: Math.ceil(sequence / TURNS_PER_CONVERSATION) }, (_, i) => platform.conversation(i));
      const finished = new RegExp(
        `^triage_deliveries_total\\{channel="${platform.channel}",outcome="(?:handled|duplicate|failed)"\\} (\\d+)$`,
        'gm',
      );
      return {
        url,
        rss: () => rssOf(proc.pid),
        finished: () => metric(finished),
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

function bareBolt(platform: Platform, apiUrl: string): Target {
  return {
    name: 'bare Bolt echo',
    platform,
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

function bareBotbuilder(platform: Platform): Target {
  return {
    name: 'bare botbuilder echo',
    platform,
    floor: true,
    repliesInline: true,
    async start() {
      const port = await freePort();
      const proc = child(['--import', 'tsx', resolve('bench/load/bare-botbuilder.ts')], { PORT: String(port) });
      await waitFor(proc, /"port"/);
      return { url: `http://127.0.0.1:${port}`, rss: () => rssOf(proc.pid), stop: () => stop(proc) };
    },
  };
}

// ---- load --------------------------------------------------------------------------------------

let sequence = 0;
/** The text of the request's turn in its conversation: a first message, then the answers. */
const textOf = (turn: number, conversation: number) =>
  turn === 0 ? OPENINGS[conversation % OPENINGS.length]! : ANSWERS[turn - 1]!;

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
          text: textOf(turn, conversation),
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

/**
 * One message in a personal chat, as Teams posts it: ids unique per request (the delivery log keys on
 * them), the same rotation of users and four-turn conversations as the Slack events. No token: the
 * server in local mode and the bare bot without an app id take activities unauthenticated.
 */
function teamsActivity(path: string, serviceUrl: string): autocannon.Request {
  return {
    method: 'POST',
    path,
    setupRequest(request) {
      const i = sequence++;
      const turn = i % TURNS_PER_CONVERSATION;
      const conversation = Math.floor(i / TURNS_PER_CONVERSATION);
      const user = conversation % USERS;
      const body = JSON.stringify({
        type: 'message',
        id: `LOAD${process.pid}x${i}`,
        timestamp: new Date().toISOString(),
        channelId: 'msteams',
        serviceUrl,
        from: { id: `29:1load${user}`, name: `Load Tester ${user}`, aadObjectId: `load-aad-${user}` },
        recipient: BOT,
        conversation: { id: `a:1load${conversation}`, conversationType: 'personal', tenantId: TENANT },
        text: textOf(turn, conversation),
        textFormat: 'plain',
        locale: 'nl-BE',
        channelData: { tenant: { id: TENANT } },
      });
      return { ...request, body, headers: { 'content-type': 'application/json' } };
    },
  };
}

interface Level {
  rate: number | 'max';
  p50: number;
  p99: number;
  /** The server's own p99 (its histogram: from the request's arrival to the ack sent), as a bucket bound. */
  serverP99: number | null;
  /** The server's event-loop delay during the level (p99 and max, ms): how long a request could wait to be read. */
  loop: { p99: number; max: number } | null;
  /** Acknowledged (2xx) per second: refusals while busy (503) do not count. */
  rps: number;
  sent: number;
  errors: number;
  rss: number | null;
}

/** Cumulative bucket counts of the server's ack histogram for 200s on the platform's route (ms bound -> count). */
async function ackBuckets(target: Running, route: string): Promise<Map<number, number> | null> {
  if (!target.finished) return null;
  const text = await (await fetch(`${target.url}/metrics`)).text();
  const buckets = new Map<number, number>();
  const pattern = new RegExp(
    `^triage_http_request_duration_seconds_bucket\\{le="([^"]+)",route="${route}",method="POST",status="200"\\} (\\d+)$`,
    'gm',
  );
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

/** The server's event-loop delay since the last scrape (prom-client resets its histogram at each). */
async function loopDelay(target: Running): Promise<{ p99: number; max: number } | null> {
  if (!target.finished) return null;
  const text = await (await fetch(`${target.url}/metrics`)).text();
  const read = (name: string) => Number(new RegExp(`^${name} ([0-9.e+-]+)$`, 'm').exec(text)?.[1] ?? Number.NaN) * 1000;
  return { p99: read('nodejs_eventloop_lag_p99_seconds'), max: read('nodejs_eventloop_lag_max_seconds') };
}

async function level(target: Running, platform: Platform, rate: number | 'max'): Promise<Level> {
  const before = await ackBuckets(target, platform.route);
  const result = await autocannon({
    url: target.url,
    connections: rate === 'max' ? 50 : Math.max(4, Math.ceil((rate as number) / 20)),
    duration: seconds,
    ...(rate === 'max' ? {} : { overallRate: rate }),
    requests: [platform.request()],
  });
  const errors = result.errors + result.timeouts + result.non2xx;
  // Read first: any scrape of /metrics restarts the delay histogram.
  const loop = await loopDelay(target);
  return {
    rate,
    p50: result.latency.p50,
    p99: result.latency.p99,
    serverP99: p99Between(before, await ackBuckets(target, platform.route)),
    loop,
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
const connectorProc = child(['--import', 'tsx', resolve('bench/load/fake-connector.ts'), String(USERS)], {});
const { url: serviceUrl } = JSON.parse((await waitFor(connectorProc, /\{"url".*\}/))[0]) as { url: string };
const slack: Platform = {
  name: 'Slack',
  channel: 'slack',
  route: '/slack/events',
  request: () => signedEvent('/slack/events'),
  conversation: (n) => `slack:D0LOAD${n}`,
};
const teams: Platform = {
  name: 'Teams',
  channel: 'teams',
  route: '/api/messages',
  request: () => teamsActivity('/api/messages', serviceUrl),
  conversation: (n) => `teams:a:1load${n}`,
};
const slackEnv = { SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: apiUrl };
// Slack off, Teams in local mode (no app id): only the channel under test takes requests.
const teamsEnv = { SLACK_BOT_TOKEN: '', MicrosoftAppId: '', TEAMS_LOCAL_MODE: '1' };

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
  ...(only && only !== 'slack'
    ? []
    : [
        bareBolt(slack, apiUrl),
        triageServer('triage Slack (files)', slack, slackEnv),
        ...(redis ? [triageServer('triage Slack (Redis)', slack, slackEnv, redis.url)] : []),
      ]),
  ...(only && only !== 'teams'
    ? []
    : [
        bareBotbuilder(teams),
        triageServer('triage Teams (files)', teams, teamsEnv),
        ...(redis ? [triageServer('triage Teams (Redis)', teams, teamsEnv, redis.url)] : []),
      ]),
];

const results = new Map<string, Level[]>();
const stateBytes = new Map<string, number[]>();
/** Turns per second each server kept up through the last level, its backlog included. */
const sustainedTurns = new Map<string, number>();
for (const target of targets) {
  console.log(`\n${target.name}`);
  const running = await target.start();
  const levels: Level[] = [];
  let sent = 0;
  const baseline = (await running.finished?.()) ?? 0;
  // Warm up (JIT, connections), not counted.
  await autocannon({ url: running.url, connections: 4, amount: 200, requests: [target.platform.request()] });
  sent += 200;
  for (const rate of [...rates, 'max' as const]) {
    const wait = await drained(running, baseline + sent);
    const l = await level(running, target.platform, rate);
    sent += l.sent - l.errors;
    levels.push(l);
    console.log(
      `  ${String(rate).padStart(4)} req/s: ack p50 ${l.p50.toFixed(1)} ms, p99 ${l.p99.toFixed(1)} ms` +
        `${l.serverP99 !== null ? ` (server-side p99 <= ${l.serverP99} ms)` : ''}` +
        `${l.loop ? `, event-loop delay p99 ${l.loop.p99.toFixed(0)} ms / max ${l.loop.max.toFixed(0)} ms (10 ms steps)` : ''}` +
        `, ${l.rps.toFixed(0)} acks/s, ` +
        `errors/503 ${l.errors}, RSS ${mb(l.rss)}${wait > 300 ? ` (waited ${(wait / 1000).toFixed(1)} s for the backlog first)` : ''}`,
    );
  }
  if (running.finished) {
    const wait = await drained(running, baseline + sent);
    const max = levels.at(-1)!;
    // Turns run after their ack: the sustained rate is what the last level brought over the time to finish it.
    const sustained = (max.sent - max.errors) / (seconds + wait / 1000);
    sustainedTurns.set(target.name, sustained);
    console.log(
      `  every acknowledged request handled ${(wait / 1000).toFixed(1)} s after the last level ` +
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

console.log('\nsummary');
for (const target of targets) {
  const levels = results.get(target.name) ?? [];
  const at200 = levels.find((l) => l.rate === 200);
  const max = levels.at(-1);
  // Each server against the floor of its own platform: Slack's the bare Bolt app, Teams' the bare bot.
  const floor = targets.find((t) => t.floor && t.platform === target.platform);
  const floorMax = floor ? results.get(floor.name)?.at(-1)?.rps : undefined;
  let ratio = '';
  if (!target.floor && floor && floorMax && max) {
    ratio = ` = ${(max.rps / floorMax).toFixed(2)}x the ${floor.name}`;
    // A floor that replies before it acks does its whole turn within that rate: compare turns with it too.
    const sustained = sustainedTurns.get(target.name);
    if (floor.repliesInline && sustained !== undefined)
      ratio += `; turns sustained ~${sustained.toFixed(0)}/s = ${(sustained / floorMax).toFixed(2)}x its echoes`;
  }
  console.log(
    `  ${target.name}: ack p99 at 200 req/s ${at200 ? `${at200.p99.toFixed(1)} ms` : '-'}; max ${max?.rps.toFixed(0)} acks/s${ratio}`,
  );
}
await redis?.stop();
await stop(fakeProc);
await stop(connectorProc);
