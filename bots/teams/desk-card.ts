import { z } from 'zod';
import { deskKinds, kindText } from '../../adapters/learn/corrections.ts';
import type { Config, Lang, MessageKey, Slot } from '../../core/config/schema.ts';
import { say } from '../../core/messages.ts';
import type { Attachment, ConversationState, Person, TicketDraft } from '../../core/types.ts';
import { type AdaptiveCard, type CardAction, type CardElement, escapeCardText } from './cards.ts';

/** What the desk card's buttons send back on `Action.Submit` (the activity's `value`). */
export const deskSubmit = z.looseObject({
  action: z.literal('triage_desk'),
  act: z.enum(['claim', 'resolve', 'return', 'kind']),
  ticket: z.string().optional(),
  /** The kind chosen in the card's kind menu (`incident`, `out_of_scope/hardware`), with `act: kind`. */
  kind: z.string().optional(),
});
export type DeskSubmit = z.infer<typeof deskSubmit>;
export type DeskAct = Exclude<DeskSubmit['act'], 'kind'>;

// Teams refuses messages over about 100 KB: the card stays well under 80 KB.
const FACT_TEXT = 1000;
const TITLE_TEXT = 250;
const DESCRIPTION_TEXT = 12_000;
/** The conversation goes in the card up to this many characters; longer, it goes in the card's thread. */
const TRANSCRIPT_IN_CARD = 12_000;
/** Characters per message of the transcript in the thread. */
const TRANSCRIPT_PER_MESSAGE = 20_000;
const MESSAGE_TEXT = 28_000;
const STATUS_ID = 'desk_status';
/** The kind menu (its input's id is the submitted field), its button, and the line saying who corrected the kind. */
const KIND_INPUT = 'kind';
const KIND_BUTTONS_ID = 'desk_kind_buttons';
const KIND_NOTE_ID = 'desk_kind_note';
/** Details the card shows in its own rows (not among "every detail"). */
const OWN_ROWS = new Set<Slot>(['academy', 'site_id', 'description', 'screenshot']);

