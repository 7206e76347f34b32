// Filing a ticket and what the ticket system answers: its number, a queued ticket, a refusal.
import { describeInstant, isOpen, nextOpening } from '../hours.ts';
import { say } from '../messages.ts';
import type { FiledTicket, PendingTicket, RequestState } from '../types.ts';
import { type Dialog, type HandoffReason, LOCALES, pick, SHARED_SLOTS, unitOf } from './context.ts';
import { buildDraft } from './draft.ts';
import { missingRequired, requestKey } from './request.ts';
import { nextSubject } from './subjects.ts';
import type { TurnBuilder } from './turn.ts';

/**
 * Ask the host to file the request's ticket; for a handoff, as a handoff to a person. A subject of a
 * split message waits for the ones after it: all are filed together at the end, the first subject's
 * ticket first, so the person hears every number in one answer (see `keepForLater`).
 */
export function file(d: Dialog, t: TurnBuilder, request: RequestState, handoff?: HandoffReason): void {
  if (!handoff && (t.state.queue?.length ?? 0) > 0) {
    keepForLater(d, t, request);
    return;
  }
  fileKept(d, t);
  const draft = buildDraft(d, t, request, handoff !== undefined);
  const pending = { key: draft.idempotencyKey, title: draft.title, urgent: draft.urgent, handoff: draft.handoff };
  t.enter({
    phase: 'filing',
    awaiting: null,
    request,
    pendingTickets: [...(t.state.pendingTickets ?? []), pending].slice(-20),
  });
  t.effect(handoff ? { type: 'handoff', reason: handoff, ticket: draft } : { type: 'file_ticket', ticket: draft });
  t.status = handoff ? 'handoff' : 'filed';
}

/** A finished subject of a split message, kept in the state until the last subject is through. */
function keepForLater(d: Dialog, t: TurnBuilder, request: RequestState): void {
  t.enter({ phase: 'done', awaiting: null, request: null });
  t.set({
    ready: [...(t.state.ready ?? []), request],
    shared: { ...t.state.shared, ...pick(request.slots, SHARED_SLOTS) },
  });
  t.reply(say(d.config, t.lang, 'multi_kept'));
  t.status = 'collecting';
  nextSubject(d, t);
}

/** File the kept subjects (they were complete): at the end, or when the rest is refused, cancelled or closed. */
export function fileKept(d: Dialog, t: TurnBuilder): void {
  const kept = t.state.ready ?? [];
  if (kept.length === 0) return;
  const pending = kept.map((request) => {
    const draft = buildDraft(d, t, request, false);
    t.effect({ type: 'file_ticket', ticket: draft });
    return { key: draft.idempotencyKey, title: draft.title, urgent: draft.urgent, handoff: false, subject: true };
  });
  t.set({ ready: [], pendingTickets: [...(t.state.pendingTickets ?? []), ...pending].slice(-20) });
}

/** The request being filed in this conversation right now, if `key` is its ticket. */
function filingRequest(t: TurnBuilder, key: string): RequestState | null {
  const state = t.state;
  return state.phase === 'filing' && requestKey(t, state.request) === key ? state.request : null;
}

function takePending(t: TurnBuilder, key: string): PendingTicket | undefined {
  const pending = t.state.pendingTickets ?? [];
  t.set({ pendingTickets: pending.filter((p) => p.key !== key) });
  return pending.find((p) => p.key === key);
}

/** The ticket system gave the ticket its number: tell the person (now, or late, naming the request). */
export function onFiled(d: Dialog, t: TurnBuilder, key: string, ticket: FiledTicket): void {
  const pending = takePending(t, key);
  t.set({ lastTicket: ticket });
  const request = filingRequest(t, key);
  if (request) filed(d, t, request, key, ticket);
  else if (pending) lateNumber(d, t, pending, key, ticket);
}

/**
 * The number of a ticket that waited in the outbox: the person has moved on, so name the request. A handoff
 * whose ticket waited goes to the desk now, if a person can still take it.
 */
function lateNumber(d: Dialog, t: TurnBuilder, pending: PendingTicket, key: string, ticket: FiledTicket): void {
  const told = pending.subject ? 'filed_subject' : 'ticket_late';
  const parts = [say(d.config, t.lang, told, { ticket: ticket.id, title: pending.title })];
  if (pending.urgent) parts.push(say(d.config, t.lang, 'filed_urgent', { ticket: ticket.id }));
  t.reply(parts.join('\n\n'));
  const waiting = t.state.phase === 'handoff' && t.state.pendingHandoff === key;
  if (!pending.handoff || !waiting) return;
  const live = isOpen(t.ctx.now, d.config.helpdesk.hours) && t.ctx.desk === true;
  t.set({ pendingHandoff: null, handoff: { ticket: ticket.id, live, since: t.ctx.now.toISOString() } });
  if (live) t.effect({ type: 'desk_open', ticket: ticket.id });
  else t.enter({ phase: 'done', request: null });
}

