import type { types } from '@slack/bolt';
import { deskKinds, kindText } from '../../adapters/learn/corrections.ts';
import type { Config, Lang, Slot } from '../../core/config/schema.ts';
import { say } from '../../core/messages.ts';
import type { Attachment, ConversationState, Person, TicketDraft } from '../../core/types.ts';
import type { SlackMessage } from './blocks.ts';
import { clip, escapeMrkdwn, mrkdwnChunks, mrkdwnLink } from './text.ts';

type Block = types.KnownBlock;

/** The desk card's buttons (claim, then resolve or give the conversation back to the bot) and its kind menu. */
export const DESK_ACTION = /^desk_(claim|resolve|return|kind)$/;
export type DeskAction = 'claim' | 'resolve' | 'return';
const ACTIONS_BLOCK = 'desk_actions';
const STATUS_BLOCK = 'desk_status';
/** The menu that corrects the ticket's kind (`desk_kind`), and the line that says who corrected it. */
export const KIND_ACTION = 'desk_kind';
const KIND_BLOCK = 'desk_kind_menu';
const KIND_NOTE_BLOCK = 'desk_kind_note';
const KIND_FIELD_BLOCK = 'desk_fields';

// Block Kit's limits (https://docs.slack.dev/reference/block-kit/blocks).
const SECTION_TEXT = 3000;
const HEADER_TEXT = 150;
const FIELD_TEXT = 2000;
const FIELDS_PER_SECTION = 10;
const BLOCKS = 50;
const MESSAGE_TEXT = 39_000;
/** The conversation goes in the card up to this many sections; longer, it goes in the thread. */
const TRANSCRIPT_IN_CARD = 4;
/** Sections per message of the transcript in the thread. */
const TRANSCRIPT_PER_MESSAGE = 20;
const DESCRIPTION_SECTIONS = 2;
/** Details the card shows in its own rows (not among "every detail"). */
const OWN_ROWS = new Set<Slot>(['academy', 'site_id', 'description', 'screenshot']);

/** What a card is made of: the handoff as the service gives it, in the desk's language. */
export interface CardInput {
  config: Config;
  lang: Lang;
  ticket: string;
  url?: string;
  draft: TicketDraft;
  transcript: ConversationState['transcript'];
}

/**
 * The desk card of a handoff: requester, academy or site, kind, urgency, every detail, the screenshots,
 * the ticket (a link when the ticket system gives one), the conversation so far, and a Claim button.
 * A conversation too long for the card goes in its thread (`thread`, posted after the card).
 */
