// The conversation state as stored: checked when it comes back from a store, and brought up to the current
// version, so a state written by an older release still loads and a damaged one never breaks a turn.
import { z } from 'zod';
import type { ConversationState } from '../types.ts';

export const STATE_VERSION = 2;

const PHASES = [
  'idle',
  'opening',
  'choosing_list',
  'offering',
  'choosing_label',
  'clarifying',
  'collecting',
  'confirming',
  'editing',
  'deflecting',
  'billing',
  'checking',
  'duplicate',
  'rejected',
  'filing',
  'done',
  'handoff',
] as const;

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

const line = z.object({ from: z.enum(['user', 'bot']), text: z.string(), at: z.string() }).loose();

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

/** A stored state, checked and brought to the current version; throws StateError when it is unusable. */
export function readState(raw: unknown): ConversationState {
  const parsed = stored.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new StateError(
      `stored conversation state is invalid at ${first?.path.join('.') || '(root)'}: ${first?.message}`,
    );
  }
  let state = parsed.data as Record<string, unknown>;
  if (state.version === 1) state = fromV1(state);
  return state as unknown as ConversationState;
}
