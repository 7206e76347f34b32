import { describe, expect, it } from 'vitest';
import { fileStore, memoryStore } from '../adapters/state/store.ts';
import { fileWaitingList } from '../adapters/state/waiting.ts';
import { LocalTicketStore } from '../adapters/tickets/local/store.ts';
import { TriageService } from '../bots/runtime/service.ts';
import { coreWith, OPEN_HOURS, shippedCore, tempDir, transcript } from './helpers.ts';

describe('manual first', () => {
  it('proposes the manual page for a how-to question; "yes" closes without a ticket', async () => {
    const chat = transcript();
    const r = await chat
      .user('Dag, hoe kan ik de rapporten van een hele klas in één keer als pdf afdrukken?')
      .bot({ status: 'collecting', awaiting: 'confirm', says: [/handleiding/, /rapporten\/afdrukken/] });
    expect(r.replies[0]?.choices?.map((c) => c.value)).toEqual(['yes', 'no']);
    const done = await chat.user('ja, gevonden!').bot({ status: 'done', says: /Fijn/ });
    expect(done.effects).toContainEqual({ type: 'resolved_by_manual', pages: ['rapporten-afdrukken'] });
    expect(await chat.tickets.list()).toHaveLength(0);
  });

  it('"no" goes on to the ticket, which records what was proposed', async () => {
    const chat = transcript();
    await chat.user('Comment imprimer les bulletins de toute une classe en pdf ?').bot({ says: /bulletins\/imprimer/ });
    await chat.user('non').bot({ awaiting: 'academy', says: /Dommage/ });
    const r = await chat.user('Académie de Halle').bot({ status: 'filed' });
    expect(r.ticket?.proposed).toEqual(['bulletins-imprimer']);
  });

  it('proposes nothing for an incident, or a question the manual does not cover', async () => {
    await transcript()
      .user('De rapporten geven een lege pdf sinds vanmorgen, Academie Lindenhof')
      .bot({ saysNot: /handleiding/ });
    await transcript()
      .user('Kunnen ouders zelf de lesuren van hun kind online bekijken? Academie Lindenhof')
      .bot({ saysNot: /handleiding/ });
  });

  it('points "is it fixed yet?" to the changelog entry', async () => {
    const chat = transcript();
    await chat
      .user('Is the problem with the average on the report cards fixed yet? AKW')
      .bot({ awaiting: 'confirm', says: [/changelog/, /8-4-2/] });
    await chat.user('yes').bot({ status: 'done' });
  });
});

