import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'libsql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileStore } from '../adapters/state/store.ts';
import { LocalTicketStore } from '../adapters/tickets/local/store.ts';
import { tempDir } from './helpers.ts';
import { FakeSlack } from './slack/fake-slack.ts';
import { BOT_TOKEN, buttonClick, directMessage, eventCallback, SIGNING_SECRET, sendSigned } from './slack/requests.ts';
import { type ServeProcess, startServe } from './state/serve-process.ts';

// kill -9 at random points of bursts of messages and of Send clicks, against a real `triage serve`
// process taking signed Slack requests; after each restart: nothing acknowledged is lost, nothing is
// done twice, and every person whose ticket was filed is told its number.

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const COMPLETE_INCIDENT =
  'Bij het openen van de leerlingenfiche van Mila Jacobs krijg ik de foutmelding "Geboortedatum ongeldig". Academie De Klankkast';
const ROUNDS = 5;
const CLICKS = 10;
const BURSTS = 10;
const BURST_SIZE = 3;

/** A seeded generator, so that a failing run can be replayed (the seed is printed). */
function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function until(what: string, test: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await test())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** What a request's sender saw: acknowledged (HTTP 200) or not (refused, or the connection died). */
async function sent(request: Promise<Response>): Promise<boolean> {
  try {
    const res = await request;
    await res.arrayBuffer().catch(() => {});
    return res.status === 200;
  } catch {
    return false;
  }
}

/** The inbox is empty and every delivered ticket's person was told (what a restart owes is paid). */
function settledIn(dataDir: string): boolean {
  const db = new Database(join(dataDir, 'triage.db'), { readonly: true });
  try {
    const inbox = (db.prepare('SELECT count(*) AS n FROM inbox').get() as { n: number }).n;
    const rows = db.prepare(`SELECT value FROM kv WHERE key >= 'outbox:' AND key < 'outbox;'`).all() as {
      value: string;
    }[];
    const untold = rows.filter((r) => !(JSON.parse(r.value) as { value: { notified: boolean } }).value.notified);
    return inbox === 0 && untold.length === 0;
  } finally {
    db.close();
  }
}

/** What is still owed, for a failure's message. */
function leftIn(dataDir: string): string {
  const db = new Database(join(dataDir, 'triage.db'), { readonly: true });
  try {
    const inbox = db.prepare('SELECT id FROM inbox').all();
    const rows = db.prepare(`SELECT key, value FROM kv WHERE key >= 'outbox:' AND key < 'outbox;'`).all() as {
      key: string;
      value: string;
    }[];
    const untold = rows
      .map((r) => ({ key: r.key, ...(JSON.parse(r.value) as { value: { state: string; notified: boolean } }).value }))
      .filter((e) => !e.notified)
      .map((e) => ({ key: e.key, state: e.state }));
    return JSON.stringify({ inbox, untold });
  } finally {
    db.close();
  }
}