/** What a card is made of: the handoff as the service gives it, in the desk's language. */
export interface DeskCardInput {
  config: Config;
  lang: Lang;
  ticket: string;
  url?: string;
  draft: TicketDraft;
  transcript: ConversationState['transcript'];
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Adaptive Cards render TextBlocks and facts as a subset of Markdown: what people typed must not turn into it. */
const escapeMarkdown = escapeCardText;

function textBlock(text: string, extra: Record<string, unknown> = {}): CardElement {
  return { type: 'TextBlock', text, wrap: true, ...extra };
}

/**
 * The desk card of a handoff, as an Adaptive Card: requester, academy or site, kind, urgency, every
 * detail, the screenshots (links), the ticket (with a button to open it when the ticket system gives a
 * URL), the conversation so far, and Claim. A conversation too long for the card comes in its thread
 * (`thread`, plain-text messages posted after the card).
 */
export function deskCard(input: DeskCardInput): { card: AdaptiveCard; summary: string; thread: string[] } {
  const { config, lang, draft } = input;
  const t = (key: MessageKey, params: Record<string, string | number> = {}) => say(config, lang, key, params);
  const requester = nameOf(draft.requester);
  const intro = t('desk_card', { requester, ticket: input.ticket });
  const place = draft.slots.academy
    ? { title: config.vocabulary.slots.academy[lang], value: academy(config, draft.slots.academy) }
    : draft.slots.site_id
      ? { title: config.vocabulary.slots.site_id[lang], value: site(config, draft.slots.site_id) }
      : null;
  const facts = [
    { title: t('desk_requester'), value: [requester, draft.requester.email].filter(Boolean).join(', ') },
    ...(place ? [place] : []),
    { title: t('desk_kind'), value: config.vocabulary.kinds[draft.label][lang] },
    { title: t('desk_urgency'), value: t(draft.urgent ? 'desk_urgent' : 'desk_normal') },
    { title: t('desk_ticket'), value: input.ticket },
    ...Object.entries(draft.slots)
      .filter(([slot, value]) => !OWN_ROWS.has(slot as Slot) && value)
      .map(([slot, value]) => ({ title: config.vocabulary.slots[slot as Slot][lang], value: value as string })),
  ].map((f) => ({ title: escapeMarkdown(clip(f.title, FACT_TEXT)), value: escapeMarkdown(clip(f.value, FACT_TEXT)) }));
  const body: CardElement[] = [
    textBlock(`${draft.urgent ? '🚨 ' : ''}${escapeMarkdown(intro)}`, draft.urgent ? { color: 'Attention' } : {}),
    textBlock(escapeMarkdown(clip(draft.title || input.ticket, TITLE_TEXT)), { size: 'Medium', weight: 'Bolder' }),
    { type: 'FactSet', facts },
  ];
  if (draft.description)
    body.push(textBlock(escapeMarkdown(clip(draft.description, DESCRIPTION_TEXT)), { separator: true }));
  if (draft.attachments.length > 0)
    body.push(textBlock(`📎 ${escapeMarkdown(config.vocabulary.slots.screenshot[lang])}: ${files(draft.attachments)}`));
  const lines = input.transcript.map(
    (m) => `${m.from === 'user' ? requester : t('desk_bot')}: ${m.text.replace(/\s*\n\s*/g, ' ')}`,
  );
  const whole = lines.join('\n');
  const thread: string[] = [];
  if (lines.length > 0 && whole.length <= TRANSCRIPT_IN_CARD) {
    body.push(
      textBlock(escapeMarkdown(t('desk_transcript')), { weight: 'Bolder', separator: true }),
      ...lines.map((line) => textBlock(escapeMarkdown(line), { spacing: 'Small' })),
    );
  } else if (lines.length > 0) {
    body.push(textBlock(escapeMarkdown(t('desk_transcript_in_thread')), { isSubtle: true, separator: true }));
    let current = `${t('desk_transcript')}\n`;
    for (const line of lines.map((l) => clip(l, TRANSCRIPT_PER_MESSAGE - 100))) {
      if (current.length + line.length + 1 > TRANSCRIPT_PER_MESSAGE) {
        thread.push(current);
        current = '';
      }
      current = current ? `${current}\n${line}` : line;
    }
    if (current) thread.push(current);
  }
  body.push(...kindMenu(config, lang, input.ticket));
  const card: AdaptiveCard = {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: '1.5',
    body,
    actions: [...buttons(config, lang, input.ticket, ['claim']), ...ticketLink(input)],
    msteams: { width: 'Full' },
  };
  return { card, summary: clip(`${intro} ${draft.title}`, 200), thread };
}

/**
 * The card once claimed or ended: who took it (or ended it, and how) under the details, and the
 * buttons that now apply (Resolve and Return to bot; none once ended). The link to the ticket stays.
 */
export function cardWithStatus(
  sent: AdaptiveCard,
  status: { config: Config; lang: Lang; ticket: string; text: string; acts: DeskAct[] },
): AdaptiveCard {
  const body = sent.body.filter((element) => element.id !== STATUS_ID);
  body.push(textBlock(escapeMarkdown(status.text), { id: STATUS_ID, weight: 'Bolder', separator: true }));
  const links = (sent.actions ?? []).filter((a) => a.type === 'Action.OpenUrl');
  const actions = [...buttons(status.config, status.lang, status.ticket, status.acts), ...links];
  const { actions: _old, ...rest } = sent;
  return { ...rest, body, ...(actions.length ? { actions } : {}) };
}

/**
 * The card once an agent corrected the ticket's kind: the Kind fact shows the new kind, and a line under
 * the menu says who corrected it, from what to what.
 */
export function cardWithKind(
  sent: AdaptiveCard,
  change: { config: Config; lang: Lang; kind: string; note: string },
): AdaptiveCard {
  const title = escapeMarkdown(clip(say(change.config, change.lang, 'desk_kind'), FACT_TEXT));
  const value = escapeMarkdown(clip(kindText(change.config, change.lang, change.kind), FACT_TEXT));
  const body: CardElement[] = [];
  for (const element of sent.body) {
    if (element.id === KIND_NOTE_ID) continue;
    if (element.type === 'FactSet' && Array.isArray(element.facts)) {
      const facts = element.facts as { title: string; value: string }[];
      body.push({ ...element, facts: facts.map((f) => (f.title === title ? { ...f, value } : f)) });
      continue;
    }
    body.push(element);
    if (element.id === KIND_BUTTONS_ID)
      body.push(textBlock(escapeMarkdown(change.note), { id: KIND_NOTE_ID, isSubtle: true, spacing: 'Small' }));
  }
  return { ...sent, body };
}

/** The menu of kinds and its button: the agent corrects the ticket's kind (the bot learns from it). */
function kindMenu(config: Config, lang: Lang, ticket: string): CardElement[] {
  const label = clip(say(config, lang, 'desk_correct_kind'), 60);
  return [
    {
      type: 'Input.ChoiceSet',
      id: KIND_INPUT,
      style: 'compact',
      label,
      placeholder: label,
      separator: true,
      choices: deskKinds(config, lang).map((k) => ({ title: clip(k.text, 100), value: k.value })),
    },
    {
      type: 'ActionSet',
      id: KIND_BUTTONS_ID,
      actions: [{ type: 'Action.Submit', title: label, data: { action: 'triage_desk', act: 'kind', ticket } }],
    },
  ];
}

/** What the person said during the handoff, as a plain-text message in the card's thread. */
export function relayText(name: string, text: string, attachments: Attachment[]): string {
  const names = attachments.map((a) => (a.url ? `${a.name} (${a.url})` : a.name)).join(', ');
  return clip([`${name}: ${text}`.trimEnd(), names ? `📎 ${names}` : ''].filter(Boolean).join('\n'), MESSAGE_TEXT);
}

/** A person's name as the desk shows it. */
export function nameOf(person: Person): string {
  return person.name || person.email || person.id || '?';
}

function buttons(config: Config, lang: Lang, ticket: string, acts: DeskAct[]): CardAction[] {
  const labels = { claim: 'desk_claim', resolve: 'desk_resolve', return: 'desk_return' } as const;
  return acts.map((act) => ({
    type: 'Action.Submit' as const,
    title: clip(say(config, lang, labels[act]), 60),
    data: { action: 'triage_desk' as const, act, ticket },
    ...(act === 'return' ? {} : { style: 'positive' as const }),
  }));
}

function ticketLink(input: DeskCardInput): CardAction[] {
  return input.url && /^https?:\/\//.test(input.url)
    ? [{ type: 'Action.OpenUrl', title: input.ticket, url: input.url }]
    : [];
}

function files(attachments: Attachment[]): string {
  const links = attachments.map((a) =>
    a.url && /^https?:\/\//.test(a.url)
      ? `[${escapeMarkdown(a.name)}](${a.url.replace(/[()\s]/g, encodeURIComponent)})`
      : escapeMarkdown(a.name),
  );
  return clip(links.join(', '), 4000);
}

function academy(config: Config, code: string): string {
  const a = config.directories.academies.find((x) => x.code === code);
  return a ? `${a.code} (${a.name})` : code;
}

function site(config: Config, id: string): string {
  const s = config.directories.sites.find((x) => x.id === id);
  return s ? `${s.id} (${s.name})` : id;
}