describe('ask once', () => {
  const first =
    'Bij het afdrukken van de rapporten staat het gemiddelde van vorig trimester erop in plaats van het huidige. Academie De Klankkast';
  const again =
    'De rapporten tonen het gemiddelde van het vorige trimester, niet van dit trimester. Academie De Klankkast';

  it('offers a colleague the open ticket on the same subject, and adds their details to it', async () => {
    const dataDir = tempDir();
    const els = transcript({ dataDir, user: { id: 'u-els', name: 'Els Peeters' }, conversation: 'a' });
    let r = await els.user(first, [{ name: 'rapport.png', contentType: 'image/png' }]).bot({});
    for (let i = 0; i < 4 && r.status === 'collecting'; i++) r = await els.user('n.v.t.').bot({});
    expect(r.ticket?.id).toBe('HD-000001');

    const janStore = memoryStore();
    const jan = transcript({ dataDir, store: janStore, user: { id: 'u-jan', name: 'Jan Maes' }, conversation: 'b' });
    const offer = await jan.user(again, [{ name: 'ook.png', contentType: 'image/png' }]).bot({
      awaiting: 'confirm',
      says: [/al aan gewerkt/, /HD-000001/, /een collega/, /dinsdag 24 november/],
      saysNot: /Els/,
    });
    expect(offer.replies.at(-1)?.choices?.map((c) => c.value)).toEqual(['add', 'new']);
    // Jan's state names the ticket, nothing of Els: not her name, not her id.
    const offered = (await janStore.get('b'))?.request?.duplicate;
    expect(offered).toMatchObject({ id: 'HD-000001' });
    expect(JSON.stringify(offered)).not.toMatch(/Els|Peeters|u-els/);
    await jan.user('ja, voeg toe').bot({ status: 'done', says: /toegevoegd aan ticket HD-000001/ });
    expect(await jan.tickets.list()).toHaveLength(1);
    const ticket = await jan.tickets.get('HD-000001');
    expect(ticket?.notes).toMatchObject([{ author: { id: 'u-jan' }, attachments: [{ name: 'ook.png' }] }]);
    expect(ticket?.notes?.[0]?.text).toContain('vorige trimester');
  });

  it('files a new ticket, linked, when the colleague says it is something else', async () => {
    const dataDir = tempDir();
    const els = transcript({ dataDir, user: { id: 'u-els' }, conversation: 'a' });
    let r = await els.user(first, [{ name: 'rapport.png', contentType: 'image/png' }]).bot({});
    for (let i = 0; i < 4 && r.status === 'collecting'; i++) r = await els.user('n.v.t.').bot({});
    const jan = transcript({ dataDir, user: { id: 'u-jan' }, conversation: 'b' });
    await jan.user(again, [{ name: 'x.png', contentType: 'image/png' }]).bot({ says: /een collega/ });
    r = await jan.user('nieuw ticket').bot({});
    for (let i = 0; i < 4 && r.status === 'collecting'; i++) r = await jan.user('n.v.t.').bot({});
    expect(r.ticket).toMatchObject({ id: 'HD-000002', related: 'HD-000001' });
  });

  it('gives a person who asks the same again their existing ticket, not a second one', async () => {
    const dataDir = tempDir();
    const store = memoryStore();
    const els = transcript({ dataDir, store, user: { id: 'u-els' }, conversation: 'a' });
    let r = await els.user(first, [{ name: 'rapport.png', contentType: 'image/png' }]).bot({});
    for (let i = 0; i < 4 && r.status === 'collecting'; i++) r = await els.user('n.v.t.').bot({});
    const later = transcript({ dataDir, store, user: { id: 'u-els' }, conversation: 'a2' });
    await later
      .user(again, [{ name: 'rapport.png', contentType: 'image/png' }])
      .bot({ status: 'done', says: /U vroeg dit al eerder.*HD-000001/ });
    expect(await later.tickets.list()).toHaveLength(1);
  });

  it('does not take another screen or another academy for the same subject', async () => {
    const dataDir = tempDir();
    const els = transcript({ dataDir, user: { id: 'u-els' }, conversation: 'a' });
    let r = await els.user(first, [{ name: 'rapport.png', contentType: 'image/png' }]).bot({});
    for (let i = 0; i < 4 && r.status === 'collecting'; i++) r = await els.user('n.v.t.').bot({});
    const other = transcript({ dataDir, user: { id: 'u-an' }, conversation: 'c' });
    r = await other
      .user(again.replace('Academie De Klankkast', 'Academie Lindenhof'), [{ name: 'y.png', contentType: 'image/png' }])
      .bot({ saysNot: /al aan gewerkt/ });
  });
});

