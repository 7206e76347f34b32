import type { Config, Lang } from '../../core/config/schema.ts';
import { say } from '../../core/messages.ts';
import type { Person, TicketDraft } from '../../core/types.ts';
import { LocalTicketStore } from '../tickets/local/store.ts';
import type { Outbox } from '../tickets/outbox/outbox.ts';
import type { RelabelResult, TicketSink } from '../tickets/sink.ts';
import { kindName } from './examples.ts';
import { type Kind, learnFromTicket } from './learning.ts';
import type { LearnedExample, LearnedStore } from './store.ts';

/** An agent's correction of a ticket's kind, from a desk card. */
export interface KindCorrection {
  ticket: string;
  /** The kind the card showed (`incident`, `out_of_scope/hardware`); the draft's when not given. */
  from?: string;
  kind: Kind;
  by: Person;
  /** The desk it came from: `slack`, `teams`. */
  channel: string;
}

/**
 * What became of the ticket's type in the ticket system: `updated`, `unmapped` (no type configured for
 * that kind), `unsupported` (the system has no way to take it: e-mail), or `failed` with why.
 */
export type SystemRelabel = { result: RelabelResult | 'unsupported' } | { result: 'failed'; error: string };

/** What a correction did: the kinds before and after, the learned example, and the ticket system's answer. */
export interface Corrected {
  from: string;
  to: string;
  example: LearnedExample;
  system: SystemRelabel;
}

/**
 * Set the ticket's type in the ticket system, where it can take it; a failure (the system down, a
 * refusal) is an answer with the error, never thrown away: the caller reports it.
 */
export async function relabelInSystem(sink: TicketSink, ticket: string, kind: Kind): Promise<SystemRelabel> {
  if (!sink.relabel) return { result: 'unsupported' };
  try {
    return { result: await sink.relabel({ id: ticket }, kind) };
  } catch (error) {
    return { result: 'failed', error: (error as Error).message };
  }
}

/** The ticket system's answer in words, for the CLI and the logs. */
export function systemText(system: SystemRelabel, sink: string): string {
  switch (system.result) {
    case 'updated':
      return `type updated in ${sink}`;
    case 'unmapped':
      return `${sink} left as it was (no type configured for this kind)`;
    case 'unsupported':
      return `${sink} cannot take a type`;
    case 'failed':
      return `${sink} could not be updated: ${system.error}`;
  }
}

/**
 * A ticket's draft by its number: from the local store, else from the outbox, which keeps every
 * ticket it delivered to the other ticket systems (the full entry: the catalogue drops the conversation).
 */
export function draftFinder(sink: TicketSink, outbox: Outbox): (ticket: string) => Promise<TicketDraft | undefined> {
  const local = sink instanceof LocalTicketStore ? sink : null;
  return async (ticket) => {
    const stored = local ? await local.get(ticket).catch(() => null) : null;
    if (stored) return stored.draft;
    const brief = (await outbox.briefs()).find((e) => e.ticket?.id.toUpperCase() === ticket.toUpperCase());
    if (!brief) return undefined;
    return (await outbox.get(brief.key))?.draft ?? brief.draft;
  };
}

/** The one port the agent desks use to correct a ticket's kind; null when the ticket is not found. */
export interface DeskCorrections {
  correct(correction: KindCorrection): Promise<Corrected | null>;
}

export interface TicketCorrectionsDeps {
  config: Config;
  store: LearnedStore;
  /** The ticket's draft by its number (the local store, or the outbox's catalogue for other systems). */
  draftOf(ticket: string): Promise<TicketDraft | undefined>;
  /** A note on the ticket, where the ticket system can take one (the local store). */
  note?(ticket: string, note: { at: string; author: Person; text: string }): Promise<void>;
  /** The ticket's type set in the ticket system (see {@link relabelInSystem}); without it, `unsupported`. */
  relabel?(ticket: string, kind: Kind): Promise<SystemRelabel>;
  clock?: () => Date;
}

/**
 * Corrections from the agent desks: the person's first message becomes a learned example of the new
 * kind through {@link learnFromTicket} (scrubbed; pending approval unless `learning.approve_corrections`),
 * the ticket's type is set in the ticket system where it can take it, and the ticket gets a note
 * `kind corrected: a -> b` where the ticket system takes notes.
 */
