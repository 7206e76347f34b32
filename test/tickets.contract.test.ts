import { afterEach, describe, expect, it } from 'vitest';
import { TicketError } from '../adapters/tickets/sink.ts';
import { draftFor, FIXTURES, type SinkFixture } from './tickets/fixtures.ts';

/**
 * The ticket-sink contract, run unchanged against every adapter: a number for a draft; the same key
 * gives the same ticket (exactly one copy where the system can de-duplicate, one identity to merge on
 * where it cannot); a lost answer does not double the ticket; attachments; status; errors that say
 * whether a retry helps and how long to wait.
 */
describe.each(Object.keys(FIXTURES))('ticket sink contract: %s', (name) => {
  let fx: SinkFixture;
  const open = async () => {
    fx = await FIXTURES[name]!();
    return fx;
  };
  afterEach(async () => {
    await fx?.close();
  });

  it('files a draft with its details and screenshot, and answers the number people quote', async () => {
    const { sink, blobs, received } = await open();
    const draft = await draftFor(blobs, 'c1#1');
    const ticket = await sink.create(draft);
    expect(ticket.id).toMatch(/\S/);
    const copies = await received('c1#1');
    expect(copies).toHaveLength(1);
    expect(copies[0]!.identity).toBeTruthy();
    expect(copies[0]!.text).toContain('lege pdf');
    expect(copies[0]!.text).toContain('AKW');
    expect(copies[0]!.files).toEqual(['scherm.png']);
  });

  it('files the same key once: the same ticket again, or one identity the helpdesk can merge on', async () => {
    const { sink, blobs, received } = await open();
    const draft = await draftFor(blobs, 'c2#1');
    const first = await sink.create(draft);
    const again = await sink.create(draft);
    expect(again.id).toBe(first.id);
    const other = await sink.create(await draftFor(blobs, 'c2#2', { title: 'Tweede onderwerp' }));
    expect(other.id).not.toBe(first.id);
    const copies = await received('c2#1');
    if (sink.dedupe === 'none') expect(new Set(copies.map((c) => c.identity)).size).toBe(1);
    else expect(copies).toHaveLength(1);
  });

  it('a create whose answer was lost is retried without a second ticket', async () => {
    const { sink, blobs, received, loseNextAnswer } = await open();
    if (!loseNextAnswer) return; // the embedded store has no wire to lose an answer on
    const draft = await draftFor(blobs, 'c3#1');
    loseNextAnswer();
    await expect(sink.create(draft)).rejects.toMatchObject({ retryable: true });
    const ticket = await sink.create(draft);
    const copies = await received('c3#1');
    expect(new Set(copies.map((c) => c.identity)).size).toBe(1);
    if (sink.dedupe !== 'none') expect(copies.map((c) => c.identity)).toEqual([ticket.id]);
  });

  it('adds attachments to a filed ticket, once per file name', async () => {
    const { sink, blobs, received } = await open();
    const draft = await draftFor(blobs, 'c4#1', { attachments: [] });
    const ticket = await sink.create(draft);
    const ref = await blobs.put(new Uint8Array([1, 2, 3]));
    const later = { ...draft, attachments: [{ name: 'fout.png', contentType: 'image/png', ref }] };
    await sink.addAttachments(ticket, later);
    if (sink.dedupe !== 'none') await sink.addAttachments(ticket, later);
    const files = (await received('c4#1')).flatMap((c) => c.files);
    expect(files).toEqual(['fout.png']);
  });

  it('reads a new ticket as open, or says it cannot know', async () => {
    const { sink, blobs } = await open();
    const ticket = await sink.create(await draftFor(blobs, 'c5#1'));
    expect(await sink.status(ticket)).toBe(sink.readsStatus ? 'open' : 'unknown');
  });

  it('says whether a failure is worth a retry, and how long the helpdesk asks to wait', async () => {
    const { sink, blobs, fail } = await open();
    if (!fail) return; // nothing between the embedded store and its disk to fail
    const draft = await draftFor(blobs, 'c6#1');
    const attempt = async () => {
      try {
        await sink.create(draft);
        return null;
      } catch (error) {
        expect(error).toBeInstanceOf(TicketError);
        return error as TicketError;
      }
    };
    fail('unavailable');
    expect(await attempt()).toMatchObject({ retryable: true });
    fail('rate_limited');
    const limited = await attempt();
    expect(limited?.retryable).toBe(true);
    if (sink.name !== 'email') expect(limited).toMatchObject({ code: 'RATE_LIMITED', options: { retryAfterMs: 7000 } });
    fail('auth');
    expect(await attempt()).toMatchObject({ code: 'AUTH', retryable: false });
    fail('rejected');
    expect(await attempt()).toMatchObject({ code: 'REJECTED', retryable: false });
    expect((await sink.create(draft)).id).toMatch(/\S/);
  });
});