export function deskCard(input: CardInput): { card: SlackMessage; thread: SlackMessage[] } {
  const { config, lang, draft } = input;
  const t = (key: Parameters<typeof say>[2], params: Record<string, string | number> = {}) =>
    say(config, lang, key, params);
  const requester = nameOf(draft.requester);
  const ticket = input.url ? mrkdwnLink(input.url, input.ticket) : escapeMrkdwn(input.ticket);
  const intro = escapeMrkdwn(t('desk_card', { requester, ticket: '\u0000' })).replace('\u0000', ticket);
  const blocks: Block[] = [
    section(`${draft.urgent ? ':rotating_light: ' : ''}${intro}`),
    {
      type: 'header',
      text: { type: 'plain_text', text: clip(draft.title || input.ticket, HEADER_TEXT), emoji: false },
    },
  ];
  const place = draft.slots.academy
    ? { label: config.vocabulary.slots.academy[lang], value: academy(config, draft.slots.academy) }
    : draft.slots.site_id
      ? { label: config.vocabulary.slots.site_id[lang], value: site(config, draft.slots.site_id) }
      : null;
  const rows: { label: string; value: string; raw?: boolean }[] = [
    { label: t('desk_requester'), value: [requester, draft.requester.email].filter(Boolean).join('\n') },
    ...(place ? [place] : []),
    { label: t('desk_kind'), value: config.vocabulary.kinds[draft.label][lang] },
    { label: t('desk_urgency'), value: t(draft.urgent ? 'desk_urgent' : 'desk_normal') },
    { label: t('desk_ticket'), value: ticket, raw: true },
    ...Object.entries(draft.slots)
      .filter(([slot, value]) => !OWN_ROWS.has(slot as Slot) && value)
      .map(([slot, value]) => ({ label: config.vocabulary.slots[slot as Slot][lang], value: value as string })),
  ];
  for (let i = 0; i < rows.length; i += FIELDS_PER_SECTION) {
    blocks.push({
      type: 'section',
      ...(i === 0 ? { block_id: KIND_FIELD_BLOCK } : {}),
      fields: rows.slice(i, i + FIELDS_PER_SECTION).map((row) => ({
        type: 'mrkdwn' as const,
        text: clip(`*${escapeMrkdwn(row.label)}*\n${row.raw ? row.value : escapeMrkdwn(row.value)}`, FIELD_TEXT),
      })),
    });
  }
  if (draft.description) {
    const pieces = mrkdwnChunks(draft.description, SECTION_TEXT);
    const shown = pieces.slice(0, DESCRIPTION_SECTIONS);
    if (pieces.length > shown.length) shown[shown.length - 1] = clip(shown.at(-1)!, SECTION_TEXT);
    blocks.push(...shown.map(section));
  }
  if (draft.attachments.length > 0) {
    const label = `*${escapeMrkdwn(config.vocabulary.slots.screenshot[lang])}:*`;
    blocks.push(context(`:paperclip: ${label} ${files(draft.attachments)}`));
  }
  const lines = transcriptSections(input.transcript, requester, t('desk_bot'));
  const thread: SlackMessage[] = [];
  const inCard =
    lines.length <= TRANSCRIPT_IN_CARD && blocks.length + 1 + lines.length + 2 <= BLOCKS && lines.length > 0;
  if (inCard) {
    blocks.push({ type: 'divider' }, context(`*${escapeMrkdwn(t('desk_transcript'))}*`), ...lines.map(section));
  } else if (lines.length > 0) {
    blocks.push(context(`_${escapeMrkdwn(t('desk_transcript_in_thread'))}_`));
    for (let i = 0; i < lines.length; i += TRANSCRIPT_PER_MESSAGE) {
      const part = lines.slice(i, i + TRANSCRIPT_PER_MESSAGE);
      thread.push({
        text: t('desk_transcript'),
        blocks: [...(i === 0 ? [context(`*${escapeMrkdwn(t('desk_transcript'))}*`)] : []), ...part.map(section)],
      });
    }
  }
  blocks.push(kindMenu(config, lang), buttons(config, lang, input.ticket, ['claim']));
  const text = clip(`${t('desk_card', { requester, ticket: input.ticket })} ${draft.title}`, MESSAGE_TEXT);
  return { card: { text, blocks }, thread };
}

/**
 * The card once claimed or ended: who took it (or ended it, and how) under the details, and the
 * buttons that now apply (Resolve and Return to bot; none once ended). Works on the blocks Slack sends
 * back with the click, so the card keeps what it showed.
 */
export function cardWithStatus(
  blocks: unknown[],
  status: { config: Config; lang: Lang; ticket: string; text: string; actions: DeskAction[] },
): Block[] {
  const kept = blocks.filter((block) => {
    const id = (block as { block_id?: string }).block_id;
    return id !== ACTIONS_BLOCK && id !== STATUS_BLOCK;
  }) as Block[];
  const out: Block[] = [
    ...kept.slice(0, BLOCKS - 2),
    { type: 'context', block_id: STATUS_BLOCK, elements: [{ type: 'mrkdwn', text: clip(status.text, 3000) }] },
  ];
  if (status.actions.length > 0) out.push(buttons(status.config, status.lang, status.ticket, status.actions));
  return out;
}

/**
 * The card once an agent corrected the ticket's kind: the Kind field shows the new kind, and a line
 * under the menu says who corrected it, from what to what. Works on the blocks Slack sends back.
 */
export function cardWithKind(
  blocks: unknown[],
  change: { config: Config; lang: Lang; kind: string; note: string },
): Block[] {
  const label = `*${escapeMrkdwn(say(change.config, change.lang, 'desk_kind'))}*\n`;
  const value = escapeMrkdwn(kindText(change.config, change.lang, change.kind));
  const out: Block[] = [];
  for (const block of blocks as Block[]) {
    const id = (block as { block_id?: string }).block_id;
    if (id === KIND_NOTE_BLOCK) continue;
    if (id === KIND_FIELD_BLOCK && block.type === 'section' && block.fields) {
      out.push({
        ...block,
        fields: block.fields.map((f) =>
          f.text.startsWith(label) ? { ...f, text: clip(`${label}${value}`, FIELD_TEXT) } : f,
        ),
      });
      continue;
    }
    out.push(block);
    if (id === KIND_BLOCK)
      out.push({
        type: 'context',
        block_id: KIND_NOTE_BLOCK,
        elements: [{ type: 'mrkdwn', text: clip(change.note, 3000) }],
      });
  }
  return out.slice(0, BLOCKS);
}

