import type { InScopeLabel, Label, Lang, OosReason, Slot } from './config/schema.ts';

/** A file the person sent with a message (channels fill `url`/`id` so adapters can fetch it). */
export interface Attachment {
  name: string;
  contentType: string;
  url?: string;
  size?: number;
  /** Key of the file's bytes in the host's file store, once the channel downloaded it. */
  ref?: string;
}

/** Who is talking, as far as the channel knows. */
export interface Person {
  id: string;
  name?: string;
  email?: string;
}

/** One message from a person: what a channel hands to the core. */
export interface Turn {
  conversation: string;
  user: Person;
  text: string;
  attachments?: Attachment[];
  /** A button press or numbered choice, when the channel knows it (e.g. a card's submit value). */
  choice?: string;
  /** The channel shows cards with buttons: the core then previews a ticket before filing it. */
  interactive?: boolean;
}

/** The details of a request, by slot name, as canonical values. */
export type Slots = Partial<Record<Exclude<Slot, 'screenshot'>, string>>;

/** What the classifier concluded about one message. */
export interface Classification {
  label: Label;
  oosReason: OosReason | null;
  confidence: number;
  /** Probability per label (sums to 1). */
  scores: Record<Label, number>;
  /** Best in-scope label, used when an out-of-scope verdict is overridden. */
  inScopeLabel: InScopeLabel;
  lang: Lang;
  urgent: boolean;
  multiSubject: boolean;
  slots: Slots;
  /** The features that weighed most for the chosen label (for `triage eval`). */
  reasons: string[];
}

/** What the bot says: text plus, when it asks to choose, the choices (channels render buttons). */
export interface Reply {
  text: string;
  choices?: { value: string; label: string }[];
  /** A ticket shown for confirmation before filing (channels render it as a card). */
  preview?: TicketPreview;
}

/** Every detail of a ticket about to be filed, labelled in the person's language. */
export interface TicketPreview {
  /** "This is what I'll send to the helpdesk:" and "Is this right?", for cards that show the fields. */
  intro: string;
  question: string;
  title: string;
  kind: string;
  urgent: boolean;
  fields: { slot: Slot; label: string; value: string }[];
  description: string;
  attachments: string[];
}

/** Everything a ticket holds when the core asks to file it. */
export interface TicketDraft {
  /** Same key, same ticket: filing twice with one key must not create two tickets. */
  idempotencyKey: string;
  conversation: string;
  requester: Person;
  label: InScopeLabel;
  title: string;
  description: string;
  slots: Slots;
  attachments: Attachment[];
  lang: Lang;
  urgent: boolean;
  /** High for urgent incidents, normal otherwise (adapters map it to their own scale). */
  priority: 'high' | 'normal';
  multiSubject: boolean;
  /** Details the bot asked for and did not get. */
  missing: Slot[];
  /** Manual / changelog pages proposed before filing that did not answer the request (ids). */
  proposed?: string[];
  /** The billing rule the person was warned about (may be charged) and accepted. */
  billable?: string;
  /** Whether the person is a registered reference person / editor (absent: not checked). */
  registered?: boolean;
  /** An open ticket on the same subject the person chose not to join. */
  related?: string;
  handoff: boolean;
  transcript: { from: 'user' | 'bot'; text: string; at: string }[];
  createdAt: string;
}

/** A ticket as the helpdesk system holds it. */
export interface FiledTicket {
  id: string;
  url?: string;
}

