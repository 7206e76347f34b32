import type { Activity } from 'botbuilder';
import { visibleText } from '../../core/text/visible.ts';
import type { FiledTicket, Reply, TicketPreview } from '../../core/types.ts';
import type { SubmitData } from './activities.ts';
import type { DeskSubmit } from './desk-card.ts';

export const ADAPTIVE_CARD = 'application/vnd.microsoft.card.adaptive';

/** An Adaptive Card (https://adaptivecards.io/explorer/), version 1.5 as Teams renders it for bots. */
export interface AdaptiveCard {
  type: 'AdaptiveCard';
  $schema: string;
  version: string;
  body: CardElement[];
  actions?: CardAction[];
  msteams?: { width: 'Full' };
}
export type CardElement = Record<string, unknown> & { type: string };
export type CardAction =
  | { type: 'Action.Submit'; title: string; data: SubmitData | DeskSubmit; style?: 'positive' }
  | { type: 'Action.OpenUrl'; title: string; url: string };

// Teams refuses messages over about 100 KB: every text is clipped so a card stays well under 80 KB.
const BLOCK_TEXT = 4000;
const DESCRIPTION_TEXT = 12_000;
const TITLE_TEXT = 250;
const FACT_TEXT = 1000;
const BUTTON_TEXT = 60;
const SUMMARY_TEXT = 200;
const MESSAGE_TEXT = 28_000;
/** Teams shows up to six actions on a card; more would fold away behind "...". */
const ACTIONS = 6;

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function card(body: CardElement[], actions: CardAction[] = []): AdaptiveCard {
  return {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: '1.5',
    body,
    ...(actions.length ? { actions } : {}),
    msteams: { width: 'Full' },
  };
}

/**
 * Text for a card: Teams renders TextBlocks and FactSet titles and values as a subset of Markdown, so
 * what people typed (or named themselves) must not turn into it: no link, list, heading or emphasis of
 * theirs reaches the card. Escape sequences and invisible controls go too.
 */
export function escapeCardText(text: string): string {
  return visibleText(text)
    .replace(/[\\`*_[\]~]/g, '\\$&')
    .replace(/^(\s*)([-+=#>]|\d+\.)/gm, '$1\\$2');
}

/** A TextBlock showing `text` as written (escaped: see {@link escapeCardText}), clipped. */
function textBlock(text: string, extra: Record<string, unknown> = {}): CardElement {
  return { type: 'TextBlock', text: escapeCardText(clip(text, BLOCK_TEXT)), wrap: true, ...extra };
}

/**
 * One core reply as a Teams message. Choices become `Action.Submit` buttons whose data carries the
 * value back as `turn.choice`; a ticket preview becomes a card with every detail; a reply that gives
 * the number of a ticket filed this turn is a card too, with a button to open the ticket when the
 * ticket system has a URL. Anything else is plain text.
 */
export function renderReply(reply: Reply, tickets: FiledTicket[] = []): Partial<Activity> {
  const buttons = (reply.choices ?? []).slice(0, ACTIONS).map(
    (choice): CardAction => ({
      type: 'Action.Submit',
      title: clip(choice.label, BUTTON_TEXT),
      data: { action: 'triage_choice', choice: choice.value, label: choice.label },
      // Sending the previewed ticket is the step most people take.
      ...(choice.value === 'send' ? { style: 'positive' as const } : {}),
    }),
  );
  const named = tickets.filter((t) => reply.text.includes(t.id));
  if (reply.preview) return cardMessage(previewCard(reply.preview, buttons), reply.text);
  if (buttons.length) return cardMessage(card([textBlock(reply.text)], buttons), reply.text);
  if (named.length) {
    const links = named.flatMap((t): CardAction[] =>
      t.url && /^https?:\/\//.test(t.url) ? [{ type: 'Action.OpenUrl', title: t.id, url: t.url }] : [],
    );
    return cardMessage(card([textBlock(reply.text)], links), reply.text);
  }
  return { type: 'message', text: clip(reply.text, MESSAGE_TEXT), textFormat: 'plain' };
}

function cardMessage(content: AdaptiveCard, text: string): Partial<Activity> {
  // `summary` is what notifications and the chat list show for a card.
  return {
    type: 'message',
    summary: clip(text.split('\n')[0] ?? '', SUMMARY_TEXT),
    attachments: [{ contentType: ADAPTIVE_CARD, content }],
  };
}

/** The ticket about to be filed: title, kind, every detail, the description, the files, the question. */
function previewCard(preview: TicketPreview, buttons: CardAction[]): AdaptiveCard {
  const body: CardElement[] = [
    textBlock(preview.intro),
    textBlock(clip(preview.title, TITLE_TEXT), { size: 'Medium', weight: 'Bolder' }),
    textBlock(`${preview.urgent ? '🚨 ' : ''}${preview.kind}`, {
      isSubtle: !preview.urgent,
      spacing: 'None',
      ...(preview.urgent ? { color: 'Attention', weight: 'Bolder' } : {}),
    }),
  ];
  if (preview.fields.length)
    body.push({
      type: 'FactSet',
      facts: preview.fields.map((f) => ({
        title: escapeCardText(clip(f.label, FACT_TEXT)),
        value: escapeCardText(clip(f.value, FACT_TEXT)),
      })),
    });
  if (preview.description)
    body.push({ ...textBlock(''), text: escapeCardText(clip(preview.description, DESCRIPTION_TEXT)), separator: true });
  if (preview.attachments.length) body.push(textBlock(`📎 ${preview.attachments.join(', ')}`, { isSubtle: true }));
  body.push(textBlock(preview.question, { weight: 'Bolder' }));
  return card(body, buttons);
}

/**
 * A card whose buttons were answered: they give way to the chosen label, so a choice is made once and
 * the chat shows what was chosen. Without a label (the person typed the answer instead) they just go.
 */
export function answeredCard(sent: AdaptiveCard, chosenLabel?: string): AdaptiveCard {
  const { actions: _answered, ...rest } = sent;
  const links = (sent.actions ?? []).filter((a) => a.type === 'Action.OpenUrl');
  const body =
    chosenLabel === undefined ? sent.body : [...sent.body, textBlock(`✅ ${chosenLabel}`, { weight: 'Bolder' })];
  return { ...rest, body, ...(links.length ? { actions: links } : {}) };
}

/** The card of a message the bot sends, if it has buttons waiting for an answer. */
export function cardWithButtons(activity: Partial<Activity>): AdaptiveCard | null {
  const attachment = activity.attachments?.find((a) => a.contentType === ADAPTIVE_CARD);
  const content = attachment?.content as AdaptiveCard | undefined;
  return content?.actions?.some((a) => a.type === 'Action.Submit') ? content : null;
}
