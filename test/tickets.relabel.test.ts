import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { PROFILE_DIR } from '../adapters/config/load.ts';
import { correctOnCard } from '../adapters/learn/corrections.ts';
import { sqliteLearnedStore } from '../adapters/learn/stores.ts';
import { createSink } from '../adapters/tickets/factory.ts';
import { LocalTicketStore } from '../adapters/tickets/local/store.ts';
import { fileOutbox, memoryOutbox, type Outbox } from '../adapters/tickets/outbox/outbox.ts';
import { DeliveryWorker } from '../adapters/tickets/outbox/worker.ts';
import type { TicketKind, TicketSink } from '../adapters/tickets/sink.ts';
import { deskCorrections } from '../bots/server/corrections.ts';
import { tempDir } from './helpers.ts';
import {
  draftFor,
  freshdeskFixture,
  jiraFixture,
  ticketDraft,
  topdeskFixture,
  webhookFixture,
  withTickets,
} from './tickets/fixtures.ts';

// An agent's correction of a ticket's kind reaches the ticket system where it can take it: Freshdesk's
// ticket type, a Jira label, TOPdesk's category and call type, a `ticket.relabelled` webhook event, the
// local store's kind. Every system is a fake of its documented API on loopback (test/fakes).

const QUESTION: TicketKind = { label: 'question', oos_reason: null };
const CHANGE: TicketKind = { label: 'change', oos_reason: null };
const HARDWARE: TicketKind = { label: 'out_of_scope', oos_reason: 'hardware' };

function relabelOf(sink: TicketSink) {
  const relabel = sink.relabel?.bind(sink);
  if (!relabel) throw new Error(`${sink.name} has no relabel`);
  return relabel;
}