/** Side effects the core asks its host to carry out. */
export type Effect =
  | { type: 'file_ticket'; ticket: TicketDraft }
  | { type: 'handoff'; reason: 'asked' | 'misunderstood' | 'rule'; ticket: TicketDraft }
  /** A live handoff began: the host posts it to the agent desk (ticket, transcript, details). */
  | { type: 'desk_open'; ticket: string; draft?: TicketDraft }
  /** What the person said during a live handoff, for the agent who has it. */
  | { type: 'relay'; text: string; attachments: Attachment[] }
  /** "What is the status of HD-000123?": the host asks the ticket system, answers `ticket_status`. */
  | {
      type: 'ticket_status';
      id: string;
      /** Who asks: the host tells the status only of the person's own tickets (or their academy's / site's). */
      requester: Person;
      unit?: string;
    }
  | { type: 'rejected'; reason: OosReason; text: string }
  /** Look up open tickets of an academy or site (ask once); the host answers with `tickets_found`. */
  | { type: 'find_tickets'; key: string; academy?: string; siteId?: string; since: string }
  /** Add the person's details to an existing ticket instead of filing a new one. */
  /** A note on an existing ticket: `duplicate` (ask once) or `addendum` (more for the ticket just filed). */
  | {
      type: 'add_to_ticket';
      ticketId: string;
      text: string;
      attachments: Attachment[];
      purpose?: 'duplicate' | 'addendum' | 'resolved';
    }
  /** A fact about the helpdesk answered from config (hours, phone, reply time...): no ticket. */
  | { type: 'answered_fact'; fact: string }
  /** The manual or changelog answered: no ticket (counted as resolved by the manual). */
  | { type: 'resolved_by_manual'; pages: string[] }
  /** Part of the message was over a configured limit and was refused with a polite answer (for metrics). */
  | { type: 'input_limited'; limit: 'text_length' | 'attachments' | 'attachment_size' | 'attachment_type' };

/** Where a ticket stands, as the ticket system says (or that it does not know it). */
export type TicketState = 'open' | 'pending' | 'resolved' | 'closed' | 'unknown' | 'not_found';

/** An open ticket as the host reports it for the ask-once check. */
export interface TicketSummary {
  id: string;
  title: string;
  description: string;
  screen?: string;
  requester: Person;
  createdAt: string;
}

/** An open ticket as offered to someone else who reports the same subject. */
export interface OfferedTicket {
  id: string;
  title: string;
  createdAt: string;
}

/** What the bot asked for in its last turn (CLI contract: a slot, `label`, `confirm`, or nothing). */
export type Awaiting = Slot | 'label' | 'confirm' | null;

/** A ticket handed to the ticket system whose number is not known yet. */
export interface PendingTicket {
  key: string;
  title: string;
  urgent: boolean;
  handoff: boolean;
  /** The ticket system refused it; a person follows up (the number may still come after a retry). */
  failed?: boolean;
  /** One of a split message's subjects, filed with the last: its number is said with its subject. */
  subject?: boolean;
}

/** Status of a conversation after a turn, as in the CLI contract. */
export type Status = 'collecting' | 'filed' | 'rejected' | 'handoff' | 'done';

/** The request being triaged in a conversation. */
export interface RequestState {
  seq: number;
  text: string;
  extra: string[];
  label: InScopeLabel | null;
  /** The classifier's verdict (its language is the conversation's, kept once in the state). */
  classification: Omit<Classification, 'slots' | 'reasons' | 'lang'>;
  slots: Slots;
  attachments: Attachment[];
  /** The person's own explanation when the opening said too little: the ticket's title comes from it. */
  subject?: string;
  /** "Is it fixed yet?": looked up among open tickets and the changelog before anything is filed. */
  progress?: true;
  /** The person said what it is about (enough words), in the opening or when asked. */
  described?: boolean;
  /** The person chose the kind from the menu (else the classifier decided it). */
  chosen?: true;
  /** The menu of kinds was shown for this request (it is shown once; after that the best guess goes on). */
  menu?: true;
  /** Answers that did not match a directory or pattern, kept as the person gave them (for the ticket). */
  given?: Partial<Record<Slot, string>>;
  /** Slot -> how many times asked. */
  asked: Partial<Record<Slot, number>>;
  /** Details that do not exist for this request ("there is no error message"): neither asked nor missing. */
  absent?: Slot[];
  /** Details the person could not give (answered "I don't know" or not at all). */
  skipped: Slot[];
  /** A long list of questions filed as one ticket (with the advice to e-mail lists). */
  list?: boolean;
  /** Checks done before filing: manual proposed, registry, billing warning, open tickets looked up. */
  checks?: { manual?: boolean; registry?: boolean; billing?: boolean; duplicates?: boolean };
  proposed?: string[];
  billable?: string;
  registered?: boolean;
  related?: string;
  /**
   * The open ticket offered as the same subject (while the person chooses): what the offer says of it,
   * the colleague by first name only (their contact details stay out of this person's state).
   */
  duplicate?: OfferedTicket;
}

