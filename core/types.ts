import type { InScopeLabel, Label, Lang, OosReason, Slot } from './config/schema.ts';

/** A file the person sent with a message (channels fill `url`/`id` so adapters can fetch it). */
export interface Attachment {
  name: string;
  contentType: string;
  url?: string;
  size?: number;
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
  multiSubject: boolean;
  /** Details the bot asked for and did not get. */
  missing: Slot[];
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
  | { type: 'handoff'; reason: 'asked' | 'misunderstood'; ticket: TicketDraft }
  | { type: 'rejected'; reason: OosReason; text: string };

/** Status of a conversation after a turn, as in the CLI contract. */
export type Status = 'collecting' | 'filed' | 'rejected' | 'handoff' | 'done';

/** The request being triaged in a conversation. */
export interface RequestState {
  seq: number;
  text: string;
  extra: string[];
  label: InScopeLabel | null;
  classification: Omit<Classification, 'slots' | 'reasons'>;
  slots: Slots;
  attachments: Attachment[];
  /** Slot -> how many times asked. */
  asked: Partial<Record<Slot, number>>;
  /** Details the person could not give (answered "I don't know" or not at all). */
  skipped: Slot[];
}

/** Everything the core remembers of one conversation. */
export interface ConversationState {
  version: 1;
  conversation: string;
  lang: Lang;
  phase: 'idle' | 'choosing_label' | 'collecting' | 'rejected' | 'filing' | 'done' | 'handoff';
  awaiting: Slot | 'label' | null;
  request: RequestState | null;
  /** Last rejection, so "it is not hardware after all" can resume it. */
  rejected: RequestState | null;
  misunderstood: number;
  requests: number;
  lastTicket: FiledTicket | null;
  /** Idempotency key of a ticket being filed for a handoff (its confirmation differs). */
  pendingHandoff: string | null;
  transcript: TicketDraft['transcript'];
  updatedAt: string;
}

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
}
