import { createHmac } from 'node:crypto';
import { eventId } from './fake-slack.ts';

/** What the test's Slack app is: its secrets, and who talks to it. */
export const SIGNING_SECRET = 'test-signing-secret-0123456789abcdef';
export const BOT_TOKEN = 'xoxb-test-0000-1111-bot-token-secret';
export const TEAM = 'T0001';

let clock = 1_800_000_000;
/** A Slack timestamp (`ts`), unique and increasing. */
export function ts(): string {
  clock += 1;
  return `${clock}.000200`;
}

interface SignOptions {
  /** Seconds since the epoch (default: now). */
  timestamp?: number;
  secret?: string;
  retryNum?: number;
  retryReason?: string;
}

/** POST a body to the bot as Slack does: `x-slack-signature` = v0 HMAC-SHA256 of `v0:{timestamp}:{body}`. */
export async function sendSigned(
  url: string,
  body: string,
  contentType: 'application/json' | 'application/x-www-form-urlencoded',
  options: SignOptions = {},
): Promise<Response> {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const signature = createHmac('sha256', options.secret ?? SIGNING_SECRET)
    .update(`v0:${timestamp}:${body}`)
    .digest('hex');
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': contentType,
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': `v0=${signature}`,
      ...(options.retryNum !== undefined ? { 'x-slack-retry-num': String(options.retryNum) } : {}),
      ...(options.retryReason !== undefined ? { 'x-slack-retry-reason': options.retryReason } : {}),
    },
    body,
  });
}

/** An Events API envelope (`event_callback`) around an event. */
export function eventCallback(event: Record<string, unknown>, id = eventId()): Record<string, unknown> {
  return {
    token: 'verification-token-unused',
    team_id: TEAM,
    api_app_id: 'A0001',
    event: { event_ts: event.ts, ...event },
    type: 'event_callback',
    event_id: id,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ team_id: TEAM, user_id: 'UBOT', is_bot: true, is_enterprise_install: false }],
    is_ext_shared_channel: false,
  };
}

/** A person's direct message to the bot (`message.im`), with files when shared. */
export function directMessage(
  text: string,
  options: { user?: string; channel?: string; files?: Record<string, unknown>[]; ts?: string } = {},
) {
  return {
    type: 'message',
    channel_type: 'im',
    channel: options.channel ?? 'D0SOFIE',
    user: options.user ?? 'USOFIE',
    text,
    ts: options.ts ?? ts(),
    team: TEAM,
    ...(options.files ? { subtype: 'file_share', files: options.files, upload: false } : {}),
  };
}

/** An @mention of the bot in a channel (`app_mention`). */
export function mention(text: string, options: { user?: string; channel?: string; thread_ts?: string } = {}) {
  return {
    type: 'app_mention',
    channel: options.channel ?? 'C0SECRETARIAT',
    user: options.user ?? 'USOFIE',
    text: `<@UBOT> ${text}`,
    ts: ts(),
    team: TEAM,
    ...(options.thread_ts ? { thread_ts: options.thread_ts } : {}),
  };
}

/** A message in a channel (`message.channels`), in a thread when `thread_ts` is given. */
export function channelMessage(
  text: string,
  options: { user?: string; channel?: string; thread_ts?: string; bot_id?: string; subtype?: string } = {},
) {
  return {
    type: 'message',
    channel_type: 'channel',
    channel: options.channel ?? 'C0SECRETARIAT',
    text,
    ts: ts(),
    team: TEAM,
    ...(options.user !== undefined || !options.bot_id ? { user: options.user ?? 'USOFIE' } : {}),
    ...(options.thread_ts ? { thread_ts: options.thread_ts, parent_user_id: 'USOFIE' } : {}),
    ...(options.bot_id ? { bot_id: options.bot_id } : {}),
    ...(options.subtype ? { subtype: options.subtype } : {}),
  };
}

/** The form body Slack posts for a slash command. */
export function slashCommand(text: string, options: { user?: string; channel?: string } = {}): string {
  return new URLSearchParams({
    token: 'verification-token-unused',
    team_id: TEAM,
    team_domain: 'academies',
    channel_id: options.channel ?? 'C0SECRETARIAT',
    channel_name: 'secretariaat',
    user_id: options.user ?? 'USOFIE',
    user_name: 'sofie',
    command: '/helpdesk',
    text,
    api_app_id: 'A0001',
    response_url: 'https://hooks.slack.com/commands/T0001/1/abc',
    trigger_id: `${Date.now()}.${Math.random().toString().slice(2, 10)}`,
  }).toString();
}

interface PostedMessage {
  channel?: unknown;
  ts?: unknown;
  thread_ts?: unknown;
  blocks?: unknown;
}

/**
 * The form body Slack posts when a person clicks a button of a message the bot posted
 * (`block_actions`), built from that message's own blocks.
 */
export function buttonClick(message: PostedMessage, value: string, user = 'USOFIE'): string {
  return clickOn(message, (e) => e.value === value, user, `value ${value}`);
}

/** The same, for the button with this action id. */
export function buttonPress(message: PostedMessage, actionId: string, user = 'USOFIE'): string {
  return clickOn(message, (e) => e.action_id === actionId, user, `action id ${actionId}`);
}

/** Choose an option (its value) in the select menu with this action id, as Slack posts a `static_select` choice. */
export function menuChoice(message: PostedMessage, actionId: string, value: string, user = 'USOFIE'): string {
  const params = new URLSearchParams(clickOn(message, (e) => e.action_id === actionId, user, `menu ${actionId}`));
  const payload = JSON.parse(params.get('payload')!) as { actions: Record<string, unknown>[] };
  const blocks = (message.blocks ?? []) as { elements?: Record<string, unknown>[] }[];
  const menu = blocks.flatMap((b) => b.elements ?? []).find((e) => e.action_id === actionId)!;
  const option = (menu.options as { value: string; text: unknown }[]).find((o) => o.value === value);
  if (!option) throw new Error(`no option ${value} in the menu ${actionId}`);
  const { block_id, action_ts } = payload.actions[0]!;
  payload.actions = [{ type: 'static_select', action_id: actionId, block_id, selected_option: option, action_ts }];
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

function clickOn(
  message: PostedMessage,
  test: (element: Record<string, unknown>) => boolean,
  user: string,
  what: string,
): string {
  const blocks = (message.blocks ?? []) as { type: string; block_id?: string; elements?: Record<string, unknown>[] }[];
  for (const block of blocks) {
    if (block.type !== 'actions') continue;
    const button = block.elements?.find(test);
    if (!button) continue;
    const payload = {
      type: 'block_actions',
      user: { id: user, username: 'sofie', name: 'sofie', team_id: TEAM },
      api_app_id: 'A0001',
      token: 'verification-token-unused',
      container: {
        type: 'message',
        message_ts: message.ts,
        channel_id: message.channel,
        is_ephemeral: false,
        ...(message.thread_ts ? { thread_ts: message.thread_ts } : {}),
      },
      trigger_id: `${Date.now()}.${Math.random().toString().slice(2, 10)}`,
      team: { id: TEAM, domain: 'academies' },
      channel: { id: message.channel, name: 'directmessage' },
      message: { type: 'message', user: 'UBOT', bot_id: 'BBOT', ...message },
      response_url: 'https://hooks.slack.com/actions/T0001/1/abc',
      actions: [
        {
          type: 'button',
          action_id: button.action_id,
          block_id: block.block_id,
          text: button.text,
          value: button.value,
          action_ts: `${Date.now() / 1000}`,
        },
      ],
    };
    return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  }
  throw new Error(`no button with ${what} in the message`);
}