describe('who may ask (site profile: at most three editors per site)', () => {
  const message = 'Hoe plan ik een nieuwsbericht in voor volgende week maandag? site 4488';

  it('tells someone not registered how to get access, and still files the request, marked', async () => {
    const chat = transcript({
      profile: 'site',
      user: { id: 'u-x', name: 'Bart Smet', email: 'bart@economie-werk.example' },
    });
    await chat.user(message).bot({ awaiting: 'confirm', says: /FAQ|nieuwsbericht/i });
    let r = await chat.user('nee').bot({});
    for (let i = 0; i < 4 && r.status === 'collecting'; i++) r = await chat.user('n.v.t.').bot({});
    const all = chat.results.flatMap((x) => x.replies.map((y) => y.text)).join('\n');
    expect(all).toMatch(/niet op de lijst van contactpersonen voor 4488\./);
    // Who the editors of the site are is not this person's to know.
    expect(all).not.toMatch(/Lien|Baert|Koen|De Wilde/);
    expect(r.ticket).toMatchObject({ registered: false });
  });

  it('files a registered editor request without remarks', async () => {
    const chat = transcript({
      profile: 'site',
      user: { id: 'u-l', name: 'Lien Baert', email: 'lien.baert@economie-werk.example' },
    });
    await chat.user(message).bot({ awaiting: 'confirm' });
    let r = await chat.user('nee').bot({});
    for (let i = 0; i < 4 && r.status === 'collecting'; i++) r = await chat.user('n.v.t.').bot({});
    expect(r.ticket).toMatchObject({ registered: true });
    expect(chat.results.flatMap((x) => x.replies.map((y) => y.text)).join('\n')).not.toMatch(/niet op de lijst/);
  });

  it('refuses kindly when the configuration says so', async () => {
    const core = coreWith({ registry: { mode: 'refuse' } }, 'site');
    const chat = transcript({ core, user: { id: 'u-x', name: 'Bart Smet', email: 'bart@economie-werk.example' } });
    await chat.user(message).bot({ awaiting: 'confirm' });
    let r = await chat.user('nee').bot({});
    for (let i = 0; i < 4 && r.status === 'collecting'; i++) r = await chat.user('n.v.t.').bot({});
    expect(r.status).toBe('done');
    expect(r.replies.at(-1)?.text).toMatch(/Enkel de contactpersonen van 4488/);
    expect(await chat.tickets.list()).toHaveLength(0);
  });
});

describe('outside the contract', () => {
  const request =
    'Kunnen jullie een koppeling met onze boekhouding programmeren, specifiek voor ons, zodat de facturen automatisch doorgaan? Academie Lindenhof';

  it('warns that it may be charged; "yes" files with the warning recorded', async () => {
    const chat = transcript();
    await chat.user(request).bot({ awaiting: 'confirm', says: /aangerekend/ });
    const r = await chat.user('ja').bot({ status: 'filed' });
    expect(r.ticket).toMatchObject({ label: 'change', billable: 'extra-programming' });
  });

  it('"no" files nothing', async () => {
    const chat = transcript();
    await chat.user(request).bot({ awaiting: 'confirm' });
    await chat.user('nee').bot({ status: 'done', says: /niets doorgestuurd/ });
    expect(await chat.tickets.list()).toHaveLength(0);
  });

  it('warns in English too', async () => {
    await transcript()
      .user('We would like a custom report built for us with the yearly fees per family. Academie Lindenhof')
      .bot({ awaiting: 'confirm', says: /may be charged/ });
  });
});

describe('closing rule: no reaction', () => {
  it('reminds once with the closing date, then closes after five working days', async () => {
    const chat = transcript();
    await chat.user('Het programma crasht telkens bij het opslaan van een evaluatie.').bot({ awaiting: 'academy' });
    // A quiet afternoon: nothing yet.
    chat.clock.now = new Date(OPEN_HOURS.getTime() + 5 * 3_600_000);
    expect(await chat.service.tick('conv-1')).toEqual([]);
    // Wednesday 10:00, a day later: one reminder, with the question and the closing date.
    chat.clock.now = new Date(OPEN_HOURS.getTime() + 25 * 3_600_000);
    const [reminder] = await chat.service.tick('conv-1');
    expect(reminder?.text).toMatch(/Herinnering.*\n?.*welke academie.*5 werkdagen, op woensdag 2 december/is);
    chat.clock.now = new Date(OPEN_HOURS.getTime() + 49 * 3_600_000);
    expect(await chat.service.tick('conv-1')).toEqual([]);
    // Wednesday 2 December after 17:00: closed.
    chat.clock.now = new Date('2026-12-02T16:30:00Z');
    const [closed] = await chat.service.tick('conv-1');
    expect(closed?.text).toMatch(/afgesloten/);
    await chat.user('Academie Lindenhof').bot({ saysNot: /evaluatie/ });
  });

  it('an answer after the reminder simply goes on', async () => {
    const chat = transcript();
    await chat.user('Het programma crasht telkens bij het opslaan van een evaluatie.').bot({ awaiting: 'academy' });
    chat.clock.now = new Date(OPEN_HOURS.getTime() + 30 * 3_600_000);
    await chat.service.tick('conv-1');
    chat.clock.now = new Date(OPEN_HOURS.getTime() + 50 * 3_600_000);
    await chat.user('Academie Lindenhof').bot({ status: 'collecting', awaiting: 'student' });
  });
});

