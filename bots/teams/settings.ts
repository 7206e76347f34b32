/** How the bot authenticates with the Bot Framework (botbuilder's `MicrosoftAppType`). */
export type AppType = 'MultiTenant' | 'SingleTenant' | 'UserAssignedMSI';

/**
 * What the Teams channel needs from the environment, under botbuilder's own names. Local mode is for the
 * Bot Framework Emulator on this machine: no request is authenticated, so it is only ever on when asked
 * for (`TEAMS_LOCAL_MODE=1` and no app id), and it then answers callers on this machine only.
 */
export type TeamsSettings =
  | { mode: 'local' }
  | { mode: 'authenticated'; appId: string; appType: AppType; password?: string; tenantId?: string };

const APP_TYPES: Record<string, AppType> = {
  multitenant: 'MultiTenant',
  singletenant: 'SingleTenant',
  userassignedmsi: 'UserAssignedMSI',
};

/** Why Teams is off on a machine without settings: what to set, for Teams or for the Emulator. */
export const NO_APP_ID =
  'no MicrosoftAppId: set it (and MicrosoftAppPassword) to serve Teams, or TEAMS_LOCAL_MODE=1 to try the bot with the Bot Framework Emulator on this machine';

/** `TEAMS_LOCAL_MODE`: on, off (unset or empty), or not understood. */
function localModeAsked(raw: string | undefined): boolean | null {
  const value = raw?.trim().toLowerCase() ?? '';
  if (['1', 'true', 'yes', 'on'].includes(value)) return true;
  if (['', '0', 'false', 'no', 'off'].includes(value)) return false;
  return null;
}

/**
 * Teams' settings from the environment, or why the channel stays off (no app id and no local mode asked
 * for, an incomplete registration); `warning` when a setting is ignored.
 */
export function teamsSettingsFromEnv(
  env: NodeJS.ProcessEnv,
): ({ settings: TeamsSettings } | { off: string }) & { warning?: string } {
  const appId = env.MicrosoftAppId?.trim();
  const local = localModeAsked(env.TEAMS_LOCAL_MODE);
  if (local === null) return { off: `TEAMS_LOCAL_MODE must be 1 (on) or 0 (off), not ${env.TEAMS_LOCAL_MODE}` };
  if (!appId) return local ? { settings: { mode: 'local' } } : { off: NO_APP_ID };
  const warning = local
    ? 'TEAMS_LOCAL_MODE is ignored: MicrosoftAppId is set, every request is authenticated'
    : undefined;
  const registered = registration(env, appId);
  return warning ? { ...registered, warning } : registered;
}

function registration(env: NodeJS.ProcessEnv, appId: string): { settings: TeamsSettings } | { off: string } {
  const password = env.MicrosoftAppPassword?.trim() || undefined;
  const tenantId = env.MicrosoftAppTenantId?.trim() || undefined;
  const typeName = env.MicrosoftAppType?.trim() || 'MultiTenant';
  const appType = APP_TYPES[typeName.toLowerCase()];
  if (!appType)
    return { off: `MicrosoftAppType must be MultiTenant, SingleTenant or UserAssignedMSI, not ${typeName}` };
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(appId))
    return { off: 'MicrosoftAppId is not a GUID (the Azure Bot\'s "Microsoft App ID")' };
  if (appType !== 'UserAssignedMSI' && !password)
    return { off: `MicrosoftAppPassword is not set (needed with MicrosoftAppType ${appType})` };
  if (appType !== 'MultiTenant' && !tenantId)
    return { off: `MicrosoftAppTenantId is not set (needed with MicrosoftAppType ${appType})` };
  return {
    settings: {
      mode: 'authenticated',
      appId,
      appType,
      ...(password ? { password } : {}),
      ...(tenantId ? { tenantId } : {}),
    },
  };
}

/** The settings under the names botbuilder's `ConfigurationBotFrameworkAuthentication` reads. */
export function botFrameworkConfig(settings: TeamsSettings): Record<string, string> {
  if (settings.mode === 'local') return { MicrosoftAppId: '', MicrosoftAppPassword: '' };
  return {
    MicrosoftAppId: settings.appId,
    MicrosoftAppType: settings.appType,
    MicrosoftAppPassword: settings.password ?? '',
    MicrosoftAppTenantId: settings.tenantId ?? '',
  };
}

/** The agent desk in a Teams channel: where handoff cards are posted, and how to reach it. */
export interface TeamsDeskSettings {
  /** The channel's conversation id, `19:...@thread.tacv2` (no `;messageid=`). */
  conversation: string;
  /**
   * The Bot Connector to post with. Unset: the one Teams gave on the latest activity the bot received
   * (Microsoft's advice: take it from incoming activities), else the global one.
   */
  serviceUrl?: string;
  /** The tenant of the team (default: MicrosoftAppTenantId, else the tenant of the latest activity). */
  tenantId?: string;
}

/** The global Bot Connector of Teams, for proactive messages before any activity came in. */
export const GLOBAL_SERVICE_URL = 'https://smba.trafficmanager.net/teams/';

/**
 * The Teams desk from `TEAMS_DESK_CONVERSATION` (the channel id as Teams shows it in "Get link to
 * channel", URL-encoded or not) and the optional `TEAMS_DESK_SERVICE_URL` / `TEAMS_DESK_TENANT`; or a
 * warning why it stays off.
 */
export function teamsDeskFromEnv(env: NodeJS.ProcessEnv): { desk?: TeamsDeskSettings; warning?: string } {
  const raw = env.TEAMS_DESK_CONVERSATION?.trim();
  if (!raw) return {};
  let conversation: string;
  try {
    conversation = decodeURIComponent(raw).split(';')[0]!.trim();
  } catch {
    conversation = raw;
  }
  if (!/^19:[^\s;/]+@thread\.(tacv2|skype)$/.test(conversation))
    return {
      warning:
        'TEAMS_DESK_CONVERSATION is not a channel id (19:...@thread.tacv2, from "Get link to channel"): the Teams agent desk stays off',
    };
  const serviceUrl = env.TEAMS_DESK_SERVICE_URL?.trim() || undefined;
  if (serviceUrl && !/^https?:\/\/[^\s]+$/.test(serviceUrl))
    return { warning: 'TEAMS_DESK_SERVICE_URL is not a URL: the Teams agent desk stays off' };
  const tenantId = env.TEAMS_DESK_TENANT?.trim() || env.MicrosoftAppTenantId?.trim() || undefined;
  return {
    desk: {
      conversation,
      ...(serviceUrl ? { serviceUrl: serviceUrl.endsWith('/') ? serviceUrl : `${serviceUrl}/` } : {}),
      ...(tenantId ? { tenantId } : {}),
    },
  };
}
