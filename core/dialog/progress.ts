// "Is it fixed yet?": an open ticket or the changelog before any new ticket, else the offer to file one.
import { say } from '../messages.ts';
import { subjectOf } from '../summary.ts';
import { fold, words } from '../text/normalize.ts';
import type { Attachment, RequestState, Turn } from '../types.ts';
import { recently } from './addendum.ts';
import { yesNo, yesOrNo } from './choices.ts';
import { type Dialog, PROGRESS_WORDS } from './context.ts';
import { lookUpOpenTickets } from './duplicates.ts';
import { newRequest, textOf } from './request.ts';
import { askStatusOf } from './status.ts';
import { startRequest } from './subjects.ts';
import { triage } from './triage.ts';
import type { TurnBuilder } from './turn.ts';

/**
 * "Is het al opgelost?", "nog nieuws over de rapporten?": the person's own open ticket on it, a
 * colleague's of the same academy or site, or the changelog, before any new ticket; only when nothing
 * matches does the bot offer to file (asking again does not speed a fix up).
 */
export function askedProgress(
  d: Dialog,
  t: TurnBuilder,
  text: string,
  attachments: Attachment[],
  input: Turn,
): boolean {
  const ask = d.answers.progress.asksProgress(text, t.lang);
  // A long story that says "nog altijd niet opgelost" is a new report, not a question about progress.
  const length = words(fold(text)).length;
  if (!ask || length > PROGRESS_WORDS) return false;
  if (ask.ticket && length <= PROGRESS_WORDS / 2) {
    askStatusOf(t, ask.ticket.toUpperCase());
    return true;
  }
  // "Is het al opgelost?" without a subject, shortly after this conversation's ticket: that ticket.
  const last = t.state.lastTicket?.id;
  if (last && !ask.subject && recently(d, t)) {
    askStatusOf(t, last);
    return true;
  }
  const request = newRequest(d, t, text, attachments, input);
  if (ask.subject) request.subject = ask.subject;
  request.progress = true;
  request.described = true;
  request.label = request.classification.inScopeLabel;
  const unit = t.state.unit;
  if (unit && !request.slots.academy && !request.slots.site_id) {
    if (/^\d{4}$/.test(unit)) request.slots.site_id = unit;
    else request.slots.academy = unit;
  }
  if (request.slots.academy || request.slots.site_id) {
    request.checks = { manual: true, billing: true };
    lookUpOpenTickets(d, t, request);
    t.status = 'collecting';
    return true;
  }
  noOpenTicket(d, t, request);
  return true;
}

/** No open ticket on the subject: the changelog if it has it, else the offer to file one. */
export function noOpenTicket(d: Dialog, t: TurnBuilder, request: RequestState): void {
  const entry = d.knowledge.changelog(textOf(request), t.lang);
  request.checks = { ...request.checks, manual: true, duplicates: true };
  if (entry) {
    request.proposed = [entry.page.id];
    t.enter({ phase: 'deflecting', awaiting: 'confirm', request });
    t.reply(
      say(d.config, t.lang, 'progress_changelog', {
        title: entry.page.title,
        url: entry.page.url,
        date: entry.page.date,
      }),
      yesNo(d, t.lang),
    );
    t.status = 'collecting';
    return;
  }
  t.enter({ phase: 'offering', awaiting: 'confirm', request });
  t.reply(
    say(d.config, t.lang, 'progress_none', { subject: subjectOf(request.subject ?? request.text) }),
    yesNo(d, t.lang),
  );
  t.status = 'collecting';
}

/** "Shall I file a ticket for it?": yes triages it as a new request; no closes politely. */
export function onOffer(d: Dialog, t: TurnBuilder, request: RequestState, input: Turn): void {
  const answer = yesOrNo(d, input);
  if (answer === 'yes') {
    delete request.progress;
    request.checks = {};
    request.label = null;
    triage(d, t, request);
    return;
  }
  if (answer === null && input.text.trim() && !input.choice) {
    // More about it instead of yes or no: a request after all.
    t.enter({ phase: 'idle', awaiting: null, request: null });
    startRequest(d, t, input.text.trim(), input.attachments ?? [], input);
    return;
  }
  t.enter({ phase: 'done', awaiting: null, request: null });
  t.reply(say(d.config, t.lang, 'thanks_reply'));
  t.status = 'done';
}
