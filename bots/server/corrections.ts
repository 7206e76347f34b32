import {
  type DeskCorrections,
  draftFinder,
  relabelInSystem,
  TicketCorrections,
} from '../../adapters/learn/corrections.ts';
import type { LearnedStore } from '../../adapters/learn/store.ts';
import { LocalTicketStore } from '../../adapters/tickets/local/store.ts';
import type { Outbox } from '../../adapters/tickets/outbox/outbox.ts';
import type { TicketSink } from '../../adapters/tickets/sink.ts';
import type { Config } from '../../core/config/schema.ts';

/**
 * What the agent desks do with a correction of a ticket's kind: learned in the learned store beside
 * the state (`triage learn review`), the ticket's type set in the ticket system where it can take it, and, for
 * the local ticket store, a note on the ticket. The ticket's draft (the person's first message) comes
 * from the local store by its number, else from the outbox, which keeps every ticket it delivered.
 */
export function deskCorrections(
  config: Config,
  deps: { store: LearnedStore; sink: TicketSink; outbox: Outbox; clock: () => Date },
): DeskCorrections {
  const local = deps.sink instanceof LocalTicketStore ? deps.sink : null;
  return new TicketCorrections({
    config,
    store: deps.store,
    draftOf: draftFinder(deps.sink, deps.outbox),
    ...(local ? { note: (ticket, note) => local.addNote(ticket, { ...note, attachments: [] }) } : {}),
    relabel: (ticket, kind) => relabelInSystem(deps.sink, ticket, kind),
    clock: deps.clock,
  });
}