export class TicketCorrections implements DeskCorrections {
  constructor(private readonly deps: TicketCorrectionsDeps) {}

  async correct(c: KindCorrection): Promise<Corrected | null> {
    const draft = await this.deps.draftOf(c.ticket);
    if (!draft) return null;
    const now = (this.deps.clock ?? (() => new Date()))();
    const example = await learnFromTicket(this.deps.config, this.deps.store, {
      ticket: c.ticket,
      draft,
      kind: c.kind,
      channel: c.channel,
      by: c.by.id,
      now,
    });
    const from = c.from ?? draft.label;
    const to = kindName(c.kind);
    const system: SystemRelabel = this.deps.relabel
      ? await this.deps.relabel(c.ticket, c.kind)
      : { result: 'unsupported' };
    await this.deps.note?.(c.ticket, { at: now.toISOString(), author: c.by, text: `kind corrected: ${from} -> ${to}` });
    return { from, to, example, system };
  }
}

/** Every kind an agent can choose on a desk card, in order: the four kinds, then out of scope per reason. */
export function deskKinds(config: Config, lang: Lang): { value: string; text: string }[] {
  const kinds = (['question', 'incident', 'change', 'complaint'] as const).map((k) => ({
    value: k,
    text: config.vocabulary.kinds[k][lang],
  }));
  const reasons = Object.keys(config.scope.reasons).map((r) => ({
    value: `out_of_scope/${r}`,
    text: kindText(config, lang, `out_of_scope/${r}`),
  }));
  return [...kinds, ...reasons];
}

/** A kind (`incident`, `out_of_scope/hardware`) as the desk shows it, in the desk's language. */
export function kindText(config: Config, lang: Lang, kind: string): string {
  const [label = '', reason = 'other'] = kind.split('/');
  if (label === 'out_of_scope')
    return say(config, lang, 'desk_out_of_scope', {
      reason: say(config, lang, `desk_oos_${reason}` as Parameters<typeof say>[2]),
    });
  return config.vocabulary.kinds[label as keyof Config['vocabulary']['kinds']]?.[lang] ?? kind;
}

/** The part of the handoff book a correction needs: the card's handoff, updated one change at a time. */
export interface KindBook<H extends { card: string; kind?: string | undefined }> {
  update(conversation: string, change: (h: H) => H | null): Promise<H | null>;
}

/**
 * One correction from a desk card, as both desks make it: the book takes it once (a double click finds
 * the kind already set: `unchanged`), it is learned and noted, and when the ticket cannot be found the
 * book is set back (`not_found`). Returns the correction and the handoff as the book now holds it.
 */
export async function correctOnCard<H extends { card: string; kind?: string | undefined }>(
  book: KindBook<H>,
  corrections: DeskCorrections,
  handoff: { conversation: string; card: string; ticket: string },
  correction: Omit<KindCorrection, 'ticket' | 'from'>,
  log: { error(obj: object, msg: string): void },
): Promise<(Corrected & { handoff: H }) | 'unchanged' | 'not_found'> {
  const to = kindName(correction.kind);
  let from = '';
  const changed = await book.update(handoff.conversation, (h) => {
    if (h.card !== handoff.card || (h.kind ?? '') === to) return null;
    from = h.kind ?? '';
    return { ...h, kind: to };
  });
  if (!changed) return 'unchanged';
  const corrected = await corrections
    .correct({ ticket: handoff.ticket, ...(from ? { from } : {}), ...correction })
    .catch((error: unknown) => {
      log.error({ err: String(error), ticket: handoff.ticket }, 'could not learn a kind correction');
      return null;
    });
  if (corrected) {
    // Learned, but the ticket system did not take the new type: said in the log, never dropped quietly.
    if (corrected.system.result === 'failed')
      log.error(
        { err: corrected.system.error, ticket: handoff.ticket, kind: to },
        'kind corrected and learned, but the ticket system did not take the new type',
      );
    return { ...corrected, handoff: changed };
  }
  await book.update(handoff.conversation, (h) => (h.kind === to ? { ...h, kind: from || undefined } : null));
  return 'not_found';
}