describe('fault: kill -9 at random points of message bursts and Send clicks, then a restart', () => {
  const fake = new FakeSlack(BOT_TOKEN);
  const dataDir = tempDir();
  let server: ServeProcess | null = null;
  const env = () => ({
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: fake.apiUrl,
    // Teams off (its SDK would add seconds to every restart): Slack is the channel under test.
    MicrosoftAppType: 'off',
  });
  const endpoint = () => `${server!.url}/slack/events`;
  const event = (e: Record<string, unknown>) =>
    sendSigned(endpoint(), JSON.stringify(eventCallback(e)), 'application/json');

  beforeAll(async () => {
    await fake.start();
  });
  afterAll(async () => {
    await server?.stop();
    await fake.close();
  });

  it('loses no acknowledged message or click, files no ticket twice, tells every person their number', async () => {
    const seed = Number(process.env.CRASH_SEED ?? Date.now() % 1_000_000);
    const random = seeded(seed);
    const clicks: { channel: string; acked: boolean }[] = [];
    const bursts: { channel: string; texts: { text: string; acked: boolean }[] }[] = [];
    const kills: number[] = [];
    let restartMs = 0;
    // Each click's conversation files its own ticket (ask-once would offer the first one's instead).
    const config = join(tempDir(), 'crash.yaml');
    writeFileSync(config, `extends: ${join(ROOT, 'config', 'academy.yaml')}\nduplicates:\n  window_days: 0\n`);
    const start = () => startServe(dataDir, env(), { config });
    server = await start();
    for (let round = 0; round < ROUNDS; round++) {
      // Previews to click, each in a conversation of its own (prepared before the crash, not during).
      const previews: { channel: string; user: string; message: Record<string, unknown> }[] = [];
      for (let i = 0; i < CLICKS; i++) {
        const channel = `DCLICK${round}X${i}`;
        const user = `UC${round}X${i}`;
        fake.addUser(user, `Persoon ${round} ${i}`, `p${round}x${i}@klankkast.example`);
        expect((await event(directMessage(COMPLETE_INCIDENT, { channel, user }))).status).toBe(200);
        previews.push({ channel, user, message: {} });
      }
      for (const preview of previews) {
        await until(`the preview in ${preview.channel}`, () =>
          fake
            .posted({ channel: preview.channel })
            .some((m) => JSON.stringify(m.blocks ?? []).includes('"value":"send"')),
        ).catch((error: Error) => {
          const calls = fake.calls.filter((c) => JSON.stringify(c.args).includes(preview.channel));
          throw new Error(`${error.message}\n${JSON.stringify(calls).slice(0, 3000)}`);
        });
        preview.message = fake.posted({ channel: preview.channel }).at(-1)!;
      }
      // All at once: the clicks and the bursts, and the kill at a random moment among them.
      const requests: Promise<void>[] = [];
      for (let b = 0; b < BURSTS; b++) {
        const channel = `DBURST${round}X${b}`;
        const user = `UB${round}X${b}`;
        fake.addUser(user, `Melder ${round} ${b}`, `m${round}x${b}@lindenhof.example`);
        const burst = { channel, texts: [] as { text: string; acked: boolean }[] };
        bursts.push(burst);
        for (let m = 0; m < BURST_SIZE; m++) {
          const entry = { text: `Het rooster van klas ${round}${b} toont geen lessen, melding ${m + 1}`, acked: false };
          burst.texts.push(entry);
          requests.push(
            sent(event(directMessage(entry.text, { channel, user }))).then((ok) => {
              entry.acked = ok;
            }),
          );
        }
      }
      for (const preview of previews) {
        const record = { channel: preview.channel, acked: false };
        clicks.push(record);
        const body = buttonClick(preview.message, 'send', preview.user);
        requests.push(
          sent(sendSigned(endpoint(), body, 'application/x-www-form-urlencoded')).then((ok) => {
            record.acked = ok;
          }),
        );
      }
      const delay = Math.floor(random() * 1200);
      kills.push(delay);
      await new Promise((r) => setTimeout(r, delay));
      await server.kill9();
      await Promise.all(requests);
      const t0 = performance.now();
      server = await start();
      restartMs += performance.now() - t0;
      await until('the restarted server to handle what the crash left', () => settledIn(dataDir), 20_000).catch(
        (error: Error) => {
          throw new Error(`${error.message}: ${leftIn(dataDir)}\n${server?.output().slice(-4000)}`);
        },
      );
    }
    await server.stop();
    server = null;

    // Tickets: at most one per conversation; one for every acknowledged click; each person told its number.
    const tickets = await new LocalTicketStore(dataDir).list();
    const byConversation = new Map<string, string[]>();
    for (const t of tickets)
      byConversation.set(t.draft.conversation, [...(byConversation.get(t.draft.conversation) ?? []), t.id]);
    const duplicated = [...byConversation.values()].filter((ids) => ids.length > 1).length;
    const lost = clicks.filter((c) => c.acked && !byConversation.has(`slack:${c.channel}`)).length;
    const told = tickets.filter((t) => {
      const channel = t.draft.conversation.split(':')[1]!;
      return fake.posted({ channel }).some((m) => String(m.text ?? '').includes(t.id));
    }).length;
    const toldTwice = tickets.filter((t) => {
      const channel = t.draft.conversation.split(':')[1]!;
      return fake.posted({ channel }).filter((m) => String(m.text ?? '').includes(t.id)).length > 1;
    }).length;

    // Bursts: every acknowledged message is in its conversation once; none twice.
    const store = fileStore(dataDir);
    let lostMessages = 0;
    const lostDetail: unknown[] = [];
    let doubled = 0;
    let acked = 0;
    for (const burst of bursts) {
      const state = await store.get(`slack:${burst.channel}`);
      // What the person said: in the conversation now, or gone with a ticket it filed (a new request starts
      // its own transcript).
      const filed = tickets.filter((t) => t.draft.conversation === `slack:${burst.channel}`);
      const sources = [...filed.map((t) => t.draft.transcript), state?.transcript ?? []].map((lines) =>
        lines.filter((l) => l.from === 'user').map((l) => l.text),
      );
      const said = sources.flat();
      for (const { text, acked: ok } of burst.texts) {
        const times = Math.max(0, ...sources.map((lines) => lines.filter((s) => s === text).length));
        if (ok) acked++;
        if (ok && times === 0) {
          lostMessages++;
          lostDetail.push({ text, said, phase: state?.phase });
        }
        if (times > 1) doubled++;
      }
    }
    await store.close();

    // No damaged file: the database checks whole, and no file of the data folder is empty.
    const db = new Database(join(dataDir, 'triage.db'), { readonly: true });
    const integrity = (db.prepare('PRAGMA integrity_check').get() as { integrity_check: string }).integrity_check;
    db.close();
    const empty = readdirSync(dataDir, { recursive: true })
      .map((f) => join(dataDir, String(f)))
      // (A write cut short leaves its temporary file beside the target, never read: not counted.)
      .filter((f) => statSync(f).isFile() && statSync(f).size === 0 && !/(-shm|-wal|\.tmp)$/.test(f));

    const figures = {
      seed,
      kills_ms: kills,
      clicks: clicks.length,
      clicks_acked: clicks.filter((c) => c.acked).length,
      tickets: tickets.length,
      tickets_lost: lost,
      tickets_duplicated: duplicated,
      people_told: told,
      told_twice: toldTwice,
      messages: bursts.length * BURST_SIZE,
      messages_acked: acked,
      messages_lost: lostMessages,
      messages_doubled: doubled,
      restart_ms_mean: Math.round(restartMs / ROUNDS),
      integrity,
    };
    const untold = tickets.filter((t) => {
      const channel = t.draft.conversation.split(':')[1]!;
      return !fake.posted({ channel }).some((m) => String(m.text ?? '').includes(t.id));
    });
    for (const t of untold) {
      const channel = t.draft.conversation.split(':')[1]!;
      process.stdout.write(
        `untold ${t.id} ${t.draft.conversation} ${t.draft.label}: ${JSON.stringify(fake.posted({ channel }).map((m) => m.text))}\n`,
      );
    }
    if (lostDetail.length) process.stdout.write(`lost: ${JSON.stringify(lostDetail)}\n`);
    process.stdout.write(`crash figures: ${JSON.stringify(figures)}\n`);
    expect({ lost, duplicated, lostMessages, doubled, integrity, empty }).toEqual({
      lost: 0,
      duplicated: 0,
      lostMessages: 0,
      doubled: 0,
      integrity: 'ok',
      empty: [],
    });
    expect(told).toBe(tickets.length);
    expect(tickets.length).toBeGreaterThanOrEqual(clicks.filter((c) => c.acked).length);
  }, 120_000);
});
