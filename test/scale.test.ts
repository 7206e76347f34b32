import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Handoff } from '../adapters/state/handoffs.ts';
import { connectRedis, type RedisState } from '../adapters/state/redis.ts';
import { LocalTicketStore } from '../adapters/tickets/local/store.ts';
import type { ConversationState } from '../core/types.ts';
import { tempDir } from './helpers.ts';
import { redisTestsRun, startRedis } from './scale/redis-server.ts';
import { eventId, FakeSlack } from './slack/fake-slack.ts';
import { BOT_TOKEN, directMessage, eventCallback, SIGNING_SECRET, sendSigned } from './slack/requests.ts';

// Scale-out: a real redis-server on loopback, and the bot as real processes (`triage serve`) sharing it.

const available = redisTestsRun();

const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4]);
const COMPLETE_INCIDENT =
  'Bij het openen van de leerlingenfiche van Mila Jacobs krijg ik de foutmelding "Geboortedatum ongeldig". Academie De Klankkast';

describe.skipIf(!available)('scale-out on Redis', () => {
  let redis: Awaited<ReturnType<typeof startRedis>>;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  /** Two connections stand for two processes. */
  async function twoConnections(): Promise<[RedisState, RedisState]> {
    return Promise.all([connectRedis(redis.url, { maxReconnects: 0 }), connectRedis(redis.url, { maxReconnects: 0 })]);
  }

  it('claims a delivery once across processes, lets a lapsed claim be retried, forgets a released one', async () => {
    const [a, b] = await twoConnections();
    try {
      const claims = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).deliveries.claim('ev1')));
      expect(claims.filter(Boolean)).toHaveLength(1);
      await a.deliveries.done('ev1');
      expect(await b.deliveries.claim('ev1')).toBe(false);
      expect(await a.deliveries.claim('ev2')).toBe(true);
      await a.deliveries.release('ev2');
      expect(await b.deliveries.claim('ev2')).toBe(true);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('runs work on one name alone across processes, and keeps conversations with an expiry', async () => {
    const [a, b] = await twoConnections();
    try {
      const trace: string[] = [];
      const work = (who: string) => async () => {
        trace.push(`${who}+`);
        await new Promise((r) => setTimeout(r, 20));
        trace.push(`${who}-`);
      };
      await Promise.all([
        a.lock.run('conv:x', work('a1')),
        b.lock.run('conv:x', work('b1')),
        a.lock.run('conv:x', work('a2')),
      ]);
      // Never two at once: every start is followed by its own end.
      for (let i = 0; i < trace.length; i += 2) expect(trace[i]!.slice(0, -1)).toBe(trace[i + 1]!.slice(0, -1));

      const state = { version: 1, conversation: 'slack:D1', transcript: [] } as unknown as ConversationState;
      await a.store.set('slack:D1', state, 60_000);
      expect(await b.store.get('slack:D1')).toEqual(state);
      const ttl = await a.client.pTTL('triage:conv::slack:D1');
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(60_000);
      expect(await a.stateBytes('slack:D1')).toBeGreaterThan(0);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it("shares the agent desk's book: every open listed, one of two agents claiming at once wins, the desk reminded once", async () => {
    const [a, b] = await twoConnections();
    const opened = new Date('2026-11-24T09:00:00Z');
    const handoff = (n: number): Handoff => ({
      conversation: `slack:DBOOK${n}`,
      ticket: `HD-00000${n}`,
      card: `slack:C0DESK:170000000${n}.000100`,
      requester: { id: `U${n}` },
      openedAt: opened.toISOString(),
    });
    try {
      // Six handoffs opened at once, three on each process: none lost from the open list.
      await Promise.all([1, 2, 3, 4, 5, 6].map((n) => (n % 2 ? a : b).handoffs.open(handoff(n))));
      expect((await b.handoffs.current()).map((h) => h.conversation).sort()).toEqual(
        [1, 2, 3, 4, 5, 6].map((n) => `slack:DBOOK${n}`),
      );
      expect((await a.handoffs.byCard(handoff(4).card))?.conversation).toBe('slack:DBOOK4');

      // Agents click Claim on both processes at the same moment: one claim is stored, the others refused.
      const claims = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          (i % 2 ? a : b).handoffs.update('slack:DBOOK1', (h) =>
            h.agent ? null : { ...h, agent: { id: `UAGENT${i}` }, claimedAt: opened.toISOString() },
          ),
        ),
      );
      const won = claims.filter((c) => c !== null);
      expect(won).toHaveLength(1);
      expect((await a.handoffs.get('slack:DBOOK1'))?.agent).toEqual(won[0]?.agent);

      // Both processes' reminder rounds at once: each unclaimed card is due once, in total.
      const later = new Date(opened.getTime() + 11 * 60_000);
      const rounds = await Promise.all([
        a.handoffs.dueForReminder('slack:', later, 10),
        b.handoffs.dueForReminder('slack:', later, 10),
        a.handoffs.dueForReminder('slack:', later, 10),
      ]);
      const reminded = rounds.flat().map((d) => d.handoff.conversation);
      expect(reminded.sort()).toEqual([2, 3, 4, 5, 6].map((n) => `slack:DBOOK${n}`));
      expect(await b.handoffs.dueForReminder('slack:', new Date(later.getTime() + 60 * 60_000), 10)).toEqual([]);
      // Ended on one process: gone from the open list for the other.
      await b.handoffs.update('slack:DBOOK2', (h) => ({ ...h, ended: { how: 'resolved', by: { id: 'UX' }, at: '' } }));
      expect((await a.handoffs.current()).map((h) => h.conversation)).not.toContain('slack:DBOOK2');
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it("shares the closing rule's list between processes, and keeps it for the next process started", async () => {
    const [a, b] = await twoConnections();
    try {
      await Promise.all([a.waiting.add('slack:DWAIT1'), b.waiting.add('slack:DWAIT2'), b.waiting.add('slack:DWAIT1')]);
      expect((await a.waiting.list()).sort()).toEqual(['slack:DWAIT1', 'slack:DWAIT2']);
      await a.waiting.remove('slack:DWAIT2');
      expect(await b.waiting.list()).toEqual(['slack:DWAIT1']);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
    const restarted = await connectRedis(redis.url, { maxReconnects: 0 });
    try {
      expect(await restarted.waiting.list()).toEqual(['slack:DWAIT1']);
      await restarted.waiting.remove('slack:DWAIT1');
    } finally {
      await restarted.close();
    }
  });

  describe('two `triage serve` processes behind one Slack app', () => {
    const fake = new FakeSlack(BOT_TOKEN);
    const dataDir = tempDir();
    const servers: { child: ChildProcess; url: string }[] = [];
    let state: RedisState;

    beforeAll(async () => {
      await fake.start();
      fake.addUser('USOFIE', 'Sofie Peeters', 'sofie.peeters@klankkast.example');
      const env = {
        ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(SLACK_|PORT$|REDIS_URL$)/.test(k))),
        TRIAGE_DATA_DIR: dataDir,
        REDIS_URL: redis.url,
        SLACK_BOT_TOKEN: BOT_TOKEN,
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_API_URL: fake.apiUrl,
        LOG_LEVEL: 'warn',
      };
      servers.push(...(await Promise.all([start(env), start(env)])));
      state = await connectRedis(redis.url, { maxReconnects: 0 });
    }, 60_000);
    afterAll(async () => {
      await Promise.all(servers.map((s) => stop(s.child)));
      await state?.close();
      await fake.close();
    });

    const [first, second] = [() => servers[0]!, () => servers[1]!];
    const send = (server: { url: string }, event: Record<string, unknown>, id = eventId()) =>
      sendSigned(`${server.url}/slack/events`, JSON.stringify(eventCallback(event, id)), 'application/json');

    /** Deliveries both processes finished with (handled, or recognised as a copy). */
    async function deliveriesDone(): Promise<number> {
      let sum = 0;
      for (const server of servers) {
        const text = await (await fetch(`${server.url}/metrics`)).text();
        for (const m of text.matchAll(/^triage_deliveries_total\{[^}]*\} (\d+)$/gm)) sum += Number(m[1]);
      }
      return sum;
    }
    async function until(test: () => Promise<boolean>, what: string): Promise<void> {
      const deadline = Date.now() + 15_000;
      while (!(await test())) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }

    it('report Redis as their store on /healthz', async () => {
      for (const server of servers) {
        const health = await (await fetch(`${server.url}/healthz`)).json();
        expect(health).toMatchObject({ status: 'ok', store: { state: 'ok', kind: 'redis' } });
      }
    });

    it('a conversation alternating between them goes on as on one; a double delivery to both: one answer, one ticket', async () => {
      const before = await deliveriesDone();
      const file = fake.addFile('scherm.png', 'image/png', PNG);
      expect(
        (await send(first(), directMessage(COMPLETE_INCIDENT, { channel: 'D0SCALE', files: [file] }))).status,
      ).toBe(200);
      await until(async () => (await deliveriesDone()) === before + 1, 'the first turn');
      const preview = fake.posted({ channel: 'D0SCALE' });
      expect(preview).toHaveLength(1);
      expect(JSON.stringify(preview[0]?.blocks)).toContain('"value":"send"');

      // The person says "send"; Slack delivers it twice, once to each process, at the same moment.
      const id = eventId();
      const sendIt = directMessage('verstuur', { channel: 'D0SCALE' });
      const acks = await Promise.all([send(second(), sendIt, id), send(first(), sendIt, id)]);
      expect(acks.map((r) => r.status)).toEqual([200, 200]);
      await until(async () => (await deliveriesDone()) === before + 3, 'both copies');
      const answers = fake.posted({ channel: 'D0SCALE' }).slice(1);
      expect(answers).toHaveLength(1);
      expect(answers[0]?.text).toMatch(/HD-000001/);
      const tickets = await new LocalTicketStore(dataDir).list();
      expect(tickets).toHaveLength(1);
      expect(tickets[0]?.draft.attachments[0]).toMatchObject({ name: 'scherm.png' });
      // The ticket left the shared outbox once, as delivered.
      const outbox = await state.outbox.all();
      expect(outbox.map((e) => e.state)).toEqual(['done']);
    });

    it('two messages of one conversation at once on the two processes are taken one after the other', async () => {
      const before = await deliveriesDone();
      const texts = ['Het programma crasht telkens bij het opslaan van de evaluaties.', 'Academie De Klankkast'];
      await Promise.all([
        send(first(), directMessage(texts[0]!, { channel: 'D0BOTH' })),
        send(second(), directMessage(texts[1]!, { channel: 'D0BOTH' })),
      ]);
      await until(async () => (await deliveriesDone()) === before + 2, 'both turns');
      const stored = await state.store.get('slack:D0BOTH');
      const said = stored?.transcript.filter((m) => m.from === 'user').map((m) => m.text);
      // Interleaved turns would both start from an empty conversation and one would overwrite the other.
      expect(said?.sort()).toEqual([...texts].sort());
      expect(stored?.requests).toBe(1);
    });

    it('report the store down (503) on /healthz when Redis goes away, so the balancer stops sending them work', async () => {
      await redis.stop();
      for (const server of servers) {
        const res = await fetch(`${server.url}/healthz`);
        expect(res.status).toBe(503);
        expect(await res.json()).toMatchObject({ status: 'down', store: { state: 'down', kind: 'redis' } });
      }
    });
  });
});

async function start(env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [resolve('bin/triage.js'), 'serve', '--host', '127.0.0.1', '--port', '0'], {
    cwd: tempDir(),
    env,
  });
  let stderr = '';
  const port = await new Promise<string>((done, fail) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += String(chunk);
      const found = /listening on port (\d+) \(/.exec(stderr)?.[1];
      if (found) done(found);
    });
    child.once('exit', () => fail(new Error(`serve exited: ${stderr}`)));
  });
  return { child, url: `http://127.0.0.1:${port}` };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((done) => child.once('exit', done));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
