// One message turn as a short list of named steps: within the limits, noted, intercepted, answered by phase.
import { say } from '../messages.ts';
import { detectLanguage } from '../text/lang.ts';
import { fold } from '../text/normalize.ts';
import type { Attachment, Turn } from '../types.ts';
import { onBilling, onDeflect } from './checks.ts';
import { onAnswer, proceed } from './collect.ts';
import { onConfirm, onEdit } from './confirm.ts';
import { BUTTON_PHASES, type Dialog, MAX_ANALYSED, typeAllowed } from './context.ts';
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
export function withinLimits(d: Dialog, t: TurnBuilder, input: Turn): Turn | null {
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

export function onMessage(d: Dialog, t: TurnBuilder, given: Turn): void {
  const input = withinLimits(d, t, given);
  if (!input) return;
  const text = input.text.trim();
  const attachments = input.attachments ?? [];
  t.log('user', text || attachments.map((a) => `[${a.name}]`).join(' '));
  if (t.state.remindedAt || t.state.closesAt) t.set({ remindedAt: undefined, closesAt: undefined });
  if (input.user.id && t.state.user?.id !== input.user.id) t.set({ user: input.user });
  if (input.interactive !== undefined && input.interactive !== t.state.interactive) {
    t.set({ interactive: input.interactive });
  }
  updateLanguage(t, text);

  if (!text && attachments.length === 0 && !input.choice) {
    t.reply(say(d.config, t.lang, 'empty'));
    return;
  }
  if (intercept(d, t, input, text, attachments)) return;
  // A button of an earlier question, pressed after the conversation moved on: nothing to answer.
  if (input.choice && !text && attachments.length === 0 && !BUTTON_PHASES.has(t.state.phase)) return;
  switch (t.state.phase) {
    case 'choosing_label':
      onLabelChoice(d, t, input, attachments);
      return;
    case 'choosing_list':
      onListChoice(d, t, input);
      return;
    case 'offering':
      onOffer(d, t, input);
      return;
    case 'collecting':
      onAnswer(d, t, text, attachments);
      return;
    case 'clarifying':
      onClarify(d, t, input, attachments);
      return;
    case 'confirming':
      onConfirm(d, t, input, attachments);
      return;
    case 'editing':
      onEdit(d, t, text, attachments);
      return;
    case 'deflecting':
      onDeflect(d, t, input, attachments);
      return;
    case 'billing':
      onBilling(d, t, input, attachments);
      return;
    case 'duplicate':
      onDuplicate(d, t, input, attachments);
      return;
    case 'checking':
      // The host has not answered the look-up yet: keep what was said, and ask again.
      if (text) t.state.request!.extra.push(text);
      t.state.request!.attachments.push(...attachments);
      proceed(d, t);
      return;
    case 'opening':
      t.set({ phase: 'idle', awaiting: null });
      startRequest(d, t, text, attachments, input);
      return;
    case 'rejected':
      if (t.state.rejected && d.kit.notOutOfScope(text)) {
        resumeAfterOverride(d, t, text, attachments);
        return;
      }
      startRequest(d, t, text, attachments, input);
      return;
    default:
      startRequest(d, t, text, attachments, input);
  }
}

export function updateLanguage(t: TurnBuilder, text: string): void {
  const guess = detectLanguage(fold(text), t.state.lang);
  // A short answer ("AKW", "ja") says nothing about the language; switch only on clear evidence.
  const first = ['idle', 'done', 'rejected', 'handoff', 'filing'].includes(t.state.phase);
  if (guess.evidence >= (first ? 1 : 2.5)) t.set({ lang: guess.lang });
}
