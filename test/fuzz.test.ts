import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readState } from '../core/dialog/state.ts';
import type { CoreEvent } from '../core/engine.ts';
import type { Attachment, ConversationState, Effect, Outcome } from '../core/types.ts';
import { shippedCore } from './helpers.ts';

// Hardening: the core driven with 10,000 random turns of any text a chat can carry, and the host's
// answers to its effects, must never throw and must leave a valid state after every event.

const core = shippedCore('academy');
const TURNS = 10_000;
const TURNS_PER_RUN = 20;

const PHASES_WITH_REQUEST = new Set([
  'collecting',
  'confirming',
  'editing',
  'deflecting',
  'billing',
  'checking',
  'duplicate',
]);
const CONFIRM_PHASES = new Set(['clarifying', 'confirming', 'deflecting', 'billing', 'duplicate']);

/**
 * What "valid" means: the state survives JSON unchanged (as every store keeps it), its parts agree
 * (phase, awaiting, request), it stays bounded; every reply has words. Plain checks: `expect` on every
 * one of 10,000 states would cost more than the core itself.
 */
function problemWith(state: ConversationState, outcome: Outcome): string | null {
  const json = JSON.stringify(state);
  if (JSON.stringify(JSON.parse(json)) !== json) return 'not stable through JSON';
  if (json.length > 256 * 1024) return `state of ${json.length} bytes`;
  if (!['nl', 'fr', 'en'].includes(state.lang)) return `language ${state.lang}`;
  if (Number.isNaN(Date.parse(state.updatedAt))) return 'updatedAt is not a date';
  if (state.transcript.length > 40 || state.transcript.some((l) => l.text.length > 2000)) return 'transcript unbounded';
  if (PHASES_WITH_REQUEST.has(state.phase) && !state.request) return `${state.phase} without a request`;
  if (state.awaiting === 'confirm' && !CONFIRM_PHASES.has(state.phase)) return `confirm awaited in ${state.phase}`;
  if (state.awaiting === 'label' && state.phase !== 'choosing_label') return `label awaited in ${state.phase}`;
  if (['idle', 'done', 'rejected'].includes(state.phase) && state.awaiting !== null)
    return `${state.awaiting} awaited in ${state.phase}`;
  if (outcome.replies.some((r) => typeof r.text !== 'string' || r.text.length === 0)) return 'an empty reply';
  // What the store gives back loads as itself: the phase keeps the request it guarantees, nothing to settle.
  if (!isDeepStrictEqual(readState(JSON.parse(json)), JSON.parse(json))) return 'not read back as written';
  return null;
}

function check(outcome: Outcome): ConversationState {
  const problem = problemWith(outcome.state, outcome);
  if (problem) throw new Error(`invalid state: ${problem}`);
  return outcome.state;
}

const texts = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: 'grapheme', maxLength: 200 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
  { weight: 1, arbitrary: fc.constantFrom('', ' ', '\n\t', '\u0000', '\u200b\u200e\u202e', '\ufeff') },
  {
    weight: 1,
    arbitrary: fc.string({ unit: fc.constantFrom('😀', '👩‍💻', '🇧🇪', '\u0301', '\r', '\u0007'), maxLength: 50 }),
  },
  // The length limit and just past it, and a pasted log far beyond it.
  {
    weight: 1,
    arbitrary: fc
      .constantFrom(8000, 8001, 100_000)
      .map((n) => 'Foutmelding bij opslaan '.repeat(Math.ceil(n / 24)).slice(0, n)),
  },
  // Words the core reacts to, so runs reach deep phases (questions, preview, filing).
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      'Het programma crasht telkens bij het opslaan van de evaluaties.',
      'Bij het openen van de leerlingenfiche van Mila Jacobs krijg ik de foutmelding "Geboortedatum ongeldig". Academie De Klankkast',
      'Hoe kan ik een extra vak toevoegen aan het rapport?',
      'Onze printer loopt vast.',
      'AKW',
      'ja',
      'nee',
      'verstuur',
      'ik weet het niet',
      'annuleer',
      'ik wil een medewerker spreken',
      'Site 4488 toont de oude banner',
      'sofie@klankkast.example 0478 12 34 56',
      '<script>alert(1)</script> *bold* {{x}} [link|http://x] |table|',
    ),
  },
);

const attachment: fc.Arbitrary<Attachment> = fc.record(
  {
    name: fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.constantFrom('scherm.png', '../../etc/passwd', '', 'a\u0000b.exe'),
    ),
    contentType: fc.oneof(
      fc.constantFrom(
        'image/png',
        'application/pdf',
        'application/x-msdownload',
        '',
        'IMAGE/JPEG; charset=x',
        'text/html',
      ),
      fc.string({ maxLength: 40 }),
    ),
    size: fc.oneof(fc.nat(), fc.constantFrom(0, -1, 21 * 1024 * 1024, Number.MAX_SAFE_INTEGER)),
    ref: fc.string({ maxLength: 20 }),
  },
  { requiredKeys: ['name', 'contentType'] },
);

const message = fc.record(
  {
    text: texts,
    attachments: fc.array(attachment, { maxLength: 14 }),
    choice: fc.oneof(
      fc.constantFrom('send', 'edit', 'yes', 'no', 'incident', 'question', 'add', 'new'),
      fc.string({ maxLength: 10 }),
    ),
    interactive: fc.boolean(),
    user: fc.constantFrom('U1', 'U2'),
  },
  { requiredKeys: ['text', 'user'] },
);