describe('relabel: the corrected kind in each ticket system', () => {
  it('freshdesk: PUT of the ticket type mapped to the kind; out of scope has no type and is left alone', async () => {
    const fx = await freshdeskFixture();
    try {
      const filed = await fx.sink.create(await draftFor(fx.blobs, 'r-f#1', { attachments: [] }));
      expect(fx.fake.tickets[0]?.type).toBe('Incident');
      expect(await relabelOf(fx.sink)(filed, QUESTION)).toBe('updated');
      expect(fx.fake.tickets[0]?.type).toBe('Question');
      expect(await relabelOf(fx.sink)(filed, HARDWARE)).toBe('unmapped');
      expect(fx.fake.tickets[0]?.type).toBe('Question');
      // A ticket Freshdesk does not have: an error with a code, not a silent success.
      await expect(relabelOf(fx.sink)({ id: '999' }, CHANGE)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    } finally {
      await fx.close();
    }
  });

  it('freshdesk: a type the account does not have is refused with its reason', async () => {
    const fx = await freshdeskFixture();
    try {
      const filed = await fx.sink.create(await draftFor(fx.blobs, 'r-f2#1', { attachments: [] }));
      const config = withTickets({
        adapter: 'freshdesk',
        freshdesk: { url: fx.fake.http.url, types: { question: 'Vraag' } },
      });
      const sink = createSink(config, {
        dataDir: fx.dataDir,
        blobs: fx.blobs,
        env: { FRESHDESK_API_KEY: fx.fake.apiKey },
      });
      await expect(relabelOf(sink)(filed, QUESTION)).rejects.toMatchObject({
        code: 'REJECTED',
        message: expect.stringContaining('It should be one of these values'),
      });
      expect(fx.fake.tickets[0]?.type).toBe('Incident');
    } finally {
      await fx.close();
    }
  });

  it('jira: the kind as a label on the issue, the earlier kind label taken off', async () => {
    const fx = await jiraFixture();
    try {
      const filed = await fx.sink.create(await draftFor(fx.blobs, 'r-j#1', { attachments: [] }));
      fx.fake.requests[0]!.labels.push('vip');
      expect(await relabelOf(fx.sink)(filed, CHANGE)).toBe('updated');
      expect(fx.fake.requests[0]?.labels).toEqual(['vip', 'triage-kind-change']);
      expect(await relabelOf(fx.sink)(filed, HARDWARE)).toBe('updated');
      expect(fx.fake.requests[0]?.labels).toEqual(['vip', 'triage-kind-out_of_scope-hardware']);
      await expect(relabelOf(fx.sink)({ id: 'HELP-404' }, CHANGE)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    } finally {
      await fx.close();
    }
  });

  it('topdesk: PATCH of the category mapped to the kind; out of scope is left alone', async () => {
    const fx = await topdeskFixture();
    try {
      const filed = await fx.sink.create(await draftFor(fx.blobs, 'r-t#1', { attachments: [] }));
      expect(fx.fake.incidents[0]?.body.category).toEqual({ name: 'Storing' });
      expect(await relabelOf(fx.sink)(filed, QUESTION)).toBe('updated');
      expect(fx.fake.incidents[0]?.body.category).toEqual({ name: 'Vraag' });
      expect(await relabelOf(fx.sink)(filed, HARDWARE)).toBe('unmapped');
      expect(fx.fake.incidents[0]?.body.category).toEqual({ name: 'Vraag' });
    } finally {
      await fx.close();
    }
  });

  it('webhook: a signed ticket.relabelled event; the same correction sent twice is one event', async () => {
    const fx = await webhookFixture();
    try {
      const filed = await fx.sink.create(await draftFor(fx.blobs, 'r-w#1', { attachments: [] }));
      expect(await relabelOf(fx.sink)(filed, HARDWARE)).toBe('updated');
      expect(await relabelOf(fx.sink)(filed, HARDWARE)).toBe('updated');
      expect(fx.receiver.tickets[0]?.kinds).toEqual(['out_of_scope/hardware']);
      fx.down!();
      await expect(relabelOf(fx.sink)(filed, QUESTION)).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    } finally {
      await fx.close();
    }
  });

  it('local store: the corrected kind is kept with the ticket (an in-scope kind becomes its label)', async () => {
    const dir = tempDir();
    const store = new LocalTicketStore(dir);
    const filed = await store.create(ticketDraft({ idempotencyKey: 'r-l#1' }));
    expect(await store.relabel(filed, CHANGE)).toBe('updated');
    expect(await store.get(filed.id)).toMatchObject({ kind: 'change', draft: { label: 'change' } });
    expect(await store.relabel(filed, HARDWARE)).toBe('updated');
    expect(await store.get(filed.id)).toMatchObject({ kind: 'out_of_scope/hardware', draft: { label: 'change' } });
    await expect(store.relabel({ id: 'HD-009999' }, CHANGE)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

/** A ticket delivered through the outbox to a fixture's sink: its number. */
async function delivered(outbox: Outbox, sink: TicketSink, key: string): Promise<string> {
  const at = '2026-03-02T09:00:00Z';
  const draft = ticketDraft({
    idempotencyKey: key,
    transcript: [{ from: 'user', text: 'De printer geeft papierstoring bij het afdrukken', at }],
    createdAt: at,
  });
  const { entry } = await outbox.put(draft, sink.name, Date.now());
  const done = await new DeliveryWorker(outbox, sink, {}).attempt(entry.key);
  return done!.ticket!.id;
}

describe('a desk correction sets the type in the ticket system', () => {
  it('reaches the system with the learned example; a system that is down is logged, the example kept', async () => {
    const fx = await webhookFixture();
    try {
      const outbox = memoryOutbox();
      const ticket = await delivered(outbox, fx.sink, 'desk-relabel-1');
      const learned = sqliteLearnedStore(fx.dataDir);
      onTestFinished(() => learned.close());
      const corrections = deskCorrections(withTickets({}), {
        store: learned,
        sink: fx.sink,
        outbox,
        clock: () => new Date('2026-03-02T10:00:00Z'),
      });
      const errors: { obj: object; msg: string }[] = [];
      const log = { error: (obj: object, msg: string) => errors.push({ obj, msg }) };
      type Handoff = { card: string; kind?: string | undefined };
      const handoffs = new Map<string, Handoff>([['c1', { card: 'card-1', kind: 'incident' }]]);
      const book = {
        async update(conversation: string, change: (h: Handoff) => Handoff | null) {
          const h = handoffs.get(conversation);
          const next = h ? change(h) : null;
          if (next) handoffs.set(conversation, next);
          return next;
        },
      };
      const on = { conversation: 'c1', card: 'card-1', ticket };
      const done = await correctOnCard(
        book,
        corrections,
        on,
        { kind: HARDWARE, by: { id: 'UJAN' }, channel: 'slack' },
        log,
      );
      expect(done).toMatchObject({ to: 'out_of_scope/hardware', system: { result: 'updated' } });
      expect(fx.receiver.tickets[0]?.kinds).toEqual(['out_of_scope/hardware']);
      expect(errors).toEqual([]);

      // The receiver is down: the correction is still learned, and the failure is logged, not dropped.
      fx.down!();
      const again = await correctOnCard(
        book,
        corrections,
        on,
        { kind: QUESTION, by: { id: 'UJAN' }, channel: 'slack' },
        log,
      );
      expect(again).toMatchObject({ to: 'question', system: { result: 'failed' } });
      expect(errors).toEqual([
        expect.objectContaining({ msg: 'kind corrected and learned, but the ticket system did not take the new type' }),
      ]);
      expect((await learned.list()).map((e) => e.label)).toEqual(['question']);
    } finally {
      await fx.close();
    }
  });
});

function run(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/triage.js', ...args], { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('triage tickets relabel with another ticket system', () => {
  it('learns, sends the new kind to the webhook, and says so; with the receiver down it fails with status 1', async () => {
    const fx = await webhookFixture();
    try {
      const outbox = fileOutbox(fx.dataDir);
      const ticket = await delivered(outbox, fx.sink, 'cli-relabel-1');
      await outbox.close();
      const config = join(fx.dataDir, 'helpdesk.yaml');
      writeFileSync(
        config,
        `extends: ${join(PROFILE_DIR, 'academy.yaml')}\ntickets:\n  adapter: webhook\n  webhook:\n    url: ${fx.receiver.http.url}/hook\n`,
      );
      const env = { TRIAGE_DATA_DIR: fx.dataDir, TRIAGE_WEBHOOK_SECRET: fx.receiver.secret, LOG_LEVEL: 'silent' };
      const ok = await run(['tickets', 'relabel', ticket, 'change', '--config', config, '--by', 'an'], env);
      expect(ok.stderr).toBe('');
      expect(ok.code).toBe(0);
      expect(ok.stdout).toMatch(
        new RegExp(`^${ticket}: incident -> change; learned as \\w+ .*; type updated in webhook\\n$`),
      );
      expect(fx.receiver.tickets[0]?.kinds).toEqual(['change']);

      fx.down!();
      const failed = await run(['tickets', 'relabel', ticket, 'question', '--config', config], env);
      expect(failed.code).toBe(1);
      expect(failed.stderr).toMatch(
        new RegExp(`${ticket}: webhook could not be updated: .*; set the type there by hand`),
      );
      const learned = sqliteLearnedStore(fx.dataDir);
      onTestFinished(() => learned.close());
      expect((await learned.list()).map((e) => e.label)).toEqual(['question']);

      const unknown = await run(['tickets', 'relabel', 'WH-404', 'question', '--config', config], env);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toMatch(/no ticket WH-404 among the tickets delivered to webhook/);
    } finally {
      await fx.close();
    }
  }, 120_000);
});
