import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileBlobStore } from '../adapters/files/blobs.ts';
import { BOT_TOKEN, buttons, shown, type TeamsBot, teamsBot } from './teams/harness.ts';
import { CHANNEL, cardSubmit, channelMention, installation, PERSONAL, personalMessage } from './teams/requests.ts';

// Teams end to end: the real server on 127.0.0.1, Bot Framework activities posted as Teams posts them,
// and a local fake Bot Connector (test/teams/fake-connector.ts) as their serviceUrl, which records
// everything the bot sent and wants the bot's token on every call.

const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 9, 8, 7, 6, 5, 4, 3, 2]);
const COMPLETE_INCIDENT =
  'Bij het openen van de leerlingenfiche van Mila Jacobs krijg ik de foutmelding "Geboortedatum ongeldig". Academie De Klankkast';

describe('Teams on the server as npm start runs it (local mode, fake Bot Connector)', () => {
  let bot: TeamsBot;
  beforeEach(async () => {
    bot = await teamsBot();
  });
  afterEach(async () => {
    await bot.close();
  });

  it('a personal chat with a pasted screenshot: typing, preview card, Send, the ticket number in the last card', async () => {
    const image = bot.fake.addPastedImage(PNG);
    const res = await bot.post(personalMessage(bot.serviceUrl, COMPLETE_INCIDENT, { attachments: [image] }));
    expect(res.status).toBe(200);
    await bot.settled();

    const typing = bot.fake.sent({ typing: true })[0];
    expect(typing?.type).toBe('typing');
    const [preview, ...more] = bot.fake.sent();
    expect(more).toEqual([]);
    expect(preview?._to).toBe(PERSONAL);
    const card = shown(preview);
    for (const detail of ['Leerling', 'Mila Jacobs', 'Foutmelding', 'Geboortedatum ongeldig', 'AKW', 'image-1.png'])
      expect(card).toContain(detail);
    expect(buttons(preview).map((b) => b.choice)).toEqual(['send', 'edit']);
    expect(await bot.tickets.list()).toHaveLength(0);
    // The pasted image was fetched with the bot's token (without it the connector answers 401).
    expect(bot.fake.downloads().map((d) => [d.status, d.token])).toEqual([[200, BOT_TOKEN]]);

    const send = buttons(preview).find((b) => b.choice === 'send')!;
    expect((await bot.post(cardSubmit(bot.serviceUrl, preview!, send))).status).toBe(200);
    await bot.settled();
    const last = bot.fake.sent().at(-1);
    expect(bot.fake.sent()).toHaveLength(2);
    expect(last?.attachments).toBeDefined();
    expect(shown(last)).toMatch(/HD-000001/);
    // The preview's buttons gave way to the choice made.
    const [update] = bot.fake.updates();
    expect(update?.activityId).toBe(preview?.id);
    expect(buttons(update?.body ?? undefined)).toEqual([]);
    expect(shown(update?.body ?? undefined)).toContain('Versturen');

    const [ticket] = await bot.tickets.list();
    expect(ticket?.draft).toMatchObject({
      label: 'incident',
      conversation: `teams:${PERSONAL}`,
      slots: { academy: 'AKW', student: 'Mila Jacobs', email: 'sofie.peeters@klankkast.example' },
      requester: { name: 'Sofie Peeters' },
    });
    const attachment = ticket?.draft.attachments[0];
    expect(attachment).toMatchObject({ name: 'image-1.png', contentType: 'image/png', size: PNG.byteLength });
    const stored = await new FileBlobStore(bot.dataDir).get(attachment?.ref ?? '');
    expect(Buffer.from(stored ?? [])).toEqual(Buffer.from(PNG));
  });
});
