import { z } from 'zod';
import { visibleText } from '../../core/text/visible.ts';

/** An account as activities name it (a person, the bot). */
const account = z.looseObject({
  id: z.string().min(1),
  name: z.string().nullish(),
  aadObjectId: z.string().nullish(),
  role: z.string().nullish(),
});

/** A file or card attached to an activity. */
export const activityAttachment = z.looseObject({
  contentType: z.string(),
  contentUrl: z.string().nullish(),
  name: z.string().nullish(),
  content: z.unknown().optional(),
});
export type ActivityAttachment = z.infer<typeof activityAttachment>;

/**
 * The fields of a Bot Framework activity the bot relies on. Teams sends them on every activity; a body
 * without them is not an activity (answered 400 before the adapter sees it).
 */
export const incomingActivity = z.looseObject({
  type: z.string().min(1),
  id: z.string().optional(),
  channelId: z.string().min(1),
  serviceUrl: z.url({ protocol: /^https?$/ }),
  from: account,
  recipient: account,
  conversation: z.looseObject({
    id: z.string().min(1),
    conversationType: z.string().nullish(),
    tenantId: z.string().nullish(),
  }),
  text: z.string().nullish(),
  value: z.unknown().optional(),
  locale: z.string().nullish(),
  replyToId: z.string().nullish(),
  action: z.string().nullish(),
  attachments: z.array(activityAttachment).nullish(),
  entities: z.array(z.looseObject({ type: z.string().optional() })).nullish(),
  membersAdded: z.array(account).nullish(),
  channelData: z.looseObject({ team: z.looseObject({ id: z.string() }).nullish() }).nullish(),
});
export type IncomingActivity = z.infer<typeof incomingActivity>;

/** A body as an activity, or a short reason why it is not one (for a 400). */
export function parseActivity(body: unknown): { activity: IncomingActivity } | { error: string } {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return { error: 'the body is not a JSON object (a Bot Framework activity)' };
  const parsed = incomingActivity.safeParse(body);
  if (parsed.success) return { activity: parsed.data };
  const issue = parsed.error.issues[0];
  const path = issue?.path.join('.') || 'body';
  return { error: `not a Bot Framework activity: ${path}: ${issue?.message ?? 'invalid'}` };
}

/** What the bot's cards send back on `Action.Submit`: the choice's value (and label, to show what was chosen). */
export const submitData = z.looseObject({
  action: z.literal('triage_choice'),
  choice: z.string().min(1),
  label: z.string().optional(),
});
export type SubmitData = z.infer<typeof submitData>;

/** What a person's activity asks of the bot. */
export type Intent =
  | { kind: 'message'; text: string; attachments: ActivityAttachment[] }
  | { kind: 'submit'; choice: string; label: string; card: string | null }
  | { kind: 'welcome' }
  | { kind: 'none' };

/**
 * Read an activity: a person's message (text without the bot's @mention, files), a click on one of the
 * bot's cards, the app being installed (welcome), or nothing for the bot (typing, reactions, other
 * bots, other members joining).
 */
export function intentOf(activity: IncomingActivity): Intent {
  const fromBot = activity.from.role === 'bot' || activity.from.id === activity.recipient.id;
  if (activity.type === 'installationUpdate')
    return activity.action === 'add' || activity.action === 'add-upgrade' ? { kind: 'welcome' } : { kind: 'none' };
  if (activity.type === 'conversationUpdate') {
    const botAdded = activity.membersAdded?.some((m) => m.id === activity.recipient.id);
    return botAdded ? { kind: 'welcome' } : { kind: 'none' };
  }
  if (activity.type !== 'message' || fromBot) return { kind: 'none' };
  const submitted = submitData.safeParse(activity.value);
  if (submitted.success)
    return {
      kind: 'submit',
      choice: submitted.data.choice,
      label: submitted.data.label ?? submitted.data.choice,
      card: activity.replyToId ?? null,
    };
  const text = messageText(activity);
  const attachments = (activity.attachments ?? []).filter(isFile);
  if (!text && attachments.length === 0) return { kind: 'none' };
  return { kind: 'message', text, attachments };
}

/** Attachments that are files the person sent (not the HTML copy of the message, not cards). */
function isFile(attachment: ActivityAttachment): boolean {
  const type = attachment.contentType.toLowerCase();
  if (type === 'text/html' || type.startsWith('application/vnd.microsoft.card.')) return false;
  if (type === FILE_DOWNLOAD_INFO) return true;
  return Boolean(attachment.contentUrl);
}

/** A file a person attached in a personal chat (Teams hands out a pre-authorised download URL). */
export const FILE_DOWNLOAD_INFO = 'application/vnd.microsoft.teams.file.download.info';

/** The message's text as the person wrote it: the bot's @mention removed, Teams' HTML made plain. */
export function messageText(activity: IncomingActivity): string {
  let text = activity.text ?? '';
  for (const entity of activity.entities ?? []) {
    if (entity.type !== 'mention') continue;
    const mention = entity as { mentioned?: { id?: string }; text?: string };
    if (mention.mentioned?.id === activity.recipient.id && mention.text) text = text.split(mention.text).join(' ');
  }
  return visibleText(plain(text)).trim();
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/** Teams sends formatted messages as HTML: line breaks kept, tags dropped, entities decoded. */
export function plain(html: string): string {
  return html
    .replace(/<br\s*\/?>|<\/(p|div|li)>/gi, '\n')
    .replace(/<\/?[a-z][^>]*>/gi, '')
    .replace(/&(#\d+|#x[0-9a-f]+|[a-z]+);/gi, (whole, name: string) => {
      if (name.startsWith('#x') || name.startsWith('#X'))
        return String.fromCodePoint(Number.parseInt(name.slice(2), 16));
      if (name.startsWith('#')) return String.fromCodePoint(Number(name.slice(1)));
      return ENTITIES[name.toLowerCase()] ?? whole;
    })
    .replace(/[ \t\u00a0]+/g, ' ')
    .replace(/ *\n */g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** The core's conversation id: one per personal chat, group chat, or channel thread (`;messageid=`). */
export function conversationKey(activity: Pick<IncomingActivity, 'conversation'>): string {
  return `teams:${activity.conversation.id}`;
}

/** Where members of the conversation are looked up: the team of a channel, else the chat itself. */
export function rosterId(activity: IncomingActivity): string {
  return activity.channelData?.team?.id ?? activity.conversation.id.split(';')[0]!;
}
