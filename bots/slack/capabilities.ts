/**
 * What the Slack app subscribes to and calls, with the bot scope each needs: the single list the app
 * registers its listeners from and the manifest (`manifest/slack/manifest.yaml`) is checked against.
 */

/** Event subscriptions (manifest `bot_events`) -> scope. */
export const EVENTS = {
  /** @mentions in channels: the start of a conversation in a thread. */
  app_mention: 'app_mentions:read',
  /** Direct messages to the bot. */
  'message.im': 'im:history',
  /**
   * Replies in a public channel's thread where a conversation with the bot is going on; agents' replies
   * in the threads of handoff cards on the desk channel.
   */
  'message.channels': 'channels:history',
  /** The same in private channels (a private desk channel too). */
  'message.groups': 'groups:history',
} as const;

/** The slash command that starts a request (in a direct message with the bot). */
export const COMMAND = '/helpdesk';

/** Web API methods the app calls -> scope (`null`: none needed). */
export const METHODS = {
  'auth.test': null,
  'chat.postMessage': 'chat:write',
  'chat.update': 'chat:write',
  /** Hints to an agent on the desk that only they see (claim first, someone else has it). */
  'chat.postEphemeral': 'chat:write',
  'conversations.open': 'im:write',
  'users.info': 'users:read',
  'files.info': 'files:read',
  'reactions.add': 'reactions:write',
} as const;

/** Beyond methods and events: what else the app does that needs a scope. */
export const OTHER_SCOPES = {
  /** The slash command itself. */
  commands: 'commands',
  /** A person's e-mail address from `users.info`, so the bot need not ask for it. */
  email: 'users:read.email',
  /** Downloading shared files (`url_private`) with the bot token. */
  download: 'files:read',
} as const;

export type SlackMethod = keyof typeof METHODS;

/** Every bot scope the app needs, sorted. */
export function botScopes(): string[] {
  const all = [...Object.values(EVENTS), ...Object.values(METHODS), ...Object.values(OTHER_SCOPES)];
  return [...new Set(all.filter((s): s is NonNullable<typeof s> => s !== null))].sort();
}
