import { describe, expect, it } from 'vitest';
import { type IncomingActivity, intentOf, parseActivity, plain } from '../bots/teams/activities.ts';
import { answeredCard, cardWithButtons, renderReply } from '../bots/teams/cards.ts';
import { retryDelay } from '../bots/teams/connector.ts';
import { takesToken } from '../bots/teams/files.ts';
import { NO_APP_ID, teamsSettingsFromEnv } from '../bots/teams/settings.ts';
import type { Reply } from '../core/types.ts';
import { BOT, channelMention, personalMessage } from './teams/requests.ts';

const SERVICE = 'https://smba.trafficmanager.net/emea/';

function activity(body: Record<string, unknown>): IncomingActivity {
  const parsed = parseActivity(body);
  if ('error' in parsed) throw new Error(parsed.error);
  return parsed.activity;
}

describe('Teams activities in', () => {
  it('strips the bot mention and Teams HTML from a channel message', () => {
    const message = channelMention(
      SERVICE,
      '<p>Het rapport&nbsp;blijft <b>leeg</b></p><p>sinds &quot;gisteren&quot;</p>',
    );
    expect(intentOf(activity(message))).toEqual({
      kind: 'message',
      text: 'Het rapport blijft leeg\nsinds "gisteren"',
      attachments: [],
    });
    expect(plain('a < b en 3 > 2')).toBe('a < b en 3 > 2');
  });

  it("reads a card's Action.Submit, the installation, and ignores what is not for the bot", () => {
    const submit = { ...personalMessage(SERVICE, ''), text: undefined, replyToId: 'card-1' };
    const value = { action: 'triage_choice', choice: 'send', label: 'Versturen' };
    expect(intentOf(activity({ ...submit, value }))).toEqual({
      kind: 'submit',
      choice: 'send',
      label: 'Versturen',
      card: 'card-1',
    });
    expect(intentOf(activity({ ...submit, value: { something: 'else' } }))).toEqual({ kind: 'none' });
    const update = { ...personalMessage(SERVICE, ''), type: 'conversationUpdate' };
    const bot = BOT.id;
    expect(intentOf(activity({ ...update, membersAdded: [{ id: bot }] })).kind).toBe('welcome');
    expect(intentOf(activity({ ...update, membersAdded: [{ id: '29:someone-else' }] })).kind).toBe('none');
    expect(intentOf(activity({ ...personalMessage(SERVICE, 'hallo'), type: 'typing' })).kind).toBe('none');
    // The HTML copy of a message is not a file the person sent.
    const html = { contentType: 'text/html', content: '<p>hallo</p>' };
    expect(intentOf(activity(personalMessage(SERVICE, 'hallo', { attachments: [html] })))).toMatchObject({
      attachments: [],
    });
  });
});

describe('Teams messages out', () => {
  const preview: Reply = {
    text: 'Dit stuur ik naar de helpdesk: ...',
    choices: [
      { value: 'send', label: 'Versturen' },
      { value: 'edit', label: 'Aanpassen' },
    ],
    preview: {
      intro: 'Dit stuur ik naar de helpdesk:',
      question: 'Klopt dit?',
      title: 'Foutmelding bij leerlingenfiche',
      kind: 'Incident',
      urgent: true,
      fields: [
        { slot: 'academy', label: 'Academie', value: 'AKW (De Klankkast)' },
        { slot: 'student', label: 'Leerling', value: 'Mila Jacobs' },
      ],
      description: 'Bij het openen van de fiche...',
      attachments: ['scherm.png'],
    },
  };

  it('renders a ticket preview as an Adaptive Card with every detail and Send/Edit submit buttons', () => {
    const message = renderReply(preview);
    const card = cardWithButtons(message);
    expect(card?.version).toBe('1.5');
    const json = JSON.stringify(card);
    for (const detail of ['Academie', 'AKW (De Klankkast)', 'Mila Jacobs', 'Incident', 'scherm.png', 'Klopt dit?'])
      expect(json).toContain(detail);
    expect(card?.actions).toEqual([
      {
        type: 'Action.Submit',
        title: 'Versturen',
        data: { action: 'triage_choice', choice: 'send', label: 'Versturen' },
        style: 'positive',
      },
      {
        type: 'Action.Submit',
        title: 'Aanpassen',
        data: { action: 'triage_choice', choice: 'edit', label: 'Aanpassen' },
      },
    ]);
    expect(message.summary).toBe('Dit stuur ik naar de helpdesk: ...');
    const answered = answeredCard(card!, 'Versturen');
    expect(answered.actions).toBeUndefined();
    expect(JSON.stringify(answered.body.at(-1))).toContain('Versturen');
  });

  it('gives the ticket number in a card, with a button to open it when the system has a URL; else plain text', () => {
    const filed = renderReply({ text: 'Bedankt! Uw ticket HD-42 is aangemaakt.' }, [
      { id: 'HD-42', url: 'https://helpdesk.example/tickets/42' },
    ]);
    expect(JSON.stringify(filed.attachments)).toContain('HD-42');
    expect(JSON.stringify(filed.attachments)).toContain('"type":"Action.OpenUrl"');
    expect(renderReply({ text: 'Welke academie?' })).toEqual({
      type: 'message',
      text: 'Welke academie?',
      textFormat: 'plain',
    });
  });
});

