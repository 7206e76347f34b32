// The closing rule: remind once of an unanswered question, close when nobody answers.
import { afterWorkdays, describeDate } from '../hours.ts';
import { say } from '../messages.ts';
import type { Outcome } from '../types.ts';
import { type Dialog, LOCALES } from './context.ts';
import { fileKept } from './file.ts';
import type { TurnBuilder } from './turn.ts';

/** Remind once of an unanswered question and say when it closes; close when that time has come. */
export function onTick(d: Dialog, t: TurnBuilder): Outcome {
  const waiting = t.state.awaiting !== null && t.state.request !== null;
  const quietFor = t.ctx.now.getTime() - Date.parse(t.state.updatedAt);
  const updatedAt = t.state.updatedAt;
  if (waiting && !t.state.remindedAt && quietFor >= d.config.closing.remind_after_hours * 3_600_000) {
    const closes = afterWorkdays(t.ctx.now, d.config.closing.close_after_workdays, d.config.helpdesk.hours);
    t.set({ remindedAt: t.ctx.now.toISOString(), closesAt: closes.toISOString() });
    const question = lastQuestion(t);
    t.reply(
      say(d.config, t.lang, 'reminder', {
        question,
        date: describeDate(closes, d.config.helpdesk.hours.timezone, LOCALES[t.lang]),
        days: d.config.closing.close_after_workdays,
      }),
    );
    t.status = 'collecting';
  } else if (waiting && t.state.closesAt && t.ctx.now.getTime() >= Date.parse(t.state.closesAt)) {
    // Subjects of a split message already complete are filed all the same, and the person told so.
    const kept = (t.state.ready ?? []).length > 0;
    t.enter({ phase: 'done', awaiting: null, request: null, remindedAt: undefined, closesAt: undefined, queue: [] });
    t.reply(say(d.config, t.lang, kept ? 'closed_rest' : 'closed_no_reaction'));
    fileKept(d, t);
    t.status = 'done';
  }
  // Time passing is not activity: the conversation keeps its last-activity time.
  const outcome = t.outcome();
  outcome.state.updatedAt = updatedAt;
  return outcome;
}

function lastQuestion(t: TurnBuilder): string {
  return [...t.state.transcript].reverse().find((m) => m.from === 'bot')?.text ?? '';
}
