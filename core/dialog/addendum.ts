// More for the ticket just filed: a file sent right after it, a file announced, "ik vergat te zeggen...".

import { writtenName } from '../extract/index.ts';
import { helpdeskParams, say } from '../messages.ts';
import type { Attachment } from '../types.ts';
import type { Dialog } from './context.ts';
import { saysEnough } from './request.ts';
import type { TurnBuilder } from './turn.ts';

/**
 * Why a note went onto an existing ticket: ask once (a colleague's ticket), more for one's own, or "it
 * is solved after all" on one's own.
 */
export type NotePurpose = 'duplicate' | 'addendum' | 'resolved';

/**
 * Shortly after a ticket (`conversation.addendum_minutes`): a file sent with little or no text, a file
 * announced ("ik stuur zo een screenshot") and then sent, or "ik vergat te zeggen..." is more for that
 * ticket, added to it as a note; anything else is a new request. The person hears whether it was added
 * once the host has tried (`onNote`). True when it took the turn.
 */
export function addendum(d: Dialog, t: TurnBuilder, text: string, attachments: Attachment[]): boolean {
  const ticket = t.state.lastTicket?.id;
  const minutes = d.config.conversation.addendum_minutes;
  // "Ik wil mijn ticket HD-000001 aanvullen: ..." names this conversation's last ticket: a note on it.
  const named = ticket ? d.ticketPattern.exec(text)?.[0]?.toUpperCase() === ticket : false;
  if (named && attachments.length === 0 && d.kit.contentWords(text) >= 3 && !d.kit.asksStatus(text)) {
    t.effect({ type: 'add_to_ticket', ticketId: ticket!, text, attachments, purpose: 'addendum' });
    t.status = t.state.phase === 'handoff' ? 'handoff' : 'done';
    return true;
  }
  // Right after a ticket, or after a handoff no colleague is on yet (outside contact hours).
  const after = t.state.phase === 'done' || (t.state.phase === 'handoff' && !t.state.handoff?.live);
  if (!ticket || !after || minutes === 0 || !recently(d, t)) return false;
  const announced = t.state.addendumFor === ticket;
  const forIt = d.kit.addsToTicket(text);
  const note = () => t.effect({ type: 'add_to_ticket', ticketId: ticket, text, attachments, purpose: 'addendum' });
  if (attachments.length === 0 && d.kit.solved(text)) {
    t.effect({ type: 'add_to_ticket', ticketId: ticket, text, attachments, purpose: 'resolved' });
  } else if (attachments.length > 0 && (announced || forIt || d.kit.contentWords(text) < 3)) note();
  else if (attachments.length === 0 && d.kit.announcesFile(text)) {
    t.set({ addendumFor: ticket });
    t.reply(say(d.config, t.lang, 'addendum_wait', { ticket }));
  } else if (attachments.length === 0 && forIt && d.kit.contentWords(text) >= 2) note();
  else if (attachments.length === 0 && detailOnly(d, text)) note();
  else if (attachments.length === 0 && forTheColleague(d, t, text)) note();
  else return false;
  t.status = t.state.phase === 'handoff' ? 'handoff' : 'done';
  return true;
}

/** Within `conversation.addendum_minutes` of the conversation's last turn (right after its ticket). */
export function recently(d: Dialog, t: TurnBuilder): boolean {
  return t.ctx.now.getTime() - Date.parse(t.state.updatedAt) <= d.config.conversation.addendum_minutes * 60_000;
}

/** The host added the note, or could not: said for one's own addendum; a failure always, with the address. */
export function onNote(
  d: Dialog,
  t: TurnBuilder,
  event: { type: 'note_added' | 'note_failed'; ticketId: string; purpose: NotePurpose },
): void {
  if (event.purpose !== 'duplicate') t.set({ addendumFor: undefined });
  if (event.type === 'note_added') {
    if (event.purpose === 'addendum') t.reply(say(d.config, t.lang, 'addendum_added', { ticket: event.ticketId }));
    if (event.purpose === 'resolved') t.reply(say(d.config, t.lang, 'resolved_noted', { ticket: event.ticketId }));
    return;
  }
  t.reply(say(d.config, t.lang, 'addendum_failed', { ticket: event.ticketId, ...helpdeskParams(d.config, t.lang) }));
}

/**
 * Asked for a person without naming the academy or site ("mag ik iemand aan de lijn?") and told a colleague takes
 * over: what the person says next is for that colleague ("het gaat over de facturen van academie
 * Lindenhof"), unless it is thanks, a status question or another subject.
 */
function forTheColleague(d: Dialog, t: TurnBuilder, text: string): boolean {
  const handoff = t.state.handoff;
  if (!handoff?.bare || handoff.live || handoff.ticket !== t.state.lastTicket?.id) return false;
  if (d.kit.contentWords(text) === 0) return false;
  return !d.kit.thanks(text) && !d.kit.greetingOnly(text) && !d.kit.asksStatus(text) && !d.kit.newSubject(text);
}

/**
 * "Academie Lier", "leerling Jan Peeters", "mon numéro direct : 02 511 22 33", "Marie Dupont,
 * directrice": a detail alone, with at most a couple of words besides it.
 */
function detailOnly(d: Dialog, text: string): boolean {
  const name = writtenName(text.split(',')[0] ?? '');
  const found = { ...d.extractor.extract(text), ...(name ? { name } : {}) };
  if (Object.keys(found).length === 0) return false;
  if (!saysEnough(d, text)) return true;
  // A question ("is het probleem met de rapporten al opgelost?") is never a detail given.
  return !text.includes('?') && d.kit.contentWords(text, Object.values(found)) <= 2;
}