/** Phases in which the bot works on a request: the state holds it (see `PhaseState`). */
export type RequestPhase =
  /** "Is it fixed yet?" found nothing: the bot offered to file a ticket. */
  | 'offering'
  /** A list of questions: one ticket per question, or the list by e-mail. */
  | 'choosing_list'
  | 'choosing_label'
  | 'clarifying'
  | 'collecting'
  | 'confirming'
  | 'editing'
  | 'deflecting'
  | 'billing'
  | 'checking'
  | 'filing';

/** Phases between requests: the state holds none. */
export type FreePhase =
  | 'idle'
  /** A greeting or a colleague's name only: the bot asked what the request is about. */
  | 'opening'
  | 'rejected'
  | 'done'
  | 'handoff';

/** A request offered to join an open ticket on the same subject: it holds the ticket offered. */
export type DuplicateRequest = RequestState & { duplicate: OfferedTicket };

/** The phase, and the request the phase guarantees (none between requests). */
export type PhaseState =
  | { phase: FreePhase; request: null }
  | { phase: RequestPhase; request: RequestState }
  | { phase: 'duplicate'; request: DuplicateRequest };

/** What the core remembers of one conversation besides its phase and request. */
export interface ConversationBase {
  /** Stored states of older versions are upgraded on load (core/dialog/state.ts). */
  version: 2;
  conversation: string;
  lang: Lang;
  awaiting: Awaiting;
  /** Last rejection, so "it is not hardware after all" can resume it. */
  rejected: RequestState | null;
  misunderstood: number;
  requests: number;
  lastTicket: FiledTicket | null;
  /** Idempotency key of a ticket being filed for a handoff (its confirmation differs). */
  pendingHandoff: string | null;
  /** Tickets registered but not yet numbered by the ticket system (the number follows). */
  pendingTickets?: PendingTicket[];
  /** Subjects of a split first message still to triage, each to become its own ticket. */
  queue?: string[];
  /** A file was announced for this ticket ("ik stuur zo een screenshot"): the next file goes to it. */
  addendumFor?: string;
  /** Subjects of a split message already complete, filed together with the last one. */
  ready?: RequestState[];
  /** Details shared by the subjects of a split message (academy, contact), asked once. */
  shared?: Slots;
  /** The person's channel shows cards with buttons (from the last turn). */
  interactive?: boolean;
  /**
   * A handoff to a person: its ticket, whether it is live (contact hours), who took it, and whether the
   * person asked for someone without naming their academy or site (`bare`: what they say next is for it).
   */
  handoff?: { ticket: string; live: boolean; since: string; agent?: Person; bare?: boolean };
  /** The academy or site of the person's last filed request (status questions about their organisation). */
  unit?: string;
  /** Who spoke last (the channel's user). */
  user?: Person;
  /** The closing rule: when the person was reminded of an unanswered question, and when it closes. */
  remindedAt?: string;
  closesAt?: string;
  transcript: TicketDraft['transcript'];
  updatedAt: string;
}

/** Everything the core remembers of one conversation: a union per phase, so the phase says if a request is kept. */
export type ConversationState = ConversationBase & PhaseState;

/** What the core hands back for every event. */
export interface Outcome {
  state: ConversationState;
  replies: Reply[];
  effects: Effect[];
  status: Status;
}

/** Injected time; the core never reads the clock itself. */
export interface CoreContext {
  now: Date;
  /** The host has an agent desk where people can take over live (else a handoff is a ticket only). */
  desk?: boolean;
}
