// The ticket a request becomes: its title, its text and every detail the helpdesk needs.
import type { Slot } from '../config/schema.ts';
import { say } from '../messages.ts';
import { summarise, withoutPreamble } from '../summary.ts';
import { fold } from '../text/normalize.ts';
import type { RequestState, Slots, TicketDraft } from '../types.ts';
import type { Dialog } from './context.ts';
import { missingRequired, requestKey, textOf } from './request.ts';
import { MAX_TRANSCRIPT, type TurnBuilder } from './turn.ts';

/** The ticket the host files for a request (a handoff ticket when a person takes over). */
export function buildDraft(d: Dialog, t: TurnBuilder, request: RequestState, handoff: boolean): TicketDraft {
  const description = describe(d, t, request);
  const label = request.label ?? request.classification.inScopeLabel;
  // Missing: required details the person could not give (an optional "n.v.t." is an answer).
  const missing = missingRequired(d, request);
  return {
    idempotencyKey: requestKey(t, request),
    conversation: t.state.conversation,
    requester: { id: t.state.user?.id ?? '', ...(request.slots.name ? { name: request.slots.name } : {}) },
    label,
    title: titleOf(d, request),
    description,
    slots: Object.fromEntries(Object.entries(request.slots).filter(([k]) => k !== 'description')) as Slots,
    attachments: request.attachments,
    lang: t.lang,
    urgent: request.classification.urgent,
    priority: request.classification.urgent && label === 'incident' ? 'high' : 'normal',
    multiSubject: request.classification.multiSubject || request.list === true,
    missing,
    ...(request.proposed?.length ? { proposed: request.proposed } : {}),
    ...(request.billable ? { billable: request.billable } : {}),
    ...(request.registered !== undefined ? { registered: request.registered } : {}),
    ...(request.related ? { related: request.related } : {}),
    handoff,
    transcript: t.state.transcript.slice(-MAX_TRANSCRIPT),
    createdAt: t.ctx.now.toISOString(),
  };
}

/** The ticket's text: what the person wrote, and the answers kept as given that matched no directory. */
export function describe(d: Dialog, t: TurnBuilder, request: RequestState): string {
  const given = Object.entries(request.given ?? {})
    .filter(([slot]) => request.slots[slot as keyof Slots] === undefined)
    .map(([slot, value]) =>
      say(d.config, t.lang, 'unmatched_note', { what: d.config.vocabulary.slots[slot as Slot][t.lang], value }),
    );
  return [request.text, ...request.extra, ...given].filter(Boolean).join('\n\n');
}

/** The ticket's title: "[academy] Screen: the request in one sentence". */
export function titleOf(d: Dialog, request: RequestState): string {
  const where = request.slots.academy ?? request.slots.site_id;
  const screen = d.config.directories.screens.find((s) => s.id === request.slots.screen)?.name;
  const source = request.subject ?? (request.text.length >= 8 ? request.text : textOf(request));
  const sentence = summarise(withoutPreamble(d.kit.withoutCourtesies(source) || source));
  const screenPrefix = screen && !fold(sentence).startsWith(fold(screen)) ? `${screen}:` : '';
  return [where ? `[${where}]` : '', screenPrefix, sentence].filter(Boolean).join(' ');
}
