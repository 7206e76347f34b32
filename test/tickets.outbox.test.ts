import { describe, expect, it } from 'vitest';
import { memoryStore } from '../adapters/state/store.ts';
import { LocalTicketStore } from '../adapters/tickets/local/store.ts';
import { fileOutbox, memoryOutbox } from '../adapters/tickets/outbox/outbox.ts';
import { backoffMs, DEFAULT_POLICY, DeliveryWorker, type RetryPolicy } from '../adapters/tickets/outbox/worker.ts';
import type { TicketSink } from '../adapters/tickets/sink.ts';
import { type Notifier, TriageService } from '../bots/runtime/service.ts';
import type { FiledTicket, Reply, TicketDraft } from '../core/types.ts';
import { OPEN_HOURS, shippedCore, tempDir } from './helpers.ts';
import { draftFor, emailFixture, FIXTURES, freshdeskFixture, type SinkFixture } from './tickets/fixtures.ts';

/** Short, fixed delays: tests move an injected clock instead of waiting. */
const POLICY: RetryPolicy = { ...DEFAULT_POLICY, maxAttempts: 8, firstDelayMs: 1000, maxDelayMs: 8000, leaseMs: 5000 };

function manualClock(start = OPEN_HOURS.getTime()) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

/** Run the worker, moving the clock to each next attempt, until nothing is pending (or `rounds` runs out). */
async function drain(
  worker: DeliveryWorker,
  clock: ReturnType<typeof manualClock>,
  rounds = 50,
  each?: (round: number) => void,
) {
  for (let round = 0; round < rounds; round++) {
    each?.(round);
    await worker.runDue();
    const open = (await worker.outbox.all()).filter((e) => e.state === 'pending' || e.state === 'delivering');
    if (open.length === 0) return round;
    clock.advance(Math.max(1, Math.min(...open.map((e) => e.nextAttemptAt)) - clock.now()));
  }
  return rounds;
}

describe('retry policy', () => {
  it('doubles with jitter up to the ceiling, and never comes back before Retry-After', () => {
    expect(backoffMs(POLICY, 1, 0)).toBe(500);
    expect(backoffMs(POLICY, 1, 0.999)).toBeCloseTo(999.5);
    expect(backoffMs(POLICY, 3, 0)).toBe(2000);
    expect(backoffMs(POLICY, 10, 1)).toBe(8000);
    expect(backoffMs(POLICY, 1, 0, 7000)).toBe(7000);
    expect(backoffMs(POLICY, 1, 0, 10 * 24 * 3600_000)).toBe(POLICY.maxRetryAfterMs);
  });
});

describe('durable outbox', () => {
  it('keeps entries across instances on disk; the same key registered twice is one entry', async () => {
    const dir = tempDir();
    const blobsDir = await freshdeskFixture();
    const draft = await draftFor(blobsDir.blobs, 'o1#1');
    await blobsDir.close();
    const first = fileOutbox(dir);
    expect((await first.put(draft, 'local', 1000)).created).toBe(true);
    expect((await first.put({ ...draft, title: 'changed' }, 'local', 2000)).created).toBe(false);
    const second = fileOutbox(dir);
    const all = await second.all();
    expect(all.map((e) => [e.key, e.state, e.draft.title])).toEqual([['o1#1', 'pending', draft.title]]);
  });
});

describe.each(Object.keys(FIXTURES).filter((n) => n !== 'local'))('fault: %s down for a while, then back', (name) => {
  it('every ticket arrives exactly once, none dead', async () => {
    const fx: SinkFixture = await FIXTURES[name]!();
    try {
      const clock = manualClock();
      const worker = new DeliveryWorker(memoryOutbox(), fx.sink, {
        policy: POLICY,
        clock: clock.now,
        random: () => 0.5,
      });
      const keys = Array.from({ length: 8 }, (_, i) => `down${i}#1`);
      for (const key of keys) await worker.outbox.put(await draftFor(fx.blobs, key), fx.sink.name, clock.now());
      fx.down!();
      const callsBefore = fx.calls();
      await drain(worker, clock, 4);
      const faults = fx.calls() - callsBefore;
      expect(faults).toBeGreaterThan(0);
      fx.up!();
      await drain(worker, clock);
      const entries = await worker.outbox.all();
      expect(entries.map((e) => e.state)).toEqual(keys.map(() => 'done'));
      for (const key of keys) {
        const copies = await fx.received(key);
        expect(new Set(copies.map((c) => c.identity)).size, key).toBe(1);
        if (fx.sink.dedupe !== 'none') expect(copies, key).toHaveLength(1);
      }
    } finally {
      await fx.close();
    }
  });
});