describe('Teams plumbing', () => {
  it('backs off as the connector says, else exponentially with jitter, never beyond the cap', () => {
    expect(retryDelay('2', 1)).toBe(2000);
    expect(retryDelay('600', 1)).toBe(20_000);
    expect(retryDelay('Wed, 21 Oct 2026 07:28:05 GMT', 1, {}, Date.parse('2026-10-21T07:28:00Z'))).toBe(5000);
    expect(retryDelay(null, 1, { baseMs: 500 }, 0, () => 1)).toBe(500);
    expect(retryDelay(null, 3, { baseMs: 500 }, 0, () => 0)).toBe(1000);
  });

  it("sends the bot's token to Teams' hosts and the connector only", () => {
    expect(takesToken(new URL('https://smba.trafficmanager.net/emea/v3/attachments/x'), SERVICE)).toBe(true);
    expect(takesToken(new URL('https://us-api.asm.skype.com/v1/objects/x/views/imgo'), SERVICE)).toBe(true);
    expect(takesToken(new URL('http://127.0.0.1:9/v3/attachments/x'), 'http://127.0.0.1:9/')).toBe(true);
    expect(takesToken(new URL('https://contoso.sharepoint.com/x.png'), SERVICE)).toBe(false);
    expect(takesToken(new URL('https://evil.example/trafficmanager.net'), SERVICE)).toBe(false);
  });

  it('reads botbuilder settings from the environment, or says why Teams stays off', () => {
    // Local mode (unauthenticated, for the Emulator) only when asked for, and never beside an app id.
    expect(teamsSettingsFromEnv({})).toEqual({ off: NO_APP_ID });
    expect(NO_APP_ID).toContain('TEAMS_LOCAL_MODE=1');
    expect(teamsSettingsFromEnv({ TEAMS_LOCAL_MODE: '0' })).toEqual({ off: NO_APP_ID });
    expect(teamsSettingsFromEnv({ TEAMS_LOCAL_MODE: '1' })).toEqual({ settings: { mode: 'local' } });
    expect(teamsSettingsFromEnv({ TEAMS_LOCAL_MODE: 'true' })).toEqual({ settings: { mode: 'local' } });
    expect(teamsSettingsFromEnv({ TEAMS_LOCAL_MODE: 'maybe' })).toMatchObject({
      off: expect.stringContaining('TEAMS_LOCAL_MODE must be 1'),
    });
    const id = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
    expect(teamsSettingsFromEnv({ MicrosoftAppId: id, MicrosoftAppPassword: 's', TEAMS_LOCAL_MODE: '1' })).toEqual({
      settings: { mode: 'authenticated', appId: id, appType: 'MultiTenant', password: 's' },
      warning: expect.stringContaining('TEAMS_LOCAL_MODE is ignored'),
    });
    expect(teamsSettingsFromEnv({ MicrosoftAppId: id, MicrosoftAppPassword: 's' })).toEqual({
      settings: { mode: 'authenticated', appId: id, appType: 'MultiTenant', password: 's' },
    });
    expect(
      teamsSettingsFromEnv({ MicrosoftAppId: id, MicrosoftAppType: 'SingleTenant', MicrosoftAppPassword: 's' }),
    ).toMatchObject({ off: expect.stringContaining('MicrosoftAppTenantId') });
    expect(teamsSettingsFromEnv({ MicrosoftAppId: id })).toMatchObject({
      off: expect.stringContaining('MicrosoftAppPassword'),
    });
    expect(
      teamsSettingsFromEnv({ MicrosoftAppId: id, MicrosoftAppType: 'UserAssignedMSI', MicrosoftAppTenantId: 't' }),
    ).toMatchObject({ settings: { appType: 'UserAssignedMSI' } });
    expect(teamsSettingsFromEnv({ MicrosoftAppId: 'helpdesk' })).toMatchObject({
      off: expect.stringContaining('GUID'),
    });
  });
});
