/** What the Slack channel needs from the environment. Tokens stay in here and in the Web API client. */
export interface SlackSettings {
  /** Bot token (`xoxb-...`): calls the Web API and downloads shared files. */
  botToken: string;
  /** Verifies that HTTP requests come from Slack (not needed in Socket Mode). */
  signingSecret?: string;
  /** App-level token (`xapp-...`): Socket Mode, no public URL needed. */
  appToken?: string;
  /** Web API base URL, e.g. `https://slack.com/api/` (GovSlack: `https://slack-gov.com/api/`). */
  apiUrl?: string;
  /** The agent desk: the channel (id `C...`/`G...`) where handoffs are posted for agents to claim. */
  deskChannel?: string;
}

/** Slack's settings from the environment, or why the channel stays off. */
export function slackSettingsFromEnv(
  env: NodeJS.ProcessEnv,
): { settings: SlackSettings; warnings: string[] } | { off: string } {
  const botToken = env.SLACK_BOT_TOKEN?.trim();
  const signingSecret = env.SLACK_SIGNING_SECRET?.trim() || undefined;
  const appToken = env.SLACK_APP_TOKEN?.trim() || undefined;
  const apiUrl = env.SLACK_API_URL?.trim() || undefined;
  if (!botToken) return { off: 'SLACK_BOT_TOKEN is not set' };
  if (!appToken && !signingSecret)
    return {
      off: 'SLACK_SIGNING_SECRET is not set (needed to verify requests; or set SLACK_APP_TOKEN for Socket Mode)',
    };
  if (apiUrl && !/^https?:\/\/[^/]+/.test(apiUrl)) return { off: 'SLACK_API_URL is not an http(s) URL' };
  const warnings: string[] = [];
  let deskChannel = env.SLACK_DESK_CHANNEL?.trim() || undefined;
  if (deskChannel && !/^[CG][A-Z0-9]{2,}$/.test(deskChannel)) {
    warnings.push('SLACK_DESK_CHANNEL is not a channel id (C..., see the channel details): the agent desk stays off');
    deskChannel = undefined;
  }
  if (!botToken.startsWith('xoxb-')) warnings.push('SLACK_BOT_TOKEN does not look like a bot token (xoxb-...)');
  if (appToken && !appToken.startsWith('xapp-'))
    warnings.push('SLACK_APP_TOKEN does not look like an app-level token (xapp-...)');
  return {
    settings: {
      botToken,
      ...(signingSecret ? { signingSecret } : {}),
      ...(appToken ? { appToken } : {}),
      ...(apiUrl ? { apiUrl: apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/` } : {}),
      ...(deskChannel ? { deskChannel } : {}),
    },
    warnings,
  };
}
