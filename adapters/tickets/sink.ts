import type { FiledTicket, TicketDraft } from '../../core/types.ts';

/** A ticket as a ticket system returns it when asked. */
export interface StoredTicket extends FiledTicket {
  status: 'open' | 'pending' | 'resolved' | 'closed';
  draft: TicketDraft;
  createdAt: string;
}

/**
 * The one port every helpdesk system sits behind. `create` is idempotent: the same draft
 * (same `idempotencyKey`) filed twice yields the same ticket, never a second one.
 */
export interface TicketSink {
  readonly name: string;
  create(draft: TicketDraft): Promise<FiledTicket>;
  get(id: string): Promise<StoredTicket | null>;
  list(): Promise<StoredTicket[]>;
}
