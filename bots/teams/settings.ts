/** How the bot authenticates with the Bot Framework (botbuilder's `MicrosoftAppType`). */
export type AppType = 'MultiTenant' | 'SingleTenant' | 'UserAssignedMSI';

/**
 * What the Teams channel needs from the environment, under botbuilder's own names. Without an app id the
 * bot runs in local mode: no request is authenticated (as the Bot Framework Emulator expects), so the
 * server then listens on 127.0.0.1 only.
 */
export type TeamsSettings =
  | { mode: 'local' }
  | { mode: 'authenticated'; appId: string; appType: AppType; password?: string; tenantId?: string };

const APP_TYPES: Record<string, AppType> = {
  multitenant: 'MultiTenant',
  singletenant: 'SingleTenant',
  userassignedmsi: 'UserAssignedMSI',
};

/** Teams' settings from the environment, or why the channel stays off (an incomplete registration). */
export function teamsSettingsFromEnv(env: NodeJS.ProcessEnv): { settings: TeamsSettings } | { off: string } {
  const appId = env.MicrosoftAppId?.trim();
  if (!appId) return { settings: { mode: 'local' } };
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
