// Ask once: an open ticket on the same subject offered to join before a second one is filed.
import type { Lang } from '../config/schema.ts';
import { describeDate } from '../hours.ts';
import { sameSubject } from '../knowledge.ts';
import { say } from '../messages.ts';
import type { Attachment, DuplicateRequest, OfferedTicket, RequestState, TicketSummary, Turn } from '../types.ts';
import { joinChoices, unitWord } from './choices.ts';
import { proceed } from './collect.ts';
import { type Dialog, LOCALES } from './context.ts';
import { noOpenTicket } from './progress.ts';
import { requestKey, textOf } from './request.ts';
import { nextSubject } from './subjects.ts';
import type { TurnBuilder } from './turn.ts';

/** Ask the host once for the open tickets of the request's academy or site (answered by `tickets_found`). */
export function lookUpOpenTickets(d: Dialog, t: TurnBuilder, request: RequestState): void {
  const since = new Date(t.ctx.now.getTime() - d.config.duplicates.window_days * 86_400_000).toISOString();
  t.enter({ phase: 'checking', awaiting: null, request });
  t.effect({
    type: 'find_tickets',
    key: requestKey(t, request),
    ...(request.slots.academy ? { academy: request.slots.academy } : {}),
    ...(request.slots.site_id ? { siteId: request.slots.site_id } : {}),
    since,
  });
}

/** Ask once: the most similar open ticket on the same screen, if similar enough. */
export function onTicketsFound(d: Dialog, t: TurnBuilder, key: string, tickets: TicketSummary[]): void {
  const request = t.state.request;
  if (t.state.phase !== 'checking' || !request || requestKey(t, request) !== key) return;
  request.checks = { ...request.checks, duplicates: true };
  const match = similarTicket(d, request, tickets, t.lang);
  if (!match) {
    if (request.progress) noOpenTicket(d, t, request);
    else proceed(d, t, request);
    return;
  }
  const me = t.state.user?.id;
  const sameAsker = Boolean(me) && match.requester.id === me;
  if (request.progress) {
    progressFound(d, t, request, match, sameAsker);
    return;
  }
  if (sameAsker) {
    // The same person asking again: the ticket they have, not a second one.
    t.enter({ phase: 'done', awaiting: null, request: null, lastTicket: { id: match.id } });
    t.reply(say(d.config, t.lang, 'duplicate_same_person', { ticket: match.id, title: match.title }));
    t.status = 'done';
    nextSubject(d, t);
    return;
  }
  // Never the colleague's name: the person learns that a colleague reported it, not who.
  const offered = Object.assign(request, {
    duplicate: { id: match.id, title: match.title, createdAt: match.createdAt },
  });
  t.enter({ phase: 'duplicate', awaiting: 'confirm', request: offered });
  offerDuplicate(d, t, offered.duplicate, 'duplicate_found');
}

/** "Is it fixed yet?" about an open ticket: the person's own (no second one), or a colleague's (join it?). */
function progressFound(d: Dialog, t: TurnBuilder, request: RequestState, match: TicketSummary, own: boolean): void {
  const status = say(d.config, t.lang, 'status_open', { ticket: match.id });
  if (own) {
    t.enter({ phase: 'done', awaiting: null, request: null, lastTicket: { id: match.id } });
    t.reply(say(d.config, t.lang, 'progress_own', { ticket: match.id, title: match.title, status }));
    t.status = 'done';
    return;
  }
  const unit = unitWord(d, t.lang, request.slots.site_id !== undefined);
  const offered = Object.assign(request, {
    duplicate: { id: match.id, title: match.title, createdAt: match.createdAt },
  });
  t.enter({ phase: 'duplicate', awaiting: 'confirm', request: offered });
  t.reply(
    say(d.config, t.lang, 'progress_colleague', { ticket: match.id, title: match.title, status, unit }),
    joinChoices(d, t.lang),
  );
  t.status = 'collecting';
}

function offerDuplicate(
  d: Dialog,
  t: TurnBuilder,
  match: OfferedTicket,
  key: 'duplicate_found' | 'duplicate_retry',
): void {
  t.reply(
    say(d.config, t.lang, key, {
      ticket: match.id,
      title: match.title,
      when: describeDate(new Date(match.createdAt), d.config.helpdesk.hours.timezone, LOCALES[t.lang]),
    }),
    joinChoices(d, t.lang),
  );
  t.status = 'collecting';
}

function similarTicket(d: Dialog, request: RequestState, tickets: TicketSummary[], lang: Lang): TicketSummary | null {
  const mine = { text: textOf(request), screen: request.slots.screen };
  let best: TicketSummary | null = null;
  let bestScore = -1;
  for (const ticket of tickets) {
    const theirs = { text: `${ticket.title} ${ticket.description}`, screen: ticket.screen };
    const { same, score } = sameSubject(mine, theirs, lang, d.config.duplicates.min_similarity);
    if (same && score > bestScore) [best, bestScore] = [ticket, score];
  }
  return best;
}

/** The answer to the offer of an open ticket: add my details to it, or a ticket of its own. */
export function onDuplicate(
  d: Dialog,
  t: TurnBuilder,
  request: DuplicateRequest,
  input: Turn,
  attachments: Attachment[],
): void {
  const duplicate = request.duplicate;
  request.attachments.push(...attachments);
  const typed = !input.choice ? d.kit.yesNo(input.text) : null;
  const add = input.choice === 'add' || (!input.choice && (d.kit.says(input.text, 'join') || typed === 'yes'));
  const fresh = input.choice === 'new' || (!input.choice && (d.kit.says(input.text, 'separate') || typed === 'no'));
  if (add) {
    const text = [request.text, ...request.extra].join('\n\n');
    t.effect({
      type: 'add_to_ticket',
      ticketId: duplicate.id,
      text,
      attachments: request.attachments,
      purpose: 'duplicate',
    });
    t.enter({ phase: 'done', awaiting: null, request: null, lastTicket: { id: duplicate.id } });
    t.reply(say(d.config, t.lang, 'duplicate_added', { ticket: duplicate.id }));
    t.status = 'done';
    nextSubject(d, t);
    return;
  }
  if (!fresh) {
    offerDuplicate(d, t, duplicate, 'duplicate_retry');
    return;
  }
  // A ticket of its own after all: the offer is no longer part of the request.
  const separate: RequestState = request;
  separate.related = duplicate.id;
  delete separate.duplicate;
  proceed(d, t, separate);
}