/** The menu of kinds an agent corrects the ticket's kind with (its value: `incident`, `out_of_scope/hardware`). */
function kindMenu(config: Config, lang: Lang): Block {
  return {
    type: 'actions',
    block_id: KIND_BLOCK,
    elements: [
      {
        type: 'static_select',
        action_id: KIND_ACTION,
        placeholder: { type: 'plain_text', text: clip(say(config, lang, 'desk_correct_kind'), 150), emoji: false },
        options: deskKinds(config, lang).map((k) => ({
          text: { type: 'plain_text' as const, text: clip(k.text, 75), emoji: false },
          value: k.value,
        })),
      },
    ],
  };
}

/** What the person said during the handoff, in the card's thread, marked with the person's name. */
export function relayMessage(name: string, text: string, attachments: Attachment[]): SlackMessage {
  const pieces = text ? mrkdwnChunks(text, SECTION_TEXT - 200) : [];
  const blocks: Block[] = pieces.map((piece, i) => section(i === 0 ? `*${escapeMrkdwn(name)}:* ${piece}` : piece));
  if (attachments.length > 0) blocks.push(context(`:paperclip: ${files(attachments)}`));
  if (blocks.length === 0) blocks.push(section(`*${escapeMrkdwn(name)}:*`));
  return { text: clip(`${name}: ${text}`, MESSAGE_TEXT), blocks: blocks.slice(0, BLOCKS) };
}

/** A person's name as the desk shows it (the Slack id when the name is unknown). */
export function nameOf(person: Person): string {
  return person.name || person.email || person.id || '?';
}

function buttons(config: Config, lang: Lang, ticket: string, actions: DeskAction[]): Block {
  const labels = { claim: 'desk_claim', resolve: 'desk_resolve', return: 'desk_return' } as const;
  return {
    type: 'actions',
    block_id: ACTIONS_BLOCK,
    elements: actions.map((action) => ({
      type: 'button' as const,
      action_id: `desk_${action}`,
      text: { type: 'plain_text' as const, text: clip(say(config, lang, labels[action]), 75), emoji: false },
      value: ticket,
      ...(action === 'return' ? {} : { style: 'primary' as const }),
    })),
  };
}

/** The conversation as mrkdwn sections of at most 3,000 characters, each message marked with who said it. */
function transcriptSections(transcript: CardInput['transcript'], person: string, bot: string): string[] {
  const sections: string[] = [];
  let current = '';
  for (const message of transcript) {
    const who = `*${escapeMrkdwn(message.from === 'user' ? person : bot)}:* `;
    const pieces = mrkdwnChunks(message.text, SECTION_TEXT - who.length - 1);
    pieces.forEach((piece, i) => {
      const line = i === 0 ? `${who}${piece}` : piece;
      if (current && current.length + 1 + line.length > SECTION_TEXT) {
        sections.push(current);
        current = '';
      }
      current = current ? `${current}\n${line}` : line;
    });
  }
  if (current) sections.push(current);
  return sections;
}

function files(attachments: Attachment[]): string {
  return clip(attachments.map((a) => (a.url ? mrkdwnLink(a.url, a.name) : escapeMrkdwn(a.name))).join(', '), 2900);
}

function academy(config: Config, code: string): string {
  const a = config.directories.academies.find((x) => x.code === code);
  return a ? `${a.code} (${a.name})` : code;
}

function site(config: Config, id: string): string {
  const s = config.directories.sites.find((x) => x.id === id);
  return s ? `${s.id} (${s.name})` : id;
}

function section(text: string): Block {
  return { type: 'section', text: { type: 'mrkdwn', text } };
}

function context(text: string): Block {
  return { type: 'context', elements: [{ type: 'mrkdwn', text: clip(text, 3000) }] };
}