/** How the host answers an effect: filed, queued, refused, found open tickets, or time passing. */
const hostAnswer = fc.constantFrom('filed', 'queued', 'failed', 'found_none', 'found_one', 'tick');

function answerFor(effect: Effect, how: string, n: number): CoreEvent | null {
  if (effect.type === 'file_ticket' || effect.type === 'handoff') {
    const key = effect.ticket.idempotencyKey;
    if (how === 'queued') return { type: 'ticket_queued', idempotencyKey: key };
    if (how === 'failed') return { type: 'ticket_failed', idempotencyKey: key, error: 'HTTP_500' };
    return { type: 'ticket_filed', idempotencyKey: key, ticket: { id: `HD-${String(n).padStart(6, '0')}` } };
  }
  if (effect.type === 'find_tickets') {
    const tickets =
      how === 'found_one'
        ? [
            {
              id: 'HD-000042',
              title: 'Crash bij opslaan evaluaties',
              description: 'Het programma crasht bij het opslaan van de evaluaties.',
              requester: { id: 'U9', name: 'Jan Claes' },
              createdAt: '2026-09-01T08:00:00.000Z',
            },
          ]
        : [];
    return { type: 'tickets_found', key: effect.key, tickets };
  }
  return null;
}

describe('the core under random turns', () => {
  it(`takes ${TURNS} random turns without an exception, leaving a valid state after each`, () => {
    let turns = 0;
    let tickets = 0;
    fc.assert(
      fc.property(
        fc.array(fc.tuple(message, hostAnswer), { minLength: TURNS_PER_RUN, maxLength: TURNS_PER_RUN }),
        (script) => {
          let state: ConversationState | null = null;
          let now = Date.parse('2026-09-01T08:00:00Z');
          let filed = 0;
          for (const [m, how] of script) {
            now += 60_000;
            const ctx = { now: new Date(now) };
            const turn = { conversation: 'slack:DFUZZ', ...m, user: { id: m.user } };
            let outcome = core.handle(state, { type: 'message', turn }, ctx);
            state = check(outcome);
            turns++;
            // The host carries out effects as the runtime does; answers may lead the core on.
            const pending = [...outcome.effects];
            for (let i = 0; i < pending.length && i < 20; i++) {
              const effect = pending[i]!;
              if (effect.type === 'file_ticket' || effect.type === 'handoff') filed++;
              const event = answerFor(effect, how, filed);
              if (!event) continue;
              outcome = core.handle(state, event, ctx);
              state = check(outcome);
              pending.push(...outcome.effects);
            }
            if (how === 'tick') {
              outcome = core.handle(state, { type: 'tick' }, { now: new Date(now + 30 * 3_600_000) });
              state = check(outcome);
            }
            tickets += filed;
            filed = 0;
          }
        },
      ),
      { numRuns: TURNS / TURNS_PER_RUN, seed: Number(process.env.FUZZ_SEED ?? 20260901) },
    );
    expect(turns).toBe(TURNS);
    // The runs went past the first question: tickets were asked for.
    expect(tickets).toBeGreaterThan(50);
  }, 180_000);

  it('refuses an over-long message politely and keeps the conversation where it was', () => {
    const ctx = { now: new Date('2026-09-01T08:00:00Z') };
    const first = core.handle(
      null,
      { type: 'message', turn: { conversation: 'c', user: { id: 'U1' }, text: 'Het programma crasht bij opslaan.' } },
      ctx,
    );
    const long = core.handle(
      first.state,
      { type: 'message', turn: { conversation: 'c', user: { id: 'U1' }, text: 'x'.repeat(100_000) } },
      ctx,
    );
    expect(long.replies.map((r) => r.text)).toEqual([expect.stringContaining('8000')]);
    expect(long.effects).toEqual([{ type: 'input_limited', limit: 'text_length' }]);
    expect(long.state.phase).toBe(first.state.phase);
    expect(long.state.awaiting).toBe(first.state.awaiting);
  });

  it('leaves out files over the count, size and type limits, names them, and goes on with the rest', () => {
    const files: Attachment[] = [
      { name: 'virus.exe', contentType: 'application/x-msdownload', size: 10 },
      { name: 'film.mov', contentType: 'video/quicktime', size: 300 * 1024 * 1024 },
      ...Array.from({ length: 11 }, (_, i) => ({ name: `s${i}.png`, contentType: 'image/png', size: 1000 })),
    ];
    const outcome = core.handle(
      null,
      {
        type: 'message',
        turn: { conversation: 'c', user: { id: 'U1' }, text: 'Het programma crasht bij opslaan.', attachments: files },
      },
      { now: new Date('2026-09-01T08:00:00Z') },
    );
    const said = outcome.replies.map((r) => r.text).join('\n');
    expect(said).toContain('"virus.exe"');
    expect(said).toContain('"film.mov"');
    expect(said).toContain('"s10.png"');
    expect(
      outcome.effects.filter((e) => e.type === 'input_limited').map((e) => (e as { limit: string }).limit),
    ).toEqual(['attachment_type', 'attachment_size', 'attachments']);
    expect(outcome.state.request?.attachments.map((a) => a.name)).toEqual(
      Array.from({ length: 10 }, (_, i) => `s${i}.png`),
    );
  });
});
