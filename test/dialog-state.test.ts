// The conversation state as stored: a state written by an older release still loads, each phase keeps the
// request it guarantees (none between requests), and a damaged state is refused with its path, never used.
import { describe, expect, it } from 'vitest';
import { readState, STATE_VERSION, StateError } from '../core/dialog/state.ts';
import type { ConversationState, Effect } from '../core/types.ts';
import { OPEN_HOURS, shippedCore } from './helpers.ts';

const at = '2026-11-24T08:58:00.000Z';

/** A request as releases since version 1 stored it (JSON, as every store keeps it). */
function storedRequest(extra: Record<string, unknown> = {}) {
  return {
    seq: 1,
    text: 'De export van de facturatie loopt vast met foutmelding 500 sinds vanmorgen',
    extra: [],
    label: 'incident',
    classification: {
      label: 'incident',
      oosReason: null,
      confidence: 0.912,
      scores: { question: 0.02, incident: 0.912, change: 0.03, complaint: 0.018, out_of_scope: 0.02 },
      inScopeLabel: 'incident',
      urgent: false,
      multiSubject: false,
    },
    slots: { screen: 'facturatie', error_message: 'foutmelding 500' },
    attachments: [],
    asked: { academy: 1 },
    skipped: [],
    ...extra,
  };
}

function stored(extra: Record<string, unknown>): Record<string, unknown> {
  return {
    version: 2,
    conversation: 'teams:a1',
    lang: 'nl',
    phase: 'collecting',
    awaiting: 'academy',
    request: storedRequest({ described: true }),
    rejected: null,
    misunderstood: 0,
    requests: 1,
    lastTicket: null,
    pendingHandoff: null,
    transcript: [{ from: 'user', text: 'De export van de facturatie loopt vast', at }],
    updatedAt: at,
    ...extra,
  };
}

describe('a state stored by an older release', () => {
  it('version 1 (the opening kept twice as a description detail) loads as the current version', () => {
    const v1 = stored({
      version: 1,
      request: storedRequest({ slots: { screen: 'facturatie', description: 'De export van de facturatie' } }),
    });
    const state = readState(v1);
    expect(state.version).toBe(STATE_VERSION);
    expect(state.phase).toBe('collecting');
    expect(state.request?.slots).toEqual({ screen: 'facturatie' });
    expect(state.request?.described).toBe(true);
  });

  it('version 1 mid-question: the answer is taken and the conversation goes on from where it was', () => {
    const core = shippedCore('academy');
    const v1 = stored({ version: 1, request: storedRequest({ slots: { screen: 'facturatie', description: 'x' } }) });
    const out = core.handle(v1 as unknown as ConversationState, message('AKW'), { now: OPEN_HOURS });
    const filed = out.effects.find((e): e is Extract<Effect, { type: 'file_ticket' }> => e.type === 'file_ticket');
    const academy = filed?.ticket.slots.academy ?? out.state.request?.slots.academy;
    expect(academy).toBe('AKW');
    expect(out.state.version).toBe(STATE_VERSION);
  });

  it('every phase of the current version loads unchanged', () => {
    const offered = { id: 'HD-000120', title: 'Export loopt vast', createdAt: at };
    const states = [
      stored({}),
      stored({ phase: 'idle', awaiting: null, request: null }),
      stored({ phase: 'rejected', awaiting: null, request: null, rejected: storedRequest() }),
      stored({ phase: 'duplicate', awaiting: 'confirm', request: storedRequest({ duplicate: offered }) }),
      stored({
        phase: 'filing',
        awaiting: null,
        pendingTickets: [{ key: 'teams:a1#1', title: 'x', urgent: false, handoff: false }],
      }),
    ];
    for (const state of states) expect(readState(structuredClone(state))).toEqual(state);
  });
});

describe('the phase and its request agree', () => {
  it('a question without its request is no question: the next message starts afresh', () => {
    const state = readState(stored({ phase: 'choosing_label', awaiting: 'label', request: null }));
    expect(state).toMatchObject({ phase: 'idle', awaiting: null, request: null });
  });

  it('a request kept between requests is left out', () => {
    const state = readState(stored({ phase: 'done', awaiting: null }));
    expect(state).toMatchObject({ phase: 'done', request: null });
  });

  it('an offer of an open ticket without the ticket becomes an answer awaited', () => {
    const state = readState(stored({ phase: 'duplicate', awaiting: 'confirm' }));
    expect(state).toMatchObject({ phase: 'collecting', awaiting: null });
  });

  it('does not accept a request the phase cannot use', () => {
    const broken = stored({ request: { ...storedRequest(), slots: 'facturatie' } });
    expect(() => readState(broken)).toThrowError(StateError);
    expect(() => readState(broken)).toThrowError(/at request\.slots/);
    expect(() =>
      readState(stored({ phase: 'duplicate', request: storedRequest({ duplicate: { id: 7 } }) })),
    ).toThrowError(/request\.duplicate/);
  });

  it('refuses a damaged state with a code and its path, and the engine starts that conversation afresh', () => {
    const damaged = stored({ phase: 'somewhere', version: 9 });
    try {
      readState(damaged);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(StateError);
      expect((error as StateError).code).toBe('state_invalid');
      expect((error as StateError).message).toMatch(/at version/);
    }
    const out = shippedCore('academy').handle(damaged as unknown as ConversationState, message('Goedemorgen'), {
      now: OPEN_HOURS,
    });
    expect(out.state).toMatchObject({ phase: 'opening', request: null, requests: 0 });
  });
});

function message(text: string) {
  return { type: 'message' as const, turn: { conversation: 'teams:a1', user: { id: 'u1' }, text } };
}
