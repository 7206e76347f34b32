// One message turn as a short list of named steps: within the limits, noted, intercepted, answered by phase.

import { withoutAddresses } from '../classify/features.ts';
import { say } from '../messages.ts';
import { detectLanguage } from '../text/lang.ts';
import { fold } from '../text/normalize.ts';
import type { Attachment, RequestState, Turn } from '../types.ts';
import { onBilling, onDeflect } from './checks.ts';
import { onAnswer, proceed } from './collect.ts';
import { onConfirm, onEdit } from './confirm.ts';
import { BUTTON_PHASES, type Dialog, MAX_ANALYSED, type Said, typeAllowed } from './context.ts';
import { onDuplicate } from './duplicates.ts';
import { intercept } from './intercept.ts';
import { onOffer } from './progress.ts';
import { onListChoice, startRequest } from './subjects.ts';
import { onClarify, onLabelChoice, resumeAfterOverride } from './triage.ts';
import type { TurnBuilder } from './turn.ts';

/**
 * Over-long text is refused (politely, the conversation stays where it was); files over a limit
 * (count, size, type) are left out and named. Returns the turn to go on with, or null.
 */
function withinLimits(d: Dialog, t: TurnBuilder, input: Turn): Turn | null {
  const limits = d.config.limits;
  if (input.text.length > limits.text_chars) {
    updateLanguage(t, input.text.slice(0, MAX_ANALYSED));
    t.log('user', input.text);
    t.reply(say(d.config, t.lang, 'limit_text', { max: limits.text_chars }));
    t.effect({ type: 'input_limited', limit: 'text_length' });
    return null;
  }
  const files = input.attachments ?? [];
  if (files.length === 0) return input;
  updateLanguage(t, input.text.slice(0, MAX_ANALYSED));
  const maxBytes = limits.attachment_mb * 1024 * 1024;
  const kept: Attachment[] = [];
  const left: Record<'attachments' | 'attachment_size' | 'attachment_type', string[]> = {
    attachment_type: [],
    attachment_size: [],
    attachments: [],
  };
  for (const file of files) {
    if (!typeAllowed(file.contentType, limits.attachment_types)) left.attachment_type.push(file.name);
    else if ((file.size ?? 0) > maxBytes) left.attachment_size.push(file.name);
    else if (kept.length >= limits.attachments) left.attachments.push(file.name);
    else kept.push(file);
  }
  const max = { attachments: limits.attachments, attachment_size: limits.attachment_mb, attachment_type: '' };
  for (const limit of ['attachment_type', 'attachment_size', 'attachments'] as const) {
    if (left[limit].length === 0) continue;
    const names = left[limit].map((n) => `"${n.slice(0, 80)}"`).join(', ');
    t.reply(say(d.config, t.lang, `limit_${limit}`, { max: max[limit], names }));
    t.effect({ type: 'input_limited', limit });
  }
  return kept.length === files.length ? input : { ...input, attachments: kept };
}

/** A step of a message turn: true when it took the turn (the steps after it do not run). */
type Step = (d: Dialog, t: TurnBuilder, said: Said) => boolean;

/** A message turn, in order: nothing said, an intent that takes precedence, a stale button, the answer. */
const STEPS: readonly Step[] = [nothingSaid, intercept, staleButton, answer];

/** One message from the person: within the limits, noted, then the first step that takes it. */
export function onMessage(d: Dialog, t: TurnBuilder, given: Turn): void {
  const input = withinLimits(d, t, given);
  if (!input) return;
  const said = note(t, input);
  for (const step of STEPS) if (step(d, t, said)) return;
}

/** The message written down, with what it tells of the person: who, their channel, their language. */
function note(t: TurnBuilder, input: Turn): Said {
  const text = input.text.trim();
  const attachments = input.attachments ?? [];
  t.log('user', text || attachments.map((a) => `[${a.name}]`).join(' '));
  if (t.state.remindedAt || t.state.closesAt) t.set({ remindedAt: undefined, closesAt: undefined });
  if (input.user.id && t.state.user?.id !== input.user.id) t.set({ user: input.user });
  if (input.interactive !== undefined && input.interactive !== t.state.interactive) {
    t.set({ interactive: input.interactive });
  }
  updateLanguage(t, text);
  return { input, text, attachments };
}

/** No text, no file, no button: what can the bot do for them. */
function nothingSaid(d: Dialog, t: TurnBuilder, { input, text, attachments }: Said): boolean {
  if (text || attachments.length > 0 || input.choice) return false;
  t.reply(say(d.config, t.lang, 'empty'));
  return true;
}

/** A button of an earlier question, pressed after the conversation moved on: nothing to answer. */
function staleButton(_d: Dialog, t: TurnBuilder, { input, text, attachments }: Said): boolean {
  return Boolean(input.choice) && !text && attachments.length === 0 && !BUTTON_PHASES.has(t.state.phase);
}

/** The answer to what the phase waits for; between requests, a new request. */
function answer(d: Dialog, t: TurnBuilder, said: Said): boolean {
  const { input, text, attachments } = said;
  const state = t.state;
  switch (state.phase) {
    case 'choosing_label':
      onLabelChoice(d, t, state.request, input, attachments);
      break;
    case 'choosing_list':
      onListChoice(d, t, state.request, input);
      break;
    case 'offering':
      onOffer(d, t, state.request, input);
      break;
    case 'collecting':
      onAnswer(d, t, state.request, text, attachments);
      break;
    case 'clarifying':
      onClarify(d, t, state.request, input, attachments);
      break;
    case 'confirming':
      onConfirm(d, t, state.request, input, attachments);
      break;
    case 'editing':
      onEdit(d, t, state.request, text, attachments);
      break;
    case 'deflecting':
      onDeflect(d, t, state.request, input, attachments);
      break;
    case 'billing':
      onBilling(d, t, state.request, input, attachments);
      break;
    case 'duplicate':
      onDuplicate(d, t, state.request, input, attachments);
      break;
    case 'checking':
      stillChecking(d, t, state.request, said);
      break;
    default:
      noQuestion(d, t, said);
  }
  return true;
}

/** The host has not answered the look-up of open tickets yet: keep what was said, and ask again. */
function stillChecking(d: Dialog, t: TurnBuilder, request: RequestState, { text, attachments }: Said): void {
  if (text) request.extra.push(text);
  request.attachments.push(...attachments);
  proceed(d, t, request);
}

/** A message with no question pending: "not the printer after all" resumes a refusal, else a new request. */
function noQuestion(d: Dialog, t: TurnBuilder, { input, text, attachments }: Said): void {
  if (t.state.phase === 'opening') t.enter({ phase: 'idle', awaiting: null, request: null });
  const rejected = t.state.phase === 'rejected' ? t.state.rejected : null;
  if (rejected && d.kit.notOutOfScope(text)) {
    resumeAfterOverride(d, t, rejected, text, attachments);
    return;
  }
  startRequest(d, t, text, attachments, input);
}

function updateLanguage(t: TurnBuilder, text: string): void {
  // A URL or an e-mail address alone says nothing about the language ("https://.../agenda" is no English).
  const guess = detectLanguage(fold(withoutAddresses(text)), t.state.lang);
  // A short answer ("AKW", "ja", "weet ik niet") says nothing about the language the person wants to
  // be answered in (bilingual staff answer in either); switch mid-request only on a whole sentence.
  const first = ['idle', 'done', 'rejected', 'handoff', 'filing'].includes(t.state.phase);
  if (guess.evidence >= (first ? 1 : 4)) t.set({ lang: guess.lang });
}
