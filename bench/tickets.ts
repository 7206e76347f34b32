/**
 * Fault figures for ticket delivery: every adapter against its loopback helpdesk under injected
 * faults, counting tickets, faults, lost and duplicated. `npm run bench:tickets`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fileOutbox, memoryOutbox } from '../adapters/tickets/outbox/outbox.ts';
import { DEFAULT_POLICY, DeliveryWorker, type RetryPolicy } from '../adapters/tickets/outbox/worker.ts';
import { externalRef } from '../adapters/tickets/sink.ts';
import { FakeFreshdesk } from '../test/fakes/freshdesk.ts';
import { draftFor, FIXTURES, freshdeskFixture, type SinkFixture } from '../test/tickets/fixtures.ts';

const POLICY: RetryPolicy = {
  ...DEFAULT_POLICY,
  maxAttempts: 30,
  firstDelayMs: 1000,
  maxDelayMs: 30_000,
  leaseMs: 5000,
};

interface Row {
  scenario: string;
  adapter: string;
  tickets: number;
  faults: number;
  lost: number;
  duplicated: number;
  note: string;
}

function clock() {
  let now = Date.parse('2026-11-24T09:00:00Z');
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

async function drain(worker: DeliveryWorker, c: ReturnType<typeof clock>, each?: (round: number) => void) {
  for (let round = 0; round < 500; round++) {
    each?.(round);
    await worker.runDue();
    const open = (await worker.outbox.all()).filter((e) => e.state === 'pending' || e.state === 'delivering');
    if (open.length === 0) return;
    c.advance(Math.max(1, Math.min(...open.map((e) => e.nextAttemptAt)) - c.now()));
  }
}

async function count(fx: SinkFixture, keys: string[]) {
  let lost = 0;
  let duplicated = 0;
  let merged = 0;
  for (const key of keys) {
    const copies = await fx.received(key);
    const identities = new Set(copies.map((x) => x.identity));
    if (copies.length === 0) lost++;
    if (identities.size > 1) duplicated += identities.size - 1;
    else if (copies.length > 1) merged += copies.length - 1;
  }
  return { lost, duplicated, merged };
}

/** Down for a while (every request fails), answers lost now and then, then back. */
async function downThenBack(name: string, n: number): Promise<Row> {
  const fx = await FIXTURES[name]!();
  try {
    const c = clock();
    const worker = new DeliveryWorker(memoryOutbox(), fx.sink, { policy: POLICY, clock: c.now });
    const keys = Array.from({ length: n }, (_, i) => `bench${i}#1`);
    for (const key of keys) await worker.outbox.put(await draftFor(fx.blobs, key), fx.sink.name, c.now());
    const before = fx.calls();
    fx.down!();
    let lostAnswers = 0;
    await drain(worker, c, (round) => {
      if (round === 5) fx.up!();
      if (round >= 5 && round % 3 === 0 && fx.loseNextAnswer) {
        fx.loseNextAnswer();
        lostAnswers++;
      }
    });
    const calls = fx.calls() - before;
    const entries = await worker.outbox.all();
    const failedAttempts = entries.reduce((s, e) => s + e.attempts - 1, 0);
    const r = await count(fx, keys);
    const dead = entries.filter((e) => e.state !== 'done').length;
    return {
      scenario: 'down, then back',
      adapter: name,
      tickets: n,
      faults: failedAttempts,
      lost: r.lost + dead,
      duplicated: r.duplicated,
      note: `${calls} calls; ${lostAnswers} answers lost after acceptance${r.merged ? `; ${r.merged} repeat mail(s) with the same Message-ID` : ''}`,
    };
  } finally {
    await fx.close();
  }
}

async function storm(n: number): Promise<Row> {
  const fx = await freshdeskFixture();
  try {
    const c = clock();
    const worker = new DeliveryWorker(memoryOutbox(), fx.sink, { policy: POLICY, clock: c.now });
    const keys = Array.from({ length: n }, (_, i) => `storm${i}#1`);
    for (const key of keys) await worker.outbox.put(await draftFor(fx.blobs, key), 'freshdesk', c.now());
    const faults = n * 3;
    fx.fail!('rate_limited', faults); // 429, Retry-After: 7
    let early = 0;
    const original = worker.outbox.update.bind(worker.outbox);
    // Every claim must come at or after the time the last failure set.
    worker.outbox.update = (key, change, now) =>
      original(
        key,
        (e) => {
          const next = change(e);
          if (next?.state === 'delivering' && e.state === 'pending' && now < e.nextAttemptAt) early++;
          return next;
        },
        now,
      );
    await drain(worker, c);
    const r = await count(fx, keys);
    return {
      scenario: '429 storm (Retry-After 7 s)',
      adapter: 'freshdesk',
      tickets: n,
      faults,
      lost: r.lost,
      duplicated: r.duplicated,
      note: `${early} attempts before Retry-After`,
    };
  } finally {
    await fx.close();
  }
}

