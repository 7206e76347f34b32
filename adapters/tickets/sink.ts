import { createHash } from 'node:crypto';
import type { Label, OosReason } from '../../core/config/schema.ts';
import type { Attachment, FiledTicket, Person, TicketDraft } from '../../core/types.ts';

/** Something added to a ticket after filing: a colleague's details on the same subject, a reply. */
export interface TicketNote {
  at: string;
  author: Person;
  text: string;
  attachments: Attachment[];
}

/** A ticket's kind as an agent corrects it: one of the four kinds, or out of scope with its reason. */
export interface TicketKind {
  label: Label;
  oos_reason: OosReason | null;
}

/**
 * What a relabel did in the ticket system: `updated`, or `unmapped` when the configuration maps no
 * type (category, call type) to that kind, so the ticket was left as it was.
 */
export type RelabelResult = 'updated' | 'unmapped';

/** `incident`, `out_of_scope/hardware`: a kind as one word (labels, events, notes). */
export function kindWord(kind: TicketKind): string {
  return kind.label === 'out_of_scope' ? `out_of_scope/${kind.oos_reason ?? 'other'}` : kind.label;
}

/** Where a ticket stands, in the vocabulary every adapter maps its own states to. */
export type TicketStatus = 'open' | 'pending' | 'resolved' | 'closed' | 'unknown';

/** A ticket as the embedded store returns it when asked. */
export interface StoredTicket extends FiledTicket {
  status: Exclude<TicketStatus, 'unknown'>;
  draft: TicketDraft;
  createdAt: string;
  notes?: TicketNote[];
  /** The kind an agent corrected it to (`incident`, `out_of_scope/hardware`), when corrected. */
  kind?: string;
}

/**
 * How a system keeps one request one ticket when a create is repeated (a retry after a lost answer,
 * a restart after a crash):
 * - `key`: the system itself is keyed by the idempotency key (the embedded store);
 * - `lookup`: the adapter finds an earlier ticket by an external reference before creating one;
 * - `receiver`: the receiver is told the key (`Idempotency-Key`) and must answer the same ticket;
 * - `none`: a repeat may create a second ticket; it carries the same reference and message id, so the
 *   helpdesk can merge it, but nothing guarantees it.
 */
export type Dedupe = 'key' | 'lookup' | 'receiver' | 'none';

/**
 * The one port every helpdesk system sits behind. `create` files a draft (with its attachments) and
 * answers the number people quote and, where there is one, a link; the same `idempotencyKey` filed
 * again yields the same ticket as far as `dedupe` allows.
 */
export interface TicketSink {
  readonly name: string;
  readonly dedupe: Dedupe;
  /** False when the system cannot be asked about a ticket (e-mail): `status` then answers `unknown`. */
  readonly readsStatus: boolean;
  create(draft: TicketDraft): Promise<FiledTicket>;
  /** Attach files to a ticket filed before; files already there (same name) are not sent again. */
  addAttachments(ticket: FiledTicket, draft: TicketDraft): Promise<void>;
  status(ticket: FiledTicket): Promise<TicketStatus>;
  /** Add a note to a ticket filed before, where the system supports it (ask once: a colleague's details). */
  addNote?(id: string, note: TicketNote): Promise<void>;
  /**
   * Set a filed ticket's type to a corrected kind, where the system can take it (an agent's correction):
   * throws a TicketError when the system refuses or cannot be reached, so a failure is never silent.
   */
  relabel?(ticket: FiledTicket, kind: TicketKind): Promise<RelabelResult>;
  close?(): Promise<void>;
}

/** Why a delivery failed: `retryable` errors are tried again later, the others go to the dead letters. */
export type TicketErrorCode =
  | 'AUTH' // 401/403: wrong or missing credentials
  | 'NOT_FOUND' // 404: wrong URL, desk, request type
  | 'REJECTED' // 400/409/422 and the like: the system refuses this ticket
  | 'RATE_LIMITED' // 429
  | 'UNAVAILABLE' // 5xx, SMTP 4xx
  | 'NETWORK' // no answer: refused, reset, timed out
  | 'CONFIG'; // the adapter is not set up (a missing environment variable)

/** An error from a ticket system, with a code, whether a retry can help, and how long to wait. */
export class TicketError extends Error {
  override readonly name = 'TicketError';
  constructor(
    readonly code: TicketErrorCode,
    message: string,
    readonly options: {
      system: string;
      status?: number;
      retryAfterMs?: number;
      /** The ticket exists already (its attachments did not make it): retry only the attachments. */
      filed?: FiledTicket;
      cause?: unknown;
    },
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
  }

  get retryable(): boolean {
    return this.code === 'RATE_LIMITED' || this.code === 'UNAVAILABLE' || this.code === 'NETWORK';
  }
}

/** Whether trying again may help; errors that are not TicketErrors (bugs, disk) count as transient. */
export function isRetryable(error: unknown): boolean {
  return error instanceof TicketError ? error.retryable : true;
}

/**
 * The reference a ticket carries into systems that can search on it (a tag, a custom field, TOPdesk's
 * external number): one word of letters and digits, so full-text search does not split it.
 */
export function externalRef(idempotencyKey: string): string {
  return `triage${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 24)}`;
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * A number people can quote for systems that do not answer one (e-mail, a webhook that returns no id):
 * derived from the idempotency key, so every retry names the same ticket. `HD-7K3M9Q2P`.
 */
export function referenceNumber(prefix: string, idempotencyKey: string): string {
  const bytes = createHash('sha256').update(idempotencyKey).digest();
  let out = '';
  for (let i = 0; i < 8; i++) out += CROCKFORD[bytes[i]! % 32];
  return `${prefix}-${out}`;
}

/**
 * The ticket was created but its attachments did not go through: an error that keeps the retry
 * reason of the failure and carries the filed ticket, so only the files are retried, never the ticket.
 */
export function attachmentsFailed(system: string, what: string, filed: FiledTicket, error: unknown): TicketError {
  const e = error instanceof TicketError ? error : null;
  return new TicketError(
    e?.code ?? 'UNAVAILABLE',
    `${system}: ${what} ${filed.id} filed, attachments not: ${(error as Error).message}`,
    {
      system,
      filed,
      ...(e?.options.retryAfterMs !== undefined ? { retryAfterMs: e.options.retryAfterMs } : {}),
      cause: error,
    },
  );
}