describe('fault: 429 storm', () => {
  it('waits as long as Retry-After says before each next attempt, then delivers once', async () => {
    const fx = await freshdeskFixture();
    try {
      const clock = manualClock();
      const worker = new DeliveryWorker(memoryOutbox(), fx.sink, { policy: POLICY, clock: clock.now, random: () => 0 });
      await worker.outbox.put(await draftFor(fx.blobs, 'storm#1'), 'freshdesk', clock.now());
      fx.fail!('rate_limited', 5); // each answer: 429, Retry-After: 7
      const early: number[] = [];
      for (let i = 0; i < 5; i++) {
        await worker.runDue();
        const entry = (await worker.outbox.get('storm#1'))!;
        expect(entry.state).toBe('pending');
        expect(entry.nextAttemptAt - clock.now()).toBeGreaterThanOrEqual(7000);
        const calls = fx.calls();
        clock.advance(6999);
        await worker.runDue();
        early.push(fx.calls() - calls);
        clock.advance(1);
      }
      expect(early).toEqual([0, 0, 0, 0, 0]);
      await worker.runDue();
      expect((await worker.outbox.get('storm#1'))?.state).toBe('done');
      expect(await fx.received('storm#1')).toHaveLength(1);
    } finally {
      await fx.close();
    }
  });
});

/** A sink that holds every create until the test lets it go: a slow helpdesk, deterministic. */
function gatedSink(inner: TicketSink) {
  const gates: (() => void)[] = [];
  const sink: TicketSink = {
    name: inner.name,
    dedupe: inner.dedupe,
    readsStatus: inner.readsStatus,
    async create(draft: TicketDraft): Promise<FiledTicket> {
      await new Promise<void>((resolve) => gates.push(resolve));
      return inner.create(draft);
    },
    addAttachments: (t, d) => inner.addAttachments(t, d),
    status: (t) => inner.status(t),
  };
  return {
    sink,
    release: () => {
      for (const g of gates.splice(0)) g();
    },
  };
}

function recorder(): Notifier & { sent: { conversation: string; replies: Reply[] }[] } {
  const sent: { conversation: string; replies: Reply[] }[] = [];
  return {
    sent,
    async notify(conversation, replies) {
      sent.push({ conversation, replies });
    },
  };
}

const INCIDENT =
  'Bij het openen van de leerlingenfiche van Mila Jacobs krijg ik de foutmelding "Geboortedatum ongeldig". Academie De Klankkast';