describe('closing rule: the sweep', () => {
  it('reminds after a restart the conversations left waiting (the list is kept in the data folder), once', async () => {
    const dataDir = tempDir();
    const clock = { now: OPEN_HOURS };
    const told: { conversation: string; text: string }[] = [];
    const notifier = {
      async notify(conversation: string, replies: { text: string }[]) {
        for (const r of replies) told.push({ conversation, text: r.text });
      },
    };
    const start = () => {
      const store = fileStore(dataDir);
      const waiting = fileWaitingList(dataDir);
      const service = new TriageService(
        shippedCore(),
        store,
        new LocalTicketStore(dataDir),
        () => clock.now,
        undefined,
        {
          notifier,
          waiting,
        },
      );
      return { service, waiting, close: () => Promise.all([store.close(), waiting.close(), service.worker.stop()]) };
    };
    const before = start();
    const user = { id: 'u1' };
    const asked = await before.service.handleTurn({
      conversation: 'conv-asked',
      user,
      text: 'Het programma crasht telkens bij het opslaan van een evaluatie.',
      attachments: [],
    });
    expect(asked.awaiting).toBe('academy');
    // One asked and was answered: done, nothing to remind.
    const turn = (text: string) =>
      before.service.handleTurn({ conversation: 'conv-done', user, text, attachments: [] });
    await turn('Dag, hoe kan ik de rapporten van een hele klas in één keer als pdf afdrukken?');
    expect((await turn('ja, gevonden!')).status).toBe('done');
    await before.close();

    const after = start();
    clock.now = new Date(OPEN_HOURS.getTime() + 25 * 3_600_000);
    expect(await after.service.sweep()).toBe(1);
    expect(told).toEqual([
      { conversation: 'conv-asked', text: expect.stringMatching(/Herinnering.*welke academie/is) },
    ]);
    expect(await after.service.sweep()).toBe(0);
    // Still waiting for the academy (the closing comes later); the finished one was struck off.
    expect(await after.waiting.list()).toEqual(['conv-asked']);
    await after.close();
  });
});

describe('measured on the labelled sets (floors; figures from npm run bench:rules)', () => {
  it('proposes manual pages with high precision, in the message language only', async () => {
    const { readFileSync } = await import('node:fs');
    const { shippedCore } = await import('./helpers.ts');
    const lines = readFileSync('test/fixtures/kb.jsonl', 'utf8')
      .trim()
      .split('\n')
      .map(
        (l) =>
          JSON.parse(l) as { profile: 'academy' | 'site'; lang: 'nl' | 'fr' | 'en'; text: string; articles: string[] },
      );
    let proposed = 0;
    let right = 0;
    for (const line of lines) {
      const core = shippedCore(line.profile);
      // As the bot does it: pages are proposed for what it takes for a question.
      const verdict = core.classifier.classify(line.text, line.lang);
      const pages = verdict.label === 'question' ? core.knowledge.manual(line.text, verdict.lang) : [];
      for (const m of pages) expect([line.lang, 'any']).toContain(m.page.lang);
      proposed += pages.length;
      right += pages.filter((m) => line.articles.includes(m.page.id)).length;
    }
    expect(proposed).toBeGreaterThan(30);
    expect(right / proposed).toBeGreaterThan(0.8);
  });
});
