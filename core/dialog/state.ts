// The conversation state as stored: checked when it comes back from a store, and brought up to the current
// version, so a state written by an older release still loads and a damaged one never breaks a turn.
import { z } from 'zod';
import type { ConversationState, FreePhase, RequestPhase } from '../types.ts';

export const STATE_VERSION = 2;

/** Phases in which the state keeps the request being worked on. */
const REQUEST_PHASES = [
  'offering',
  'choosing_list',
  'choosing_label',
  'clarifying',
  'collecting',
  'confirming',
  'editing',
  'deflecting',
  'billing',
  'checking',
  'filing',
] as const satisfies readonly RequestPhase[];

/** Phases between requests: no request kept. */
const FREE_PHASES = ['idle', 'opening', 'rejected', 'done', 'handoff'] as const satisfies readonly FreePhase[];

const PHASES = [...FREE_PHASES, ...REQUEST_PHASES, 'duplicate'] as const;

const request = z
  .object({
    seq: z.number().int(),
    text: z.string(),
    extra: z.array(z.string()),
    label: z.string().nullable(),
    classification: z
      .object({ label: z.string(), confidence: z.number(), scores: z.record(z.string(), z.number()) })
      .loose(),
    slots: z.record(z.string(), z.string()),
    attachments: z.array(z.object({ name: z.string(), contentType: z.string() }).loose()),
    asked: z.record(z.string(), z.number()),
    skipped: z.array(z.string()),
  })
  .loose();

const offered = z.object({ id: z.string(), title: z.string(), createdAt: z.string() }).loose();

const line = z.object({ from: z.enum(['user', 'bot']), text: z.string(), at: z.string() }).loose();

/** Every version's shape, loosely: what migrations start from. */
const stored = z
  .object({
    version: z.number().int().min(1).max(STATE_VERSION),
    conversation: z.string(),
    lang: z.enum(['nl', 'fr', 'en']),
    phase: z.enum(PHASES),
    awaiting: z.string().nullable(),
    request: request.nullable(),
    rejected: request.nullable(),
    ready: z.array(request).optional(),
    misunderstood: z.number().int(),
    requests: z.number().int(),
    lastTicket: z.object({ id: z.string() }).loose().nullable(),
    pendingHandoff: z.string().nullable(),
    transcript: z.array(line),
    updatedAt: z.string(),
  })
  .loose();

/** The current version, per phase: the request its phase guarantees, none between requests. */
const current = z.discriminatedUnion('phase', [
  stored.extend({ phase: z.enum(FREE_PHASES), request: z.null() }),
  stored.extend({ phase: z.enum(REQUEST_PHASES), request }),
  stored.extend({ phase: z.literal('duplicate'), request: request.extend({ duplicate: offered }) }),
]);

/** Why a stored state was not used. */
export class StateError extends Error {
  readonly code = 'state_invalid';
}

/** Version 1 kept the opening's text a second time as a `description` detail; version 2 marks it instead. */
function fromV1(state: Record<string, unknown>): Record<string, unknown> {
  const upgrade = (r: unknown) => {
    if (!r || typeof r !== 'object') return r;
    const { description, ...slots } = (r as { slots: Record<string, string> }).slots;
    return { ...r, slots, ...(description ? { described: true } : {}) };
  };
  return { ...state, version: 2, request: upgrade(state.request), rejected: upgrade(state.rejected) };
}

/**
 * The phase and the request made to agree, for states written before the phase guaranteed its request:
 * a question without its request is no question (the next message starts afresh, as it did then); a request
 * kept between requests is left out; an offer of an open ticket without the ticket is an answer awaited.
 */
function settle(state: Record<string, unknown>): Record<string, unknown> {
  const phase = state.phase as (typeof PHASES)[number];
  const request = state.request as { duplicate?: unknown } | null;
  if (request === null && !(FREE_PHASES as readonly string[]).includes(phase)) {
    return { ...state, phase: 'idle', awaiting: null };
  }
  if (request !== null && (FREE_PHASES as readonly string[]).includes(phase)) return { ...state, request: null };
  if (phase === 'duplicate' && !request?.duplicate) return { ...state, phase: 'collecting', awaiting: null };
  return state;
}

/** A stored state, checked and brought to the current version; throws StateError when it is unusable. */
export function readState(raw: unknown): ConversationState {
  const parsed = stored.safeParse(raw);
  if (!parsed.success) throw invalid(parsed.error);
  let state = parsed.data as Record<string, unknown>;
  if (state.version === 1) state = fromV1(state);
  const checked = current.safeParse(settle(state));
  if (!checked.success) throw invalid(checked.error);
  return checked.data as unknown as ConversationState;
}

function invalid(error: z.ZodError): StateError {
  const first = error.issues[0];
  return new StateError(
    `stored conversation state is invalid at ${first?.path.join('.') || '(root)'}: ${first?.message}`,
  );
}