describe('the person hears what happened to the ticket', () => {
  it('slow helpdesk: "registered, the number follows", then the number as soon as it exists', async () => {
    const dir = tempDir();
    const { sink, release } = gatedSink(new LocalTicketStore(dir));
    const notifier = recorder();
    const worker = new DeliveryWorker(memoryOutbox(), sink, { policy: POLICY });
    const service = new TriageService(shippedCore(), memoryStore(), sink, () => OPEN_HOURS, undefined, {
      worker,
      notifier,
      waitMs: 20,
    });
    const r = await service.handleTurn({ conversation: 'slow', user: { id: 'u1' }, text: INCIDENT });
    expect(r.status).toBe('filed');
    expect(r.ticket).toBeNull();
    expect(r.queued).toEqual(['slow#1']);
    expect(r.replies.map((x) => x.text).join('\n')).toMatch(/geregistreerd.*ticketnummer volgt/s);
    expect(notifier.sent).toEqual([]);
    release();
    await worker.stop();
    await worker.settle();
    expect(notifier.sent).toHaveLength(1);
    expect(notifier.sent[0]?.conversation).toBe('slow');
    expect(notifier.sent[0]?.replies[0]?.text).toMatch(/Uw ticketnummer voor “.+” is HD-000001/);
    await worker.settle();
    expect(notifier.sent).toHaveLength(1);
  });

  it('a subject filed by the closing rule on a slow helpdesk: its number still reaches the person', async () => {
    const { sink, release } = gatedSink(new LocalTicketStore(tempDir()));
    const notifier = recorder();
    const worker = new DeliveryWorker(memoryOutbox(), sink, { policy: POLICY });
    const clock = { now: OPEN_HOURS };
    const service = new TriageService(shippedCore(), memoryStore(), sink, () => clock.now, undefined, {
      worker,
      notifier,
      waitMs: 20,
    });
    const turn = (text: string) => service.handleTurn({ conversation: 'split', user: { id: 'u1' }, text });
    await turn(
      'Graag een extra veld "instrument" in de leerlingenfiche. Los daarvan: het uurrooster van de pianoklas toont een foutmelding bij het openen.',
    );
    expect((await turn('Academie Lindenhof')).replies.map((r) => r.text).join()).toMatch(/Genoteerd/);
    clock.now = new Date(OPEN_HOURS.getTime() + 25 * 3_600_000);
    await service.tick('split');
    clock.now = new Date(OPEN_HOURS.getTime() + 15 * 24 * 3_600_000);
    const closed = (await service.tick('split')).map((r) => r.text).join('\n');
    expect(closed).toMatch(/laatste vraag afgesloten[\s\S]*ticketnummer volgt/);
    release();
    await worker.stop();
    await worker.settle();
    expect(notifier.sent.map((n) => n.replies.map((r) => r.text).join())).toEqual([expect.stringMatching(/HD-000001/)]);
  });

  it('permanent 4xx within the turn: dead letter with the reason, and the person told a colleague follows up', async () => {
    const fx = await freshdeskFixture();
    try {
      fx.fail!('rejected', 1);
      const worker = new DeliveryWorker(memoryOutbox(), fx.sink, { policy: POLICY });
      const notifier = recorder();
      const service = new TriageService(shippedCore(), memoryStore(), fx.sink, () => OPEN_HOURS, undefined, {
        worker,
        notifier,
        waitMs: 5000,
      });
      const r = await service.handleTurn({ conversation: 'refused', user: { id: 'u1' }, text: INCIDENT });
      expect(r.replies.map((x) => x.text).join('\n')).toMatch(/niet aanvaard.*neemt contact met u op/s);
      const [dead] = await worker.outbox.dead();
      expect(dead).toMatchObject({ key: 'refused#1', state: 'dead', notified: true, lastError: { code: 'REJECTED' } });
      expect(dead?.lastError?.message).toContain('HTTP 400');
      await worker.settle();
      expect(notifier.sent).toEqual([]);
    } finally {
      await fx.close();
    }
  });

  it('down during the turn, refusing for good later: queued now, told later that a colleague follows up', async () => {
    const fx = await emailFixture();
    try {
      fx.fail!('unavailable', 1);
      const clock = manualClock();
      const worker = new DeliveryWorker(memoryOutbox(), fx.sink, { policy: POLICY, clock: clock.now, random: () => 0 });
      const notifier = recorder();
      const service = new TriageService(shippedCore(), memoryStore(), fx.sink, () => new Date(clock.now()), undefined, {
        worker,
        notifier,
        waitMs: 5000,
      });
      const r = await service.handleTurn({ conversation: 'later', user: { id: 'u1' }, text: INCIDENT });
      expect(r.queued).toEqual(['later#1']);
      fx.fail!('rejected', 1);
      clock.advance(60_000);
      await worker.runDue();
      expect((await worker.outbox.dead()).map((e) => e.lastError?.code)).toEqual(['REJECTED']);
      expect(notifier.sent.map((s) => s.replies.map((x) => x.text).join(' '))).toEqual([
        expect.stringMatching(/niet aanvaard.*neemt contact met u op/s),
      ]);
      expect((await worker.outbox.dead())[0]?.notified).toBe(true);
    } finally {
      await fx.close();
    }
  });
});
