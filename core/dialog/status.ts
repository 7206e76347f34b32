// Ticket status questions: a number asked about, or this conversation's last ticket.
import { say } from '../messages.ts';
import type { TicketState } from '../types.ts';
import type { Dialog } from './context.ts';
import type { TurnBuilder } from './turn.ts';

/** Ask the host for a ticket's status, saying who asks (the host answers for their own tickets only). */
export function askStatusOf(t: TurnBuilder, ticket: string): void {
  const slots = t.state.request?.slots;
  const unit = slots?.academy ?? slots?.site_id ?? t.state.unit;
  t.effect({ type: 'ticket_status', id: ticket, requester: t.state.user ?? { id: '' }, ...(unit ? { unit } : {}) });
}

/**
 * "Status van HD-000123?" asks the host (which answers for the person's own tickets only); "status?"
 * between requests is about this conversation's last ticket, or the one whose number is still coming.
 */
export function lookUpStatus(d: Dialog, t: TurnBuilder, text: string, idle: boolean): boolean {
  const id = d.ticketPattern.exec(text)?.[0]?.toUpperCase();
  if (!d.kit.asksStatus(text, Boolean(id))) return false;
  const lookUp = (ticket: string) => askStatusOf(t, ticket);
  if (id) {
    lookUp(id);
    return true;
  }
  if (!idle) return false;
  const waiting = (t.state.pendingTickets ?? []).filter((p) => !p.failed).at(-1);
  if (waiting) {
    t.reply(say(d.config, t.lang, 'status_waiting', { title: waiting.title }));
    return true;
  }
  if (t.state.lastTicket) {
    lookUp(t.state.lastTicket.id);
    return true;
  }
  t.reply(say(d.config, t.lang, 'status_which', { prefix: d.config.ticket_prefix }));
  t.status = 'done';
  return true;
}

/** The host's answer to a status look-up, told to the person. */
export function onStatus(d: Dialog, t: TurnBuilder, id: string, status: TicketState): void {
  t.reply(say(d.config, t.lang, `status_${status}`, { ticket: id }));
}