async function permanent(n: number): Promise<Row> {
  const fx = await freshdeskFixture();
  try {
    const c = clock();
    const worker = new DeliveryWorker(memoryOutbox(), fx.sink, { policy: POLICY, clock: c.now });
    const keys = Array.from({ length: n }, (_, i) => `perm${i}#1`);
    for (const key of keys) await worker.outbox.put(await draftFor(fx.blobs, key), 'freshdesk', c.now());
    const refused = Math.ceil(n / 4);
    fx.fail!('rejected', refused);
    await drain(worker, c);
    const dead = (await worker.outbox.dead()).length;
    const r = await count(fx, keys);
    return {
      scenario: 'permanent 400',
      adapter: 'freshdesk',
      tickets: n,
      faults: refused,
      lost: r.lost - dead,
      duplicated: r.duplicated,
      note: `${dead} dead letters with the reason, none retried (lost counts tickets neither filed nor dead-lettered)`,
    };
  } finally {
    await fx.close();
  }
}

const CHILD = fileURLToPath(new URL('../test/tickets/crash-child.ts', import.meta.url));

async function kills(n: number, times: number): Promise<Row> {
  const fake = new FakeFreshdesk();
  await fake.http.start();
  const dataDir = mkdtempSync(join(tmpdir(), 'triage-bench-'));
  const env = {
    ...process.env,
    DOTENV_CONFIG_QUIET: 'true',
    DATA_DIR: dataDir,
    FRESHDESK_URL: fake.http.url,
    FRESHDESK_API_KEY: fake.apiKey,
    COUNT: String(n),
    LEASE_MS: '200',
  };
  const run = (mode: string) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD], { env: { ...env, MODE: mode }, stdio: 'ignore' });
    return { child, exit: new Promise<string | null>((resolve) => child.on('exit', (_c, signal) => resolve(signal))) };
  };
  try {
    let killed = 0;
    let current: { child: ChildProcess; exit: Promise<string | null> } = run('start');
    for (let k = 1; k <= times; k++) {
      const target = Math.floor((n * k) / (times + 1));
      fake.http.beforeAnswer = async (req) => {
        if (
          req.method === 'POST' &&
          fake.tickets.length >= target &&
          current.child.exitCode === null &&
          current.child.signalCode === null
        ) {
          current.child.kill('SIGKILL');
          await current.exit;
        }
      };
      if ((await current.exit) === 'SIGKILL') killed++;
      fake.http.beforeAnswer = null;
      current = run('resume');
    }
    await current.exit;
    const entries = await fileOutbox(dataDir).all();
    const refs = entries.map((e) => externalRef(e.key));
    const copies = refs.map((ref) => fake.tickets.filter((t) => t.tags.includes(ref)).length);
    return {
      scenario: 'SIGKILL mid-delivery, restart',
      adapter: 'freshdesk',
      tickets: n,
      faults: killed,
      lost: n - entries.filter((e) => e.state === 'done').length + copies.filter((x) => x === 0).length,
      duplicated: copies.reduce((s, x) => s + Math.max(0, x - 1), 0),
      note: `${killed} kills, each while Freshdesk held an accepted ticket's answer`,
    };
  } finally {
    await fake.http.stop();
  }
}

const rows: Row[] = [];
for (const name of ['email', 'webhook', 'freshdesk', 'jira', 'topdesk']) rows.push(await downThenBack(name, 50));
rows.push(await storm(20));
rows.push(await permanent(20));
rows.push(await kills(30, 3));

const header = ['scenario', 'adapter', 'tickets', 'faults', 'lost', 'duplicated', 'note'] as const;
process.stdout.write(`| ${header.join(' | ')} |\n|${header.map(() => ' --- ').join('|')}|\n`);
for (const r of rows) process.stdout.write(`| ${header.map((h) => String(r[h])).join(' | ')} |\n`);
const total = rows.reduce(
  (s, r) => ({ t: s.t + r.tickets, f: s.f + r.faults, l: s.l + r.lost, d: s.d + r.duplicated }),
  { t: 0, f: 0, l: 0, d: 0 },
);
process.stdout.write(
  `\nin all: ${total.t} tickets, ${total.f} faults injected, ${total.l} lost, ${total.d} duplicated\n`,
);
