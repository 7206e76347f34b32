import { randomUUID } from 'node:crypto';

// Fixture builders: Bot Framework activities as Teams sends them
// (https://learn.microsoft.com/microsoftteams/platform/bots/how-to/conversations/conversation-messages).

export const BOT = { id: '28:0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d', name: 'Helpdesk' };
export const SOFIE = { id: '29:1sofie', name: 'Sofie Peeters', aadObjectId: '6b1e0f3c-0000-4000-8000-00000000a001' };
export const JAN = { id: '29:1jan', name: 'Jan Claes', aadObjectId: '6b1e0f3c-0000-4000-8000-00000000a002' };
export const TENANT = '72f988bf-0000-4000-8000-000000000001';
export const PERSONAL = 'a:1personal-sofie';
export const CHANNEL = '19:secretariaat@thread.tacv2';
export const TEAM = '19:team-general@thread.tacv2';

let seq = 0;

/** A message in the personal chat with the bot. */
export function personalMessage(
  serviceUrl: string,
  text: string,
  options: { id?: string; attachments?: Record<string, unknown>[]; from?: typeof SOFIE; locale?: string } = {},
): Record<string, unknown> {
  return {
    type: 'message',
    id: options.id ?? `17000000${String(++seq).padStart(5, '0')}`,
    timestamp: new Date().toISOString(),
    channelId: 'msteams',
    serviceUrl,
    from: options.from ?? SOFIE,
    recipient: BOT,
    conversation: { id: PERSONAL, conversationType: 'personal', tenantId: TENANT },
    text,
    textFormat: 'plain',
    locale: options.locale ?? 'nl-BE',
    ...(options.attachments ? { attachments: options.attachments } : {}),
    channelData: { tenant: { id: TENANT } },
  };
}

/**
 * A message that @mentions the bot in a team channel: a new post (its own thread) or a reply in the
 * thread of `root`. Teams names the thread in the conversation id.
 */
export function channelMention(
  serviceUrl: string,
  text: string,
  options: { root?: string; id?: string; from?: typeof SOFIE; channel?: string } = {},
): Record<string, unknown> {
  const id = options.id ?? `17000000${String(++seq).padStart(5, '0')}`;
  const channel = options.channel ?? CHANNEL;
  const at = `<at>${BOT.name}</at>`;
  return {
    type: 'message',
    id,
    timestamp: new Date().toISOString(),
    channelId: 'msteams',
    serviceUrl,
    from: options.from ?? JAN,
    recipient: BOT,
    conversation: {
      id: `${channel};messageid=${options.root ?? id}`,
      conversationType: 'channel',
      isGroup: true,
      tenantId: TENANT,
    },
    text: `${at} ${text}`,
    textFormat: 'plain',
    locale: 'nl-BE',
    entities: [{ type: 'mention', text: at, mentioned: BOT }],
    channelData: {
      tenant: { id: TENANT },
      team: { id: TEAM },
      channel: { id: channel },
      teamsTeamId: TEAM,
      teamsChannelId: channel,
    },
  };
}

/** A click on an `Action.Submit` button of the bot's card: the button's data comes as `value`. */
export function cardSubmit(
  serviceUrl: string,
  card: { id?: unknown; _to?: unknown },
  data: Record<string, unknown>,
  from = SOFIE,
): Record<string, unknown> {
  const conversation = String(card._to ?? PERSONAL);
  return {
    type: 'message',
    id: `17000000${String(++seq).padStart(5, '0')}`,
    channelId: 'msteams',
    serviceUrl,
    from,
    recipient: BOT,
    conversation: {
      id: conversation,
      conversationType: conversation.startsWith('19:') ? 'channel' : 'personal',
      tenantId: TENANT,
    },
    replyToId: String(card.id),
    value: data,
    locale: 'nl-BE',
    channelData: { tenant: { id: TENANT }, source: { name: 'message' }, legacy: { replyToId: randomUUID() } },
  };
}

/** The app installed in a personal chat: Teams sends both of these. */
export function installation(serviceUrl: string, locale = 'nl-BE'): Record<string, unknown>[] {
  const common = {
    channelId: 'msteams',
    serviceUrl,
    from: SOFIE,
    recipient: BOT,
    conversation: { id: PERSONAL, conversationType: 'personal', tenantId: TENANT },
    locale,
    channelData: { tenant: { id: TENANT } },
  };
  return [
    { ...common, type: 'conversationUpdate', id: `f:${randomUUID()}`, membersAdded: [{ id: BOT.id }] },
    { ...common, type: 'installationUpdate', id: `f:${randomUUID()}`, action: 'add' },
  ];
}
