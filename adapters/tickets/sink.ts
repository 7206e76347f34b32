import type { Attachment, FiledTicket, Person, TicketDraft } from '../../core/types.ts';

/** Something added to a ticket after filing: a colleague's details on the same subject, a reply. */
export interface TicketNote {
  at: string;
  author: Person;
  text: string;
  attachments: Attachment[];
}

/** A ticket as a ticket system returns it when asked. */
export interface StoredTicket extends FiledTicket {
  status: 'open' | 'pending' | 'resolved' | 'closed';
  draft: TicketDraft;
  createdAt: string;
  notes?: TicketNote[];
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
  /** Add a note to a ticket (where the system supports it; otherwise the host files a new ticket). */
  addNote?(id: string, note: TicketNote): Promise<void>;
}