/** The number of the request being filed: the request is done (or handed to a person), the next subject follows. */
function filed(d: Dialog, t: TurnBuilder, request: RequestState, key: string, ticket: FiledTicket): void {
  const wasHandoff = t.state.pendingHandoff === key;
  const open = isOpen(t.ctx.now, d.config.helpdesk.hours);
  // Outside contact hours there is no live handoff: the ticket waits for the morning.
  const live = wasHandoff && open && t.ctx.desk === true;
  t.enter({
    phase: live ? 'handoff' : 'done',
    awaiting: null,
    request: null,
    pendingHandoff: null,
    ...unitOf(request),
    shared: { ...t.state.shared, ...pick(request.slots, SHARED_SLOTS) },
    ...(wasHandoff
      ? { handoff: { ticket: ticket.id, live, since: t.ctx.now.toISOString(), bare: !unitKnown(request) } }
      : {}),
  });
  const opens = describeOpening(d, t);
  if (wasHandoff) {
    t.reply(say(d.config, t.lang, open ? 'handoff' : 'handoff_outside_hours', { ticket: ticket.id, opens }));
    if (live) t.effect({ type: 'desk_open', ticket: ticket.id, draft: buildDraft(d, t, request, true) });
    t.status = 'handoff';
    return;
  }
  t.reply(filedMessage(d, t, request, ticket, { open, opens }).join('\n\n'));
  t.status = 'filed';
  nextSubject(d, t);
}

/** "Your ticket is filed", with what applies: e-mail, urgency and hours, missing details, complaint, one subject. */
function filedMessage(
  d: Dialog,
  t: TurnBuilder,
  request: RequestState,
  ticket: FiledTicket,
  hours: { open: boolean; opens: string },
): string[] {
  const { open, opens } = hours;
  const parts = [say(d.config, t.lang, 'filed', { ticket: ticket.id })];
  if (d.config.tickets.requester_notified) parts.push(say(d.config, t.lang, 'filed_by_mail'));
  // Urgent outside contact hours: when to call, not "call now" beside "we are closed".
  if (request.classification.urgent && open) parts.push(say(d.config, t.lang, 'filed_urgent', { ticket: ticket.id }));
  else if (request.classification.urgent)
    parts.push(say(d.config, t.lang, 'filed_urgent_closed', { ticket: ticket.id, opens }));
  else if (!open) parts.push(say(d.config, t.lang, 'filed_outside_hours', { opens }));
  if (missingRequired(d, request).length > 0) parts.push(say(d.config, t.lang, 'filed_partial'));
  if (request.label === 'complaint') parts.push(say(d.config, t.lang, 'complaint_followup'));
  // A second subject the splitter could not separate: the one-subject-per-ticket tip.
  const split = (t.state.queue?.length ?? 0) > 0 || request.list === true;
  if (request.classification.multiSubject && !split) parts.push(say(d.config, t.lang, 'multi_subject'));
  return parts;
}

/** The ticket system is slow or down: the ticket waits in the host's outbox, its number follows. */
export function onQueued(d: Dialog, t: TurnBuilder, key: string): void {
  const request = filingRequest(t, key);
  t.reply(say(d.config, t.lang, 'ticket_queued'));
  if (!request) return;
  const wasHandoff = t.state.pendingHandoff === key;
  // A handoff keeps `pendingHandoff`: when the number comes, the desk gets it (see `onFiled`).
  t.enter({
    phase: wasHandoff ? 'handoff' : 'done',
    awaiting: null,
    request: null,
    ...unitOf(request),
    shared: { ...t.state.shared, ...pick(request.slots, SHARED_SLOTS) },
  });
  t.status = wasHandoff ? 'handoff' : 'filed';
  nextSubject(d, t);
}

/** The ticket system refused the ticket for good: a person follows up. */
export function onFailed(d: Dialog, t: TurnBuilder, key: string): void {
  const current = filingRequest(t, key) !== null;
  // Kept, marked: a dead letter re-sent later (`triage tickets retry`) still brings its number here.
  const pending = t.state.pendingTickets ?? [];
  t.set({ pendingTickets: pending.map((p) => (p.key === key ? { ...p, failed: true } : p)) });
  t.reply(say(d.config, t.lang, 'ticket_failed'));
  if (!current) return;
  t.enter({ phase: 'done', awaiting: null, request: null, pendingHandoff: null });
  t.status = 'done';
  nextSubject(d, t);
}

/** When the helpdesk opens next ("maandag om 08:30"), in the conversation's language. */
function describeOpening(d: Dialog, t: TurnBuilder): string {
  const at = nextOpening(t.ctx.now, d.config.helpdesk.hours);
  const { day, time } = describeInstant(at, d.config.helpdesk.hours.timezone, LOCALES[t.lang]);
  return say(d.config, t.lang, 'opens_at', { day, time });
}

/** Whether the request names its academy or site (a handoff without one waits for what the person says next). */
function unitKnown(request: RequestState): boolean {
  return Boolean(request.slots.academy || request.slots.site_id);
}
