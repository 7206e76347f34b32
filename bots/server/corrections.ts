import { type DeskCorrections, TicketCorrections } from '../../adapters/learn/corrections.ts';
import { FileLearnedStore } from '../../adapters/learn/store.ts';
import { LocalTicketStore } from '../../adapters/tickets/local/store.ts';
import type { Outbox } from '../../adapters/tickets/outbox/outbox.ts';
import type { TicketSink } from '../../adapters/tickets/sink.ts';
import type { Config } from '../../core/config/schema.ts';
import type { TicketDraft } from '../../core/types.ts';

/**
 * What the agent desks do with a correction of a ticket's kind: learned in the data folder's store
 * (`triage learn review`), and, for the local ticket store, a note on the ticket. The ticket's draft
 * (the person's first message) comes from the local store by its number, else from the outbox, which
 * keeps every ticket it delivered to the other ticket systems.
 */
export function deskCorrections(
  config: Config,
  deps: { dataDir: string; sink: TicketSink; outbox: Outbox; clock: () => Date },
): DeskCorrections {
  // The local store takes notes and has every ticket's draft; other systems' drafts are in the outbox.
  const local = deps.sink instanceof LocalTicketStore ? deps.sink : null;
  const draftOf = async (ticket: string): Promise<TicketDraft | undefined> => {
    const stored = local ? await local.get(ticket).catch(() => null) : null;
    if (stored) return stored.draft;
    const brief = (await deps.outbox.briefs()).find((e) => e.ticket?.id.toUpperCase() === ticket.toUpperCase());
    if (!brief) return undefined;
    // The catalogue keeps drafts without their conversation: the entry in full has it.
    return (await deps.outbox.get(brief.key))?.draft ?? brief.draft;
  };
  return new TicketCorrections({
    config,
    store: new FileLearnedStore(deps.dataDir),
    draftOf,
    ...(local ? { note: (ticket, note) => local.addNote(ticket, { ...note, attachments: [] }) } : {}),
    clock: deps.clock,
  });
}
