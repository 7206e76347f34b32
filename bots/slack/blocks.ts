import type { types } from '@slack/bolt';
import type { FiledTicket, Reply, TicketPreview } from '../../core/types.ts';
import { clip, escapeMrkdwn, mrkdwnChunks, mrkdwnLink } from './text.ts';

type Block = types.KnownBlock;
type Button = types.Button;

/** Every button the bot sends has an action id starting so; the app listens to exactly these. */
export const CHOICE_ACTION = /^triage_choice_\d+$/;
/** The block holding a reply's buttons names the conversation the buttons answer to. */
const CHOICES_BLOCK = 'triage:';

// Block Kit's limits (https://docs.slack.dev/reference/block-kit/blocks).
const SECTION_TEXT = 3000;
const HEADER_TEXT = 150;
const FIELD_TEXT = 2000;
const FIELDS_PER_SECTION = 10;
const BUTTON_TEXT = 75;
const BUTTONS_PER_BLOCK = 25;
const MESSAGE_TEXT = 39_000;
const DESCRIPTION_SECTIONS = 4;

/** A message as `chat.postMessage` takes it: the notification text and the blocks shown. */
export interface SlackMessage {
  text: string;
  blocks: Block[];
}

/**
 * One core reply as a Slack message. Choices become buttons whose value goes back to the core as
 * `turn.choice`; a ticket preview becomes a card with every detail. Ticket numbers of filed tickets
 * with a URL become links.
 */
export function renderReply(reply: Reply, conversation: string, tickets: FiledTicket[] = []): SlackMessage {
  const blocks: Block[] = reply.preview
    ? previewCard(reply.preview)
    : mrkdwnChunks(reply.text, SECTION_TEXT).map((text) => section(linkTickets(text, tickets)));
  if (reply.choices?.length) blocks.push(choiceButtons(reply.choices, conversation));
  return { text: clip(reply.text, MESSAGE_TEXT), blocks };
}

function section(text: string): Block {
  return { type: 'section', text: { type: 'mrkdwn', text } };
}

/** Ticket numbers in (escaped) text as links to the ticket, for systems that give a URL. */
function linkTickets(text: string, tickets: FiledTicket[]): string {
  let out = text;
  for (const ticket of tickets) {
    if (!ticket.url) continue;
    const id = escapeMrkdwn(ticket.id);
    out = out.split(id).join(mrkdwnLink(ticket.url, ticket.id));
  }
  return out;
}

/** The ticket about to be filed: title, kind, every detail, the description and the files. */
function previewCard(preview: TicketPreview): Block[] {
  const blocks: Block[] = [
    section(escapeMrkdwn(preview.intro)),
    { type: 'header', text: { type: 'plain_text', text: clip(preview.title, HEADER_TEXT), emoji: false } },
    {
      type: 'context',
      elements: [
        { type: 'mrkdwn', text: `${preview.urgent ? ':rotating_light: ' : ''}*${escapeMrkdwn(preview.kind)}*` },
      ],
    },
  ];
  for (let i = 0; i < preview.fields.length; i += FIELDS_PER_SECTION) {
    blocks.push({
      type: 'section',
      fields: preview.fields.slice(i, i + FIELDS_PER_SECTION).map((f) => ({
        type: 'mrkdwn' as const,
        text: clip(`*${escapeMrkdwn(f.label)}*\n${escapeMrkdwn(f.value)}`, FIELD_TEXT),
      })),
    });
  }
  if (preview.description) {
    const pieces = mrkdwnChunks(preview.description, SECTION_TEXT);
    const shown = pieces.slice(0, DESCRIPTION_SECTIONS);
    if (pieces.length > shown.length) shown[shown.length - 1] = clip(shown.at(-1)!, SECTION_TEXT);
    blocks.push(...shown.map(section));
  }
  if (preview.attachments.length > 0) {
    blocks.push({
      type: 'context',
      elements: [
        { type: 'mrkdwn', text: clip(`:paperclip: ${preview.attachments.map(escapeMrkdwn).join(', ')}`, 3000) },
      ],
    });
  }
  blocks.push(section(escapeMrkdwn(preview.question)));
  return blocks;
}

function choiceButtons(choices: NonNullable<Reply['choices']>, conversation: string): Block {
  return {
    type: 'actions',
    block_id: `${CHOICES_BLOCK}${conversation}`,
    elements: choices.slice(0, BUTTONS_PER_BLOCK).map((choice, i): Button => {
      const button: Button = {
        type: 'button',
        action_id: `triage_choice_${i}`,
        text: { type: 'plain_text', text: clip(choice.label, BUTTON_TEXT), emoji: false },
        value: choice.value,
      };
      // Sending the previewed ticket is the step most people take.
      if (choice.value === 'send') button.style = 'primary';
      return button;
    }),
  };
}

/** The conversation a clicked button answers to (from its block id), or null for other blocks. */
export function conversationOfBlock(blockId: string | undefined): string | null {
  return blockId?.startsWith(CHOICES_BLOCK) ? blockId.slice(CHOICES_BLOCK.length) || null : null;
}

/**
 * A message whose buttons are answered: they give way to the chosen label, so a choice is made once and
 * the conversation shows what was chosen. Without a label (the person typed the answer instead), the
 * buttons just go.
 */
export function answeredBlocks(blocks: unknown[], chosenLabel?: string): Block[] {
  return blocks.flatMap((block): Block[] => {
    const b = block as { type?: string; block_id?: string };
    if (b.type !== 'actions' || conversationOfBlock(b.block_id) === null) return [block as Block];
    if (chosenLabel === undefined) return [];
    return [
      {
        type: 'context',
        elements: [{ type: 'mrkdwn', text: `:white_check_mark: *${escapeMrkdwn(chosenLabel)}*` }],
      },
    ];
  });
}
