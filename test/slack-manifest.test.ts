import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import { botScopes, COMMAND, EVENTS } from '../bots/slack/capabilities.ts';

const manifest = z
  .object({
    display_information: z.object({ name: z.string().min(1).max(35), description: z.string().max(140) }),
    features: z.object({
      app_home: z.object({ messages_tab_enabled: z.boolean(), messages_tab_read_only_enabled: z.boolean() }),
      bot_user: z.object({ display_name: z.string().min(1).max(80) }),
      slash_commands: z.array(
        z.object({ command: z.string(), url: z.url(), description: z.string().max(2000), should_escape: z.boolean() }),
      ),
    }),
    oauth_config: z.object({ scopes: z.object({ bot: z.array(z.string()) }) }),
    settings: z.object({
      event_subscriptions: z.object({ request_url: z.url(), bot_events: z.array(z.string()) }),
      interactivity: z.object({ is_enabled: z.boolean(), request_url: z.url() }),
      socket_mode_enabled: z.boolean(),
    }),
  })
  .parse(parse(readFileSync(new URL('../manifest/slack/manifest.yaml', import.meta.url), 'utf8')));

describe('Slack app manifest', () => {
  it('subscribes to exactly the events the app listens to', () => {
    expect([...manifest.settings.event_subscriptions.bot_events].sort()).toEqual(Object.keys(EVENTS).sort());
  });

  it('asks exactly the bot scopes the app uses', () => {
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual(botScopes());
  });

  it('declares the slash command the app handles', () => {
    expect(manifest.features.slash_commands.map((c) => c.command)).toEqual([COMMAND]);
  });

  it('sends events, the command and button clicks to the one route the server hosts', () => {
    const urls = [
      manifest.settings.event_subscriptions.request_url,
      manifest.settings.interactivity.request_url,
      ...manifest.features.slash_commands.map((c) => c.url),
    ];
    for (const url of urls) expect(new URL(url).pathname).toBe('/slack/events');
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
  });

  it('lets people write to the bot in its Messages tab (direct messages)', () => {
    expect(manifest.features.app_home).toMatchObject({
      messages_tab_enabled: true,
      messages_tab_read_only_enabled: false,
    });
  });
});
