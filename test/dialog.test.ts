// Transcript tests of the conversation engine: what a person experiences, turn by turn. Each case is a
// class of message that an earlier engine threw away, hijacked, garbled or asked twice.
import { describe, expect, it } from 'vitest';
import { CLOSED_HOURS, coreWith, tempDir, transcript } from './helpers.ts';

const screenshot = [{ name: 'scherm.png', contentType: 'image/png' }];

describe('no ordinary request is taken for something else', () => {
  it.each([
    'Er is iets mis met de rapporten van de afdeling muziek, ze tonen geen punten',
    'Dit is dringend: de inschrijvingsmodule geeft een fout bij het bewaren',
    'Excel is traag, maar vooral de export uit jullie programma loopt vast',
    'Ze is per ongeluk overgezet naar een andere klas en nu zie ik haar afwezigheden niet meer',
    'Een medewerker van ons secretariaat krijgt een foutmelding bij het openen van de facturatie',
    'Hoe voeg ik een nieuwe medewerker toe als gebruiker van het programma?',
    'De leerlingen van niveau 2 staan dubbel in de klassenlijst',
  ])('%j starts triage', async (text) => {
    const chat = transcript();
    const r = await chat.user(text).bot({ status: 'collecting' });
    expect(r.awaiting).not.toBeNull();
    expect(r.replies.map((x) => x.text).join(' ')).not.toMatch(/bepaalde medewerker|doorgegeven aan een medewerker/);
  });

  it('a named colleague alone: the honest answer, then the request is asked for (not closed)', async () => {
    const chat = transcript();
    await chat
      .user('Kan ik Sandra spreken?')
      .bot({ status: 'collecting', awaiting: 'description', says: /elke collega/ });
    await chat
      .user('De lesroosters van onze klasgroepen zijn sinds gisteren helemaal leeg.')
      .bot({ status: 'collecting', awaiting: 'academy' });
  });

  it('a named colleague with a story: the story is triaged', async () => {
    const chat = transcript();
    const r = await chat
      .user('Kan ik Sandra spreken? De lesroosters van onze klasgroepen zijn sinds gisteren helemaal leeg.')
      .bot({ status: 'collecting', awaiting: 'academy', says: /elke collega/ });
    expect(r.label).not.toBeNull();
  });

  it('only a request to talk to a person hands off, not a negated one', async () => {
    const chat = transcript();
    await chat.user('Ik vroeg niet naar een medewerker?? De export naar het departement faalt.').bot({
      status: 'collecting',
    });
    const other = transcript({ conversation: 'conv-2' });
    await other.user('Kan ik met een medewerker spreken?').bot({ status: 'handoff' });
  });
});

describe("the person's own words reach the ticket", () => {
  it('a vague opening: the explanation asked first becomes the title and decides the kind', async () => {
    const chat = transcript();
    await chat.user('het werkt niet').bot({ status: 'collecting', awaiting: 'description' });
    await chat
      .user('Bij het afdrukken van de rapporten krijg ik een lege pdf, voor alle leerlingen')
      .bot({ awaiting: 'academy' });
    let r = await chat.user('Academie Lindenhof').bot({});
    for (let i = 0; i < 4 && r.status === 'collecting'; i++) r = await chat.user('nee').bot({});
    expect(r.ticket?.label).toBe('incident');
    expect(r.ticket?.title).toMatch(/lege pdf/);
    expect(r.ticket?.title).not.toMatch(/werkt niet/);
  });

  it('a greeting alone: the bot asks what it is about, and the greeting is not the ticket', async () => {
    const chat = transcript();
    await chat.user('Goedemorgen').bot({ status: 'collecting', awaiting: 'description', says: /Waarmee kan ik/ });
    const r = await chat
      .user('De facturen van dit trimester tonen een verkeerd bedrag voor het tweede kind', screenshot)
      .bot({ status: 'collecting' });
    expect(r.awaiting).not.toBe('description');
    let last = r;
    for (let i = 0; i < 4 && last.status === 'collecting'; i++) last = await chat.user('Academie Lindenhof').bot({});
    expect(last.ticket?.title).not.toMatch(/Goedemorgen/);
    expect(last.ticket?.description).not.toMatch(/^Goedemorgen/);
  });

  it('an academy named in the opening but not in the directory: the question says it was read', async () => {
    const chat = transcript();
    await chat
      .user('Dag, de facturen van dit schooljaar staan allemaal op 0 euro. Academie Gent.')
      .bot({ awaiting: 'academy', says: /"Academie Gent" niet terug/ });
    const fr = transcript({ conversation: 'conv-2' });
    await fr
      .user("Bonjour, les bulletins ne s'impriment plus à l'Académie de Mouscron")
      .bot({ awaiting: 'academy', says: /« Académie de Mouscron »/ });
    // A known academy, or the word without a name, is no unknown one.
    const known = transcript({ conversation: 'conv-3' });
    await known.user('De rapporten van Academie Het Spoor tonen geen punten').bot({ saysNot: /niet terug/ });
    const plain = transcript({ conversation: 'conv-4' });
    await plain
      .user('de export van onze academie geeft een fout 500')
      .bot({ awaiting: 'academy', saysNot: /niet terug/ });
  });

  it('an academy that is not in the directory: asked once more, then kept as given and said so', async () => {
    const chat = transcript();
    await chat.user('De export naar het departement geeft sinds gisteren een fout 500').bot({ awaiting: 'academy' });
    await chat.user('Mouscron').bot({ awaiting: 'academy' });
    let r = await chat.user('Académie de Mouscron').bot({ says: /"Académie de Mouscron".*noteer/s });
    for (let i = 0; i < 3 && r.status === 'collecting'; i++) r = await chat.user('nee').bot({});
    expect(r.status).toBe('filed');
    expect(r.ticket?.missing).toContain('academy');
    expect(r.ticket?.description).toContain('Académie de Mouscron');
    expect(r.ticket?.description).not.toMatch(/^Mouscron$/m);
  });

  it('an answer "liever niet" is a refusal, not part of the description', async () => {
    const chat = transcript();
    await chat
      .user('Het programma crasht met een foutmelding als ik de leerlingenfiche van een broer open')
      .bot({ awaiting: 'academy' });
    await chat.user('Academie Lindenhof').bot({ awaiting: 'student' });
    await chat.user('liever niet').bot({ awaiting: 'screenshot', says: /Geen probleem/ });
    await chat.user("je n'en ai pas").bot({ awaiting: 'error_message' });
    const r = await chat.user('Geen rechten voor deze actie').bot({ status: 'filed' });
    expect(r.ticket?.description).not.toMatch(/liever niet|n'en ai pas/);
    expect(r.ticket?.slots.error_message).toBe('Geen rechten voor deze actie');
  });
});

describe('after a ticket', () => {
  it('thanks and "ok" are answered politely and file nothing', async () => {
    const chat = transcript();
    await chat
      .user(
        'Bij het openen van de leerlingenfiche van Mila Jacobs krijg ik de foutmelding "Geboortedatum ongeldig". Academie De Klankkast',
        screenshot,
      )
      .bot({ status: 'filed' });
    for (const text of ['Dank u wel!', 'ok', 'merci, top']) {
      const r = await chat.user(text).bot({ status: 'done', says: /Graag gedaan|Avec plaisir|welcome/ });
      expect(r.ticket).toBeNull();
    }
    expect(await chat.tickets.list()).toHaveLength(1);
  });

  it('"status?" right after a ticket is about that ticket', async () => {
    const chat = transcript();
    await chat
      .user(
        'Bij het openen van de leerlingenfiche van Mila Jacobs krijg ik de foutmelding "Geboortedatum ongeldig". Academie De Klankkast',
        screenshot,
      )
      .bot({ status: 'filed' });
    const r = await chat.user('status?').bot({ says: /HD-000001/ });
    expect(r.ticket).toBeNull();
    expect(await chat.tickets.list()).toHaveLength(1);
  });

  it('"nee" or "?" alone never becomes a ticket', async () => {
    const chat = transcript();
    await chat.user('nee').bot({ status: 'done' });
    await chat.user('probleem').bot({ awaiting: 'description' });
    await chat.user('nee').bot({ status: 'done', says: /Zonder een korte beschrijving/ });
    expect(await chat.tickets.list()).toHaveLength(0);
  });

  it('a ticket number and "status" inside a new incident is a new incident, not a look-up', async () => {
    const chat = transcript();
    const r = await chat
      .user(
        'Sinds de update staat de status van alle herinschrijvingen op geweigerd, ook die van HD-000001 die al opgelost was, en ouders bellen ons',
      )
      .bot({ status: 'collecting' });
    expect(r.awaiting).not.toBeNull();
  });
});

describe('answers in any language, whatever the bot speaks', () => {
  it('the kind menu takes its own French wording and "deux"', async () => {
    for (const answer of ['Quelque chose ne fonctionne pas', 'deux']) {
      const chat = transcript({ conversation: answer });
      await chat.user("Bonjour, j'ai une question sur les groupes").bot({});
      const r = await chat.user("c'est à propos des groupes de cours").bot({});
      if (r.awaiting !== 'label') continue;
      await chat.user(answer).bot({ label: 'incident' });
    }
  });

  it('"nee" at the site profile\'s screenshot question (which says to answer "nee")', async () => {
    const chat = transcript({ profile: 'site' });
    await chat
      .user('Op https://justitienieuws.example.be/agenda staat bij twee evenementen een verkeerde datum, niet dringend')
      .bot({ status: 'collecting' });
    let r = await chat.user('2290').bot({});
    const asked: string[] = [];
    for (let i = 0; i < 6 && r.status === 'collecting'; i++) {
      asked.push(String(r.awaiting));
      const answer = r.awaiting === 'screenshot' ? 'nee' : r.awaiting === 'name' ? 'Jan Peeters' : 'weet ik niet';
      r = await chat.user(answer).bot({});
    }
    expect(r.status).toBe('filed');
    expect(new Set(asked).size).toBe(asked.length);
  });
});

describe('the helpdesk rules say only what is true', () => {
  it('an urgent incident outside contact hours says when to call, not "call now" beside "we are closed"', async () => {
    const chat = transcript({ now: CLOSED_HOURS });
    const r = await chat
      .user(
        'DRINGEND: niemand kan nog inloggen, foutmelding "Server unavailable" bij iedereen. Academie De Klankkast',
        screenshot,
      )
      .bot({});
    let last = r;
    for (let i = 0; i < 3 && last.status === 'collecting'; i++) last = await chat.user('nee').bot({});
    expect(last.status).toBe('filed');
    const text = last.replies.map((x) => x.text).join('\n');
    expect(text).toMatch(/gesloten/);
    expect(text).not.toMatch(/bel ook/);
  });

  it('the local ticket store sends no e-mail, so the bot does not promise one', async () => {
    const chat = transcript({ profile: 'site' });
    let r = await chat
      .user(
        'Kunnen jullie de titel van onze contactpagina aanpassen naar "Contact en openingsuren"? Site 2290. Jan Peeters, jan.peeters@justitie.example.be',
      )
      .bot({});
    for (let i = 0; i < 3 && r.status === 'collecting'; i++) r = await chat.user('nee').bot({});
    expect(r.status).toBe('filed');
    expect(r.replies.map((x) => x.text).join(' ')).not.toMatch(/per e-mail/);
  });

  it('the site being down is not a printer question', async () => {
    const chat = transcript({ profile: 'site' });
    const r = await chat.user('de site ligt plat!! niemand kan er nog op').bot({});
    expect(r.replies.map((x) => x.text).join(' ')).not.toMatch(/printer/i);
    expect(r.status).not.toBe('rejected');
  });
});

describe("nobody sees another person's tickets", () => {
  const opening =
    'Bij het openen van de leerlingenfiche van Mila Jacobs krijg ik de foutmelding "Geboortedatum ongeldig". Academie De Klankkast';

  it("the status of one's own ticket, but not of a stranger's, and not of a made-up number", async () => {
    const dataDir = tempDir();
    const els = transcript({ dataDir, conversation: 'a', user: { id: 'u-els', name: 'Els Peeters' } });
    await els.user(opening, screenshot).bot({ status: 'filed', says: /HD-000001/ });
    await els.user('Wat is de status van HD-000001?').bot({ says: /HD-000001 staat open/ });

    const stranger = transcript({ dataDir, conversation: 'b', user: { id: 'u-x', name: 'Piet' } });
    const r = await stranger.user('Wat is de status van HD-000001?').bot({ says: /vind geen ticket HD-000001/ });
    expect(r.replies.map((x) => x.text).join(' ')).not.toMatch(/open|Els|Mila/);
    await stranger.user('status van HD-000999?').bot({ says: /vind geen ticket HD-000999/ });
  });

  it('a colleague of the same academy sees it only where the configuration allows', async () => {
    const dataDir = tempDir();
    const els = transcript({ dataDir, conversation: 'a', user: { id: 'u-els' } });
    await els.user(opening, screenshot).bot({ status: 'filed' });
    const core = coreWith({ conversation: { status_of_organisation: true } });
    const jan = transcript({ dataDir, core, conversation: 'b', user: { id: 'u-jan' } });
    // Jan's academy is known from his own request in this conversation.
    let r = await jan.user('Hoe voeg ik een extra vak toe aan het rapport? Academie De Klankkast').bot({});
    for (let i = 0; i < 3 && r.status === 'collecting'; i++) r = await jan.user('nee').bot({});
    await jan.user('status van HD-000001?').bot({ says: /HD-000001 staat open/ });
  });
});

describe('answers the bot gives itself (self-service)', () => {
  it.each([
    ['Tot hoe laat zijn jullie vandaag bereikbaar?', /08:30|17:00/],
    ['wat is het telefoonnummer van de helpdesk', /09 324 00 10/],
    ['Where is the user manual?', /handleiding|manual/i],
    ['Binnen hoeveel tijd antwoorden jullie op een ticket?', /./],
  ])('%j is answered at once, with no ticket and no question about the academy', async (text, answer) => {
    const chat = transcript();
    const r = await chat.user(text).bot({ status: 'done', says: answer, saysNot: /Voor welke academie/ });
    expect(r.ticket).toBeNull();
    // The conversation stays open for a request.
    await chat.user('De export naar het departement geeft een fout 500 sinds vanmorgen').bot({ status: 'collecting' });
    expect(await chat.tickets.list()).toHaveLength(0);
  });

  it('a list of five questions: quoted and counted, then one ticket per question on request', async () => {
    const chat = transcript();
    const list =
      'Ik heb een hele lijst vragen:\n1. Hoe exporteer ik de leerlingenlijst?\n2. Waar stel ik de vakantiedagen in?\n3. Hoe maak ik een nieuwe klas aan?\n4. Waar vind ik de facturen van vorig jaar?\n5. Kan ik een leerling in twee afdelingen inschrijven?';
    const r = await chat.user(list).bot({ status: 'collecting', awaiting: 'confirm', says: [/5 vragen/, /helpdesk@/] });
    const text = r.replies.map((x) => x.text).join('\n');
    expect(text).toMatch(/Hoe exporteer ik de leerlingenlijst/);
    expect(text).toMatch(/Kan ik een leerling in twee afdelingen inschrijven/);
    expect(text).not.toMatch(/2 verschillende onderwerpen/);
    await chat.press('tickets').bot({ status: 'collecting', says: /5 tickets/ });
  });

  it('a list of questions by e-mail: the address, and nothing filed', async () => {
    const chat = transcript();
    await chat
      .user('Drie vragen:\n- Hoe zet ik een les om?\n- Waar zie ik de wachtlijst?\n- Hoe druk ik een attest af?')
      .bot({ awaiting: 'confirm' });
    await chat.press('email').bot({ status: 'done', says: /helpdesk@academiesoftware\.example/ });
    expect(await chat.tickets.list()).toHaveLength(0);
  });

  it('numbered reproduction steps of one incident are not a list of questions', async () => {
    const chat = transcript();
    const r = await chat
      .user('1. Open de leerlingenfiche\n2. Klik op bewaren\n3. Foutmelding 500 verschijnt. Academie Lindenhof')
      .bot({ status: 'collecting' });
    expect(r.replies.map((x) => x.text).join(' ')).not.toMatch(/lijst van|verschillende onderwerpen/);
  });

  it('a wish for a date: no promise, the wish noted, the request goes on', async () => {
    const chat = transcript();
    await chat
      .user(
        'Kunnen jullie een extra veld "instrument" toevoegen aan de leerlingenfiche? Kunnen jullie dat tegen vrijdag klaar hebben?',
      )
      .bot({ status: 'collecting', says: /nooit|richtlijn/ });
  });

  it('when a new version comes out: the changelog, no promised date, no ticket', async () => {
    const chat = transcript();
    const r = await chat.user('wanneer komt de nieuwe versie uit?').bot({ status: 'done', says: /changelog/i });
    expect(r.ticket).toBeNull();
  });

  it("mails to an agent's own address: said not to reach the ticket system, and this ticket does", async () => {
    const chat = transcript();
    await chat
      .user(
        'Ik had Jan al gemaild op zijn eigen adres, maar de rapporten van de afdeling dans tonen nog altijd geen punten',
      )
      .bot({ status: 'collecting', says: /persoonlijke adres/ });
  });
});

describe('"is it fixed yet?" before any new ticket', () => {
  const reported =
    'Bij het afdrukken van de rapporten staat het gemiddelde van vorig trimester erop in plaats van het huidige. Academie De Klankkast';

  it("a colleague's open ticket on the subject is found, and no duplicate is filed", async () => {
    const dataDir = tempDir();
    const els = transcript({ dataDir, conversation: 'a', user: { id: 'u-els', name: 'Els Peeters' } });
    let r = await els.user(reported, screenshot).bot({});
    for (let i = 0; i < 4 && r.status === 'collecting'; i++) r = await els.user('n.v.t.').bot({});
    expect(r.ticket?.id).toBe('HD-000001');

    const jan = transcript({ dataDir, conversation: 'b', user: { id: 'u-jan', name: 'Jan Maes' } });
    // Jan's academy is known from an earlier request of his in this conversation.
    let q = await jan.user('Hoe voeg ik een extra vak toe aan het rapport? Academie De Klankkast').bot({});
    for (let i = 0; i < 3 && q.status === 'collecting'; i++) q = await jan.user('nee').bot({});
    const before = (await jan.tickets.list()).length;
    const found = await jan
      .user('is het probleem met het gemiddelde op de rapporten al opgelost?')
      .bot({ status: 'collecting', says: [/HD-000001/, /collega/], saysNot: /Els|Peeters/ });
    expect(found.ticket).toBeNull();
    await jan.user('ja, voeg toe').bot({ status: 'done', says: /HD-000001/ });
    expect((await jan.tickets.list()).length).toBe(before);
  });

  it('nothing open and nothing in the changelog: the offer to file, and "nee" files nothing', async () => {
    const chat = transcript();
    await chat
      .user('nog nieuws over de trage export van de afwezigheden?')
      .bot({ status: 'collecting', awaiting: 'confirm', says: /Zal ik er een ticket van maken/ });
    await chat.user('nee').bot({ status: 'done' });
    expect(await chat.tickets.list()).toHaveLength(0);
  });
});

describe('"there is no error message"', () => {
  it('is neither a screenshot to ask for nor an error text, and not a missing detail', async () => {
    const chat = transcript({ profile: 'site' });
    await chat
      .user(
        "Le formulaire de contact du site 1178 n'envoie plus rien depuis hier, sur https://socialezekerheid.example.be/fr/contact",
      )
      .bot({ awaiting: 'screenshot' });
    let r = await chat.user("aucun message d'erreur, le formulaire dit juste merci").bot({ awaiting: 'name' });
    r = await chat.user('Claire Dubois').bot({ awaiting: 'email' });
    for (let i = 0; i < 3 && r.status === 'collecting'; i++) {
      r = await chat.user(r.awaiting === 'email' ? 'claire.dubois@sz.example.be' : 'sans objet').bot({});
    }
    expect(r.status).toBe('filed');
    expect(r.ticket?.slots.error_message).toBeUndefined();
    expect(r.ticket?.missing).toEqual([]);
    expect(r.ticket?.slots.name).toBe('Claire Dubois');
  });

  it('an e-mail address typed at the name question is the e-mail, not the name', async () => {
    const chat = transcript({ profile: 'site' });
    await chat.user('Hoe plan ik een nieuwsbericht in voor volgende week? site 2290').bot({});
    await chat.user('nee').bot({ awaiting: 'name' });
    // The address is kept as the e-mail (not asked again later), and the name is still asked.
    await chat.user('jan.peeters@justitie.example.be').bot({ awaiting: 'name' });
    const r = await chat.user('Jan Peeters').bot({ status: 'filed' });
    expect(r.ticket?.slots).toMatchObject({ name: 'Jan Peeters', email: 'jan.peeters@justitie.example.be' });
  });
});

describe('answers that end or postpone', () => {
  it('"laat maar, het werkt weer" in the middle of a request cancels it, nothing filed', async () => {
    const chat = transcript();
    await chat.user('De inschrijvingsmodule geeft een witte pagina bij het opslaan van een nieuwe leerling').bot({
      awaiting: 'academy',
    });
    await chat.user('laat maar, het werkt weer').bot({ status: 'done' });
    expect(await chat.tickets.list()).toHaveLength(0);
  });

  it('"ik stuur zo een screenshot" at the screenshot question is no error text', async () => {
    const chat = transcript();
    await chat.user('Rapporten!!! Niemand kan ze openen, morgen oudercontact. AKW').bot({ awaiting: 'student' });
    await chat.user('n.v.t.').bot({ awaiting: 'screenshot' });
    const r = await chat.user('ik stuur zo een screenshot').bot({ awaiting: 'screenshot' });
    expect(r.ticket).toBeNull();
    const filed = await chat.user('hier is hij', screenshot).bot({ status: 'filed' });
    expect(filed.ticket?.slots.error_message).toBeUndefined();
    expect(filed.ticket?.attachments).toHaveLength(1);
  });
});

describe('an opening that says nothing yet', () => {
  it('"ik heb een probleem" asks what it is about, and the answer decides the kind', async () => {
    const chat = transcript({ profile: 'site' });
    await chat.user('ik heb een probleem').bot({ status: 'collecting', awaiting: 'description' });
    const r = await chat.user('met de zoekfunctie op onze site, die vindt niks meer').bot({ status: 'collecting' });
    expect(r.label).toBe('incident');
    expect(r.awaiting).not.toBe('label');
  });

  it('at the kind menu, an explanation instead of a number is read as the request', async () => {
    const chat = transcript();
    const first = await chat.user('Ik zit met de klassenlijsten van de afdeling dans').bot({ awaiting: 'label' });
    expect(first.replies.at(-1)?.choices).toHaveLength(4);
    const r = await chat
      .user('in de klassenlijst van dans staan leerlingen dubbel sinds de update van gisteren')
      .bot({ status: 'collecting' });
    expect(r.awaiting).not.toBe('label');
    expect(r.label).toBe('incident');
  });

  it('the academy given at the kind menu is kept: the menu comes back, the academy is not asked again', async () => {
    const chat = transcript();
    await chat.user('Ik zit met de klassenlijsten van de afdeling dans').bot({ awaiting: 'label' });
    await chat.user('academie Waregem').bot({ awaiting: 'label', says: /^Dat noteer ik erbij\. Kies een nummer/ });
    const r = await chat.user('2').bot({ status: 'collecting', label: 'incident' });
    expect(r.awaiting).not.toBe('academy');
    expect(r.awaiting).not.toBe('label');
  });

  it('a word that is neither a kind nor a detail at the menu is still asked again, not noted', async () => {
    const chat = transcript();
    await chat.user('Ik zit met de klassenlijsten van de afdeling dans').bot({ awaiting: 'label' });
    await chat.user('pfff').bot({ awaiting: 'label', says: /^Kies een nummer/ });
  });

  it.each([
    ['ik heb een vraag', 'academie Waregem', /^Dat noteer ik erbij\. Wat is uw vraag precies\?/],
    ["Bonjour, j'ai une question", 'académie de Waregem', /^Je le note\. Quelle est votre question/],
    ['hi, quick question', 'Klankkast academy', /^Noted\. What is your question/],
  ])('%j then only the academy: kept, and what the question is asked again', async (opening, academy, again) => {
    const chat = transcript();
    await chat.user(opening).bot({ awaiting: 'description' });
    await chat.user(academy).bot({ awaiting: 'description', says: again });
    const r = await chat.user('hoe kan ik een klassenlijst van dans afdrukken?').bot({});
    expect(r.awaiting).not.toBe('academy');
    expect(r.label).toBe('question');
    if (r.ticket) expect(r.ticket.slots.academy).toBe('AKW');
  });

  it('an opening with only the academy asks what it is about; a story with the academy does not', async () => {
    const chat = transcript();
    await chat.user('dag, academie Waregem hier').bot({ awaiting: 'description' });
    const other = transcript({ conversation: 'conv-2' });
    const r = await other.user('dag, academie Waregem hier, de klassenlijst van dans toont dubbele leerlingen').bot({});
    expect(r.awaiting).not.toBe('description');
    expect(r.awaiting).not.toBe('academy');
  });

  it('"voilà" without the file at the screenshot question is no error text', async () => {
    const chat = transcript();
    await chat.user('Rapporten!!! Niemand kan ze openen, morgen oudercontact. AKW').bot({ awaiting: 'student' });
    await chat.user('n.v.t.').bot({ awaiting: 'screenshot' });
    await chat.user('voilà').bot({ awaiting: 'screenshot' });
  });
});

describe('answers that are not the detail asked', () => {
  it('a screen named at the student question is no student; a lower-case name is cut at "uit"', async () => {
    const chat = transcript();
    await chat
      .user('Bij het afdrukken van de rapporten van Academie Lindenhof krijg ik een witte pagina')
      .bot({ awaiting: 'student' });
    let s = await chat.user('in het scherm rapporten').bot({ awaiting: 'student' });
    for (let i = 0; i < 4 && s.status === 'collecting'; i++) s = await chat.user('nee').bot({});
    expect(s.ticket?.slots.student).toBeUndefined();
    const other = transcript({ conversation: 'conv-2' });
    await other
      .user('Bij het afdrukken van de rapporten van Academie Lindenhof krijg ik een witte pagina')
      .bot({ awaiting: 'student' });
    let r = await other.user('emma uit 3b').bot({});
    for (let i = 0; i < 3 && r.status === 'collecting'; i++) r = await other.user('nee').bot({});
    expect(r.ticket?.slots.student).toBe('emma');
  });

  it('"nee, ..." at the screenshot question is no screenshot and no error text: the error text is asked', async () => {
    const chat = transcript();
    await chat
      .user('Het programma crasht met een foutmelding als ik de leerlingenfiche van een broer open')
      .bot({ awaiting: 'academy' });
    await chat.user('Academie Lindenhof').bot({ awaiting: 'student' });
    await chat.user('n.v.t.').bot({ awaiting: 'screenshot' });
    await chat.user('nee, dat lukt hier niet').bot({ awaiting: 'error_message' });
    const r = await chat.user('Geen rechten voor deze actie').bot({ status: 'filed' });
    expect(r.ticket?.slots.error_message).toBe('Geen rechten voor deze actie');
    // A quoted error after "nee" is still the error text.
    const other = transcript({ conversation: 'conv-2' });
    await other
      .user('Het programma crasht met een foutmelding als ik de leerlingenfiche van een broer open')
      .bot({ awaiting: 'academy' });
    await other.user('Academie Lindenhof').bot({ awaiting: 'student' });
    await other.user('n.v.t.').bot({ awaiting: 'screenshot' });
    const q = await other.user('nee, er staat "Object reference not set"').bot({ status: 'filed' });
    expect(q.ticket?.slots.error_message).toBe('Object reference not set');
  });

  it('more of the story at a question is noted (not "not understood"), and an error text is never kept as the academy', async () => {
    const chat = transcript();
    await chat.user('hoe voeg ik een nieuwe leerkracht toe?').bot({ awaiting: 'academy' });
    await chat
      .user('dat heb ik al geprobeerd en het lukt niet, ik krijg een foutmelding')
      .bot({ awaiting: 'academy', says: /noteer ik/ });
    let r = await chat.user('"Gebruiker bestaat al"').bot({});
    for (let i = 0; i < 3 && r.status === 'collecting'; i++) r = await chat.user('nee').bot({});
    expect(r.ticket?.slots.error_message).toBe('Gebruiker bestaat al');
    expect(r.ticket?.description).not.toMatch(/Academie: "?Gebruiker/);
    expect(r.replies.map((x) => x.text).join(' ')).not.toMatch(/niet terug in onze lijst/);
  });
});

describe('a fact about the helpdesk beside something else', () => {
  it('beside a remark: the fact (with the phone number), nothing triaged', async () => {
    const chat = transcript();
    await chat.user('Kan ik met iemand bellen? Ik snap er niks van.').bot({ status: 'done', says: /09 324 00 10/ });
    const fr = transcript({ conversation: 'conv-2' });
    await fr.user("J'y comprends rien. Je peux vous appeler ?").bot({ status: 'done', says: /09 324 00 10/ });
  });

  it('beside a request: the fact, then the request is triaged without the fact sentence', async () => {
    const chat = transcript();
    const r = await chat
      .user('Tot hoe laat zijn jullie open? De rapporten van leerling Jan Peeters tonen een verkeerd gemiddelde.')
      .bot({ status: 'collecting', says: /08:30 tot 17:00/ });
    expect(r.label).toBe('incident');
  });

  it.each([
    'Na de overgang staan alle leerlingen nog in hun oude klas. Is er iets misgelopen?',
    'De wifi in de leraarskamer valt steeds weg. Wie moet ik contacteren?',
    'Kunnen jullie dat toevoegen? Op het attest moet het aantal lesweken erbij.',
  ])('a loose sentence is no fact question: %j is triaged without a fact', async (text) => {
    const chat = transcript();
    const r = await chat.user(text).bot({});
    expect(r.replies.map((x) => x.text).join(' ')).not.toMatch(/08:30 tot 17:00|09 324 00 10/);
    expect(r.status).not.toBe('done');
  });
});

describe('the story turns out to be out of scope', () => {
  const opening = 'Goeiemorgen, ik krijg de afwezigheden van vorige week niet afgedrukt voor Academie Lindenhof';

  it('"het is de printer zelf" while details are asked: the device check, then refused with the referral', async () => {
    const chat = transcript();
    await chat.user(opening).bot({ awaiting: 'student' });
    await chat.user('n.v.t.').bot({ awaiting: 'screenshot' });
    await chat
      .user('het is de printer zelf denk ik, die geeft een papierstoring')
      .bot({ awaiting: 'confirm', says: /andere programma/ });
    const r = await chat.user('ja, uit Word ook niet').bot({ status: 'rejected', says: /leverancier/ });
    expect(r.ticket).toBeFalsy();
  });

  it('a device named in passing: the check, and "nee" goes on with the request as it was', async () => {
    const chat = transcript();
    await chat.user('De rapporten van 3B tonen geen punten bij Academie Lindenhof').bot({ awaiting: 'student' });
    const r = await chat
      .user('Het gebeurt bij alle collega’s, ook op de laptop van de directeur')
      .bot({ status: 'collecting' });
    if (r.awaiting === 'confirm') await chat.user('nee').bot({ status: 'collecting', label: 'incident' });
    expect(r.replies.map((x) => x.text).join(' ')).not.toMatch(/leverancier/);
  });

  it('more story without a device or network is only noted', async () => {
    const chat = transcript();
    await chat.user('De rapporten van 3B tonen geen punten bij Academie Lindenhof').bot({ awaiting: 'student' });
    await chat
      .user('Ik heb het ook op een andere computer geprobeerd en daar is het hetzelfde probleem')
      .bot({ awaiting: 'student', says: /noteer/ });
  });
});

describe('files and places at the screenshot question', () => {
  const opening = 'de export naar het departement loopt vast bij Academie Lindenhof, al de hele ochtend';

  it('a screenshot without a word is the screenshot (no "geen probleem")', async () => {
    const chat = transcript();
    let r = await chat.user(opening).bot({});
    for (let i = 0; i < 3 && r.awaiting !== 'screenshot'; i++) r = await chat.user('n.v.t.').bot({});
    r = await chat.user('', screenshot).bot({ saysNot: /Geen probleem/ });
    expect(r.awaiting).not.toBe('screenshot');
  });

  it('"het scherm export" at the screenshot question is no error text', async () => {
    const chat = transcript();
    let r = await chat.user(opening).bot({});
    for (let i = 0; i < 3 && r.awaiting !== 'screenshot'; i++) r = await chat.user('n.v.t.').bot({});
    await chat.user('Het scherm export').bot({ awaiting: 'screenshot' });
    r = await chat.user('nee').bot({});
    for (let i = 0; i < 3 && r.status === 'collecting'; i++) r = await chat.user('n.v.t.').bot({});
    expect(r.ticket?.slots.error_message).not.toBe('Het scherm export');
  });

  it('a file without a word at the student question is kept, and the question asked again without "not understood"', async () => {
    const chat = transcript();
    await chat
      .user('Bij het afdrukken van de rapporten van Academie Lindenhof krijg ik een witte pagina')
      .bot({ awaiting: 'student' });
    await chat.user('', screenshot).bot({ awaiting: 'student', saysNot: /niet goed begrepen/ });
  });
});

describe('short answers that are no detail', () => {
  it('"ja" at the name question is no name', async () => {
    const chat = transcript({ profile: 'site' });
    await chat.user('kan je een nieuwe redacteur toevoegen voor site 2290?').bot({ awaiting: 'name' });
    await chat.user('ja').bot({ awaiting: 'name', says: /niet goed begrepen/ });
    const r = await chat.user('Els Martens').bot({});
    expect(r.awaiting).not.toBe('name');
  });

  it('a problem on every page of a site asks no page address', async () => {
    const chat = transcript({ profile: 'site' });
    const r = await chat
      .user("Our news items don't show their images anymore since the update, on every page. Site 3005")
      .bot({ status: 'collecting' });
    expect(r.awaiting).not.toBe('url');
    const one = transcript({ profile: 'site', conversation: 'conv-2' });
    await one
      .user("Our news item about the budget doesn't show its image anymore since the update. Site 3005")
      .bot({ awaiting: 'url' });
  });
});

describe('an opening that names only the kind of request', () => {
  it.each([
    ['ik heb een vraag', 'nl'],
    ['ik wil een klacht indienen', 'nl'],
    ["j'ai une question", 'fr'],
    ["I'd like to file a complaint", 'en'],
  ])('%j is neither refused nor filed: what it is about is asked', async (text) => {
    const chat = transcript();
    await chat.user(text).bot({ status: 'collecting', awaiting: 'description' });
  });

  it('a plainly out-of-scope opening is still refused at once', async () => {
    const chat = transcript();
    await chat.user('onze printer heeft een papierstoring').bot({ status: 'rejected' });
  });

  it('the complaint told after "ik wil een klacht indienen" is a complaint', async () => {
    const chat = transcript();
    await chat.user('ik wil een klacht indienen').bot({ awaiting: 'description' });
    await chat
      .user('de helpdesk antwoordt al twee weken niet op mijn mails over de facturen')
      .bot({ status: 'collecting', label: 'complaint' });
  });
});

describe('at the error question', () => {
  const opening = 'De rapporten van klas 3B bij Academie Lindenhof tonen geen punten, voor alle leerlingen';
  async function atErrorQuestion(conversation: string) {
    const chat = transcript({ conversation });
    let r = await chat.user(opening).bot({});
    for (let i = 0; i < 3 && r.awaiting !== 'error_message'; i++) r = await chat.user('nee').bot({});
    expect(r.awaiting).toBe('error_message');
    return chat;
  }

  it.each([
    ['a ticket number alone', 'HD-000456'],
    ['"nee, ..."', 'nee, dat helpt niet'],
    ['a question of the person', 'wanneer wordt dit opgelost?'],
  ])('%s is no error text', async (_what, answer) => {
    const chat = await atErrorQuestion(answer);
    let r = await chat.user(answer).bot({});
    for (let i = 0; i < 3 && r.status === 'collecting'; i++) r = await chat.user('nee').bot({});
    expect(r.ticket?.slots.error_message).toBeUndefined();
  });

  it.each(['Er is een onverwachte fout opgetreden', 'Wilt u de wijzigingen opslaan?', 'Fout 500 bij HD-export'])(
    'an error text is still the error text: %j',
    async (answer) => {
      const chat = await atErrorQuestion(answer);
      let r = await chat.user(answer).bot({});
      for (let i = 0; i < 3 && r.status === 'collecting'; i++) r = await chat.user('nee').bot({});
      expect(answer).toContain(r.ticket?.slots.error_message);
      expect(r.ticket?.slots.error_message?.length).toBeGreaterThan(5);
    },
  );
});

describe('after a refusal', () => {
  const opening =
    'Wij hebben zelf een script geschreven dat de leerlingen importeert en nu werkt de import niet meer. Academie Lindenhof';

  it('refused again for the same reason: not the same text twice, but how to reach a person', async () => {
    const chat = transcript();
    const first = await chat.user(opening).bot({ status: 'rejected' });
    const again = await chat
      .user('nee hoor, het script doet niks met jullie database, enkel een CSV maken')
      .bot({ status: 'rejected', says: /medewerker/ });
    expect(again.replies[0]?.text).not.toBe(first.replies[0]?.text);
  });

  it('asking for a person right after: the colleague gets the refused request, with the academy', async () => {
    const chat = transcript();
    await chat.user(opening).bot({ status: 'rejected' });
    await chat.user('nee hoor, het script doet niks met jullie database, enkel een CSV maken').bot({});
    const r = await chat.user('medewerker').bot({ status: 'handoff' });
    expect(r.ticket?.description).toMatch(/zelf een script geschreven/);
    expect(r.ticket?.description).toMatch(/CSV maken/);
    expect(r.ticket?.label).toBe('incident');
  });

  it('a new, different request after a refusal is its own request', async () => {
    const chat = transcript();
    await chat.user(opening).bot({ status: 'rejected' });
    const r = await chat.user('Hoe maak ik een nieuwe klas aan voor volgend schooljaar?').bot({ status: 'collecting' });
    expect(r.label).toBe('question');
  });
});

describe('contact details and names', () => {
  it('a contact line at the screenshot question gives name, e-mail and phone, and is no error text', async () => {
    const chat = transcript({ profile: 'site' });
    await chat.user('hallo, de nieuwspagina op site 4488 geeft een 404').bot({ awaiting: 'url' });
    await chat.user('https://klimaat.example.be/nieuws').bot({ awaiting: 'screenshot' });
    let r = await chat
      .user('Jef Peeters, jef.peeters@vlaanderen.example, 02 553 12 34')
      .bot({ awaiting: 'screenshot' });
    r = await chat.user('dat heb ik net gezegd: Jef Peeters').bot({});
    for (let i = 0; i < 3 && r.status === 'collecting'; i++) r = await chat.user('nee').bot({});
    expect(r.ticket?.slots).toMatchObject({
      name: 'Jef Peeters',
      email: 'jef.peeters@vlaanderen.example',
      phone: '02 553 12 34',
    });
    expect(r.ticket?.slots.error_message).toBeUndefined();
  });

  it('"zie hierboven" or somebody else\'s name is no name; "my name is ..., e-mail" is', async () => {
    const chat = transcript({ profile: 'site' });
    await chat.user('I need an account for a new colleague on site 5701').bot({ awaiting: 'name' });
    await chat.user('her name is Sarah De Wit').bot({ awaiting: 'name' });
    const r = await chat.user('my name is Peter Janssens, peter.janssens@statbel.example').bot({ status: 'filed' });
    expect(r.ticket?.slots).toMatchObject({ name: 'Peter Janssens', email: 'peter.janssens@statbel.example' });
    const other = transcript({ profile: 'site', conversation: 'conv-2' });
    await other.user('I need an account for a new colleague on site 5701').bot({ awaiting: 'name' });
    await other.user('zie hierboven').bot({ awaiting: 'name' });
  });
});

describe('the kind of request, said or unsure', () => {
  it('"ik heb een vraag over de rapporten": a question, and the question itself is asked (no menu, no empty ticket)', async () => {
    const chat = transcript();
    await chat
      .user('ik heb een vraag over de rapporten. Academie Het Spoor')
      .bot({ awaiting: 'description', label: 'question', says: /Wat is uw vraag/ });
    const r = await chat.user('hoe zet ik het logo van de academie op het rapport?').bot({ status: 'filed' });
    expect(r.ticket?.description).toMatch(/logo/);
  });

  it('"ik wil een klacht indienen" is asked what went wrong', async () => {
    const chat = transcript();
    await chat.user('ik wil een klacht indienen').bot({ awaiting: 'description', says: /misliep/ });
  });

  it('the menu of kinds is shown once per request: an explanation at it goes on with the best guess', async () => {
    const chat = transcript({ profile: 'site' });
    let r = await chat.user('https://cultuur.example.be/agenda').bot({ status: 'collecting' });
    for (let i = 0; i < 4 && r.awaiting === 'description'; i++)
      r = await chat.user('de agenda op onze site is leeg').bot({});
    let menus = r.awaiting === 'label' ? 1 : 0;
    for (let i = 0; i < 3 && r.awaiting === 'label'; i++) {
      r = await chat.user('de agenda op de site toont niets meer sinds gisteren').bot({});
      if (r.awaiting === 'label') menus++;
    }
    expect(menus).toBeLessThanOrEqual(1);
  });
});

describe('the language of a bare address', () => {
  it('a URL alone keeps the conversation in Dutch, and asks what it is about', async () => {
    const chat = transcript({ profile: 'site' });
    await chat.user('https://cultuur.example.be/agenda').bot({ awaiting: 'description', says: /Kunt u/ });
  });
});

describe('a call back asked for', () => {
  it.each([
    'bel me aub terug, 0478 11 22 33',
    'kunnen jullie mij bellen? 0478 11 22 33, het gaat over de inschrijvingen bij Academie Het Spoor',
    "pouvez-vous m'appeler au 0478 11 22 33 ?",
    'could you call me on 0478 11 22 33 about the invoices?',
  ])('%j goes to a person with the number, not a device question', async (text) => {
    const chat = transcript();
    const r = await chat.user(text).bot({ status: 'handoff' });
    expect(r.ticket?.slots.phone).toBe('0478 11 22 33');
  });

  it('"ik bel morgen wel terug" is no request to be called', async () => {
    const chat = transcript();
    const r = await chat.user('ik bel morgen wel terug, de rapporten van 3B tonen geen punten').bot({});
    expect(r.status).not.toBe('handoff');
  });
});

describe('a phone number in an urgent incident', () => {
  it('"please call me on ..." beside an outage is triaged and filed, not handed off', async () => {
    const chat = transcript({ profile: 'site' });
    const r = await chat
      .user('URGENT: site 5063 is completely down, the travel advice must be online. Please call me on 0478 11 22 33')
      .bot({});
    expect(r.status).not.toBe('handoff');
  });
});

describe('students named in answers, and cancelling in passing', () => {
  it.each([
    ['het gaat over sara el amrani', 'sara el amrani'],
    ["l'eleve c'est marie dubois", 'marie dubois'],
    ['Noor Van den Broeck', 'Noor Van den Broeck'],
  ])('%j at the student question is the student %j', async (answer, student) => {
    const chat = transcript();
    await chat
      .user('Bij het afdrukken van de rapporten van Academie Het Spoor krijg ik een witte pagina')
      .bot({ awaiting: 'student' });
    let r = await chat.user(answer).bot({});
    expect(r.awaiting).not.toBe('student');
    for (let i = 0; i < 3 && r.status === 'collecting'; i++) r = await chat.user('nee').bot({});
    expect(r.ticket?.slots.student).toBe(student);
  });

  it('a student with two particles in the opening is read ("voor de leerling Noor Van den Broeck")', async () => {
    const chat = transcript();
    const r = await chat
      .user('goeiemorgen, voor de leerling Noor Van den Broeck klopt het getuigschrift niet bij Academie Het Spoor')
      .bot({});
    expect(r.awaiting).not.toBe('student');
  });

  it('"wacht, het staat er nu wel. laat maar" cancels; a story that merely ends in "laat maar" does not', async () => {
    const chat = transcript({ profile: 'site' });
    await chat
      .user('ik heb een nieuwsbericht gepubliceerd maar het staat niet op de homepage van site 2290')
      .bot({ status: 'collecting' });
    await chat.user('wacht, het staat er nu wel. laat maar').bot({ status: 'done', says: /niets doorgestuurd/ });
    const other = transcript({ profile: 'site', conversation: 'conv-2' });
    await other
      .user('ik heb een nieuwsbericht gepubliceerd maar het staat niet op de homepage van site 2290')
      .bot({ status: 'collecting' });
    await other
      .user('ik heb het al drie keer opnieuw gepubliceerd en het blijft weg, dus laat maar niet liggen')
      .bot({ status: 'collecting' });
  });

  it('a site that is down asks no page address', async () => {
    const chat = transcript({ profile: 'site' });
    const r = await chat.user('URGENT site 2031 is down, we krijgen "503 Service Unavailable"').bot({});
    expect(r.awaiting).not.toBe('url');
  });
});

describe('two academies in one answer', () => {
  it('"ik werk voor 2 academies: Kortrijk en Mol" is asked again, not the first one taken', async () => {
    const chat = transcript();
    await chat.user('de afwezigheden van de gitaarklas worden niet bewaard').bot({ awaiting: 'academy' });
    await chat.user('weet ik niet, ik werk voor 2 academies: Kortrijk en Mol').bot({ awaiting: 'academy' });
    const r = await chat.user('Mol').bot({});
    expect(r.awaiting).not.toBe('academy');
  });
});

describe('the kind said in a short opening', () => {
  it('"vraagje over de uurroosters" is a question whose content is asked, not an incident with a screenshot', async () => {
    const chat = transcript();
    await chat
      .user('vraagje over de uurroosters, Academie Het Spoor')
      .bot({ awaiting: 'description', label: 'question' });
  });

  it('a kind word beside a full story does not override it', async () => {
    const chat = transcript();
    await chat
      .user('vraagje: het programma crasht telkens als ik de uurroosters van Academie Het Spoor open, foutmelding 500')
      .bot({ label: 'incident' });
  });
});

describe('the name given ahead', () => {
  it('"Tine Claeys" at the screenshot question of a site incident is the name, and the screenshot is asked again', async () => {
    const chat = transcript({ profile: 'site' });
    await chat.user('de nieuwspagina van site 5063 geeft een 404').bot({ awaiting: 'url' });
    await chat.user('https://reizen.example.be/nieuws').bot({ awaiting: 'screenshot' });
    await chat.user('Tine Claeys').bot({ awaiting: 'screenshot', says: /noteer/ });
    let r = await chat.user('nee').bot({});
    for (let i = 0; i < 4 && r.status === 'collecting'; i++) {
      r = await chat.user(r.awaiting === 'email' ? 'tine.claeys@bz.example' : 'nee').bot({});
    }
    expect(r.ticket?.slots.name).toBe('Tine Claeys');
    expect(r.ticket?.slots.error_message).toBeUndefined();
  });

  it('an error text in capitals of one word, or with punctuation, is still the error text', async () => {
    const chat = transcript({ profile: 'site' });
    await chat.user('de nieuwspagina van site 5063 geeft een fout').bot({ awaiting: 'url' });
    await chat.user('https://reizen.example.be/nieuws').bot({ awaiting: 'screenshot' });
    let r = await chat.user('Forbidden: Access Denied').bot({});
    for (let i = 0; i < 4 && r.status === 'collecting'; i++) {
      r = await chat
        .user(r.awaiting === 'email' ? 'tine.claeys@bz.example' : r.awaiting === 'name' ? 'Tine Claeys' : 'nee')
        .bot({});
    }
    expect(r.ticket?.slots.error_message).toMatch(/Access Denied/);
  });
});

describe('"zie hierboven"', () => {
  it('at the error question is no error text', async () => {
    const chat = transcript();
    let r = await chat
      .user('De rapporten van klas 3B bij Academie Het Spoor tonen geen punten, voor alle leerlingen')
      .bot({});
    for (let i = 0; i < 3 && r.awaiting !== 'error_message'; i++) r = await chat.user('nee').bot({});
    r = await chat.user('zie hierboven').bot({});
    for (let i = 0; i < 3 && r.status === 'collecting'; i++) r = await chat.user('nee').bot({});
    expect(r.ticket?.slots.error_message).toBeUndefined();
  });

  it('"j’ai une question sur les inscriptions, academie de ..." asks the question itself', async () => {
    const chat = transcript();
    await chat
      .user("Bonjour, j'ai une question sur les inscriptions, académie de Courtrai")
      .bot({ awaiting: 'description', label: 'question' });
  });
});

describe('a detail corrected while the questions go on', () => {
  it.each([
    ['nee sorry, het is niet Waregem maar academie Lier', /^Aangepast: Academie SAL \(Stedelijke Academie Lier\)\. /],
    ["pardon, ce n'est pas Waregem mais l'académie de Lier", /^C'est corrigé : Académie SAL/],
    ['sorry, I meant Lier academy, not Waregem', /^Corrected: Academy SAL/],
  ])('%j replaces the academy and says so', async (correction, says) => {
    const chat = transcript();
    const opening = /^[np]/.test(correction)
      ? 'De export van de leerlingenlijst loopt vast bij academie Waregem'
      : 'The export of the student list hangs, academy Waregem';
    const first = await chat.user(opening).bot({ status: 'collecting' });
    const r = await chat.user(correction).bot({ status: 'collecting', awaiting: first.awaiting, says });
    let s = r;
    for (let i = 0; i < 6 && s.status === 'collecting'; i++) s = await chat.user('n.v.t.').bot({});
    expect(s.ticket?.slots.academy).toBe('SAL');
  });

  it('a site id corrected: the right one, never the wrong one named after "niet"', async () => {
    const chat = transcript({ profile: 'site' });
    await chat.user('de zoekfunctie werkt niet op site 6234').bot({ awaiting: 'url' });
    await chat
      .user('oh wacht, sorry het is site 6243 niet 6234')
      .bot({ awaiting: 'url', says: /^Aangepast: Site 6243\b/ });
  });

  it("a student's name corrected ('ze heet eigenlijk ...') replaces the name, and is no error text", async () => {
    const chat = transcript();
    await chat
      .user('Bij het afdrukken van het rapport van Emma Janssens krijg ik een foutmelding, academie Waregem')
      .bot({ awaiting: 'screenshot' });
    await chat
      .user('sorry, ze heet eigenlijk Emma Jansen')
      .bot({ awaiting: 'screenshot', says: /^Aangepast: Leerling Emma Jansen\./ });
    let s = await chat.user('nee').bot({});
    for (let i = 0; i < 4 && s.status === 'collecting'; i++) s = await chat.user('nee').bot({});
    expect(s.ticket?.slots.student).toBe('Emma Jansen');
    expect(s.ticket?.slots.error_message ?? '').not.toMatch(/Jansen/);
  });

  it('the same academy again, or a "niet" without a detail, corrects nothing', async () => {
    const chat = transcript();
    const first = await chat.user('De export van de leerlingenlijst loopt vast bij academie Waregem').bot({});
    const r = await chat.user('sorry, academie Waregem, niet in de leerlingen').bot({});
    expect(r.awaiting).toBe(first.awaiting);
    expect(r.replies.at(-1)?.text).not.toMatch(/Aangepast/);
  });
});

describe('an error text that opens with a word of "no"', () => {
  it.each([
    ['Fout bij genereren document: template niet gevonden', 'nee'],
    ['Fout bij openen van het scherm', 'nee'],
  ])('%j at the error question is the error text', async (error, no) => {
    const chat = transcript();
    await chat.user('attesten afdrukken geeft fout. Academie Lier').bot({ awaiting: 'student' });
    await chat.user('nvt').bot({ awaiting: 'screenshot' });
    await chat.user(no).bot({ awaiting: 'error_message' });
    const r = await chat.user(error).bot({ status: 'filed' });
    expect(r.ticket?.slots.error_message).toBe(error);
  });

  it('"nee, dat lukt hier niet" at the error question is still none to give', async () => {
    const chat = transcript();
    await chat.user('attesten afdrukken geeft fout. Academie Lier').bot({ awaiting: 'student' });
    await chat.user('nvt').bot({ awaiting: 'screenshot' });
    await chat.user('nee').bot({ awaiting: 'error_message' });
    const r = await chat.user('nee, dat lukt hier niet').bot({ status: 'filed' });
    expect(r.ticket?.slots.error_message).toBeUndefined();
  });
});

describe('what the first message already says is not asked', () => {
  it.each([
    'Het uurrooster klopt niet meer sinds de update, academie Waregem, scherm uurrooster, gaat niet over een leerling. Geen screenshot.',
    "L'écran des absences plante à l'enregistrement, académie de Waregem, ne concerne pas un élève. Pas de capture.",
  ])('%j: no student or screenshot question; the error text is asked instead', async (text) => {
    const chat = transcript();
    await chat.user(text).bot({ status: 'collecting', awaiting: 'error_message' });
  });

  it('"Not about one student. No screenshot. No error message." files without asking any of them', async () => {
    const chat = transcript();
    await chat
      .user(
        'The attendance screen shows an error when saving, Academy Waregem. Not about one student. No screenshot. No error message.',
      )
      .bot({ status: 'filed' });
  });

  it('"I said not about one student" at the student question is "n.v.t.", not asked again', async () => {
    const chat = transcript();
    await chat.user("Printing a student's report card gives an error, academy Waregem").bot({ awaiting: 'student' });
    const r = await chat.user('I said not about one student').bot({ status: 'collecting' });
    expect(r.awaiting).not.toBe('student');
  });

  it('a student named in the first message is still asked for nothing more, and "geen screenshot" is no "no error"', async () => {
    const chat = transcript();
    await chat
      .user('Het rapport van Emma Janssens drukt niet af, academie Waregem. Geen screenshot.')
      .bot({ awaiting: 'error_message' });
  });
});

describe("the sender's own contact details in the first message", () => {
  it.each([
    'Beste, ik ben niet tevreden over hoe mijn melding werd behandeld. Site 5063, Koen Peeters, koen@bz.example',
    'site 1042: bij het opslaan krijg ik "Error 500". Mijn gegevens: Karen Wouters, karen.wouters@mow.example, 0475 12 34 56',
    'De zoekfunctie op site 2290 geeft geen resultaten meer.\n\nGroetjes,\nHilde Verbruggen\nCommunicatiedienst',
  ])('%j: the name is not asked', async (text) => {
    const chat = transcript({ profile: 'site' });
    let r = await chat.user(text).bot({});
    for (let i = 0; i < 5 && r.status === 'collecting'; i++) {
      expect(r.awaiting).not.toBe('name');
      r = await chat.user(r.awaiting === 'url' ? 'https://www.example.be/zoeken' : 'nee').bot({});
    }
    expect(r.ticket?.slots.name).toMatch(/^(Koen Peeters|Karen Wouters|Hilde Verbruggen)$/);
  });

  it.each([
    'Graag een redacteursaccount voor Tom Claes, tom.claes@stad.example, op site 2290',
    'De nieuwsbrief van site 2290 komt niet aan.\n\nMet Vriendelijke Groeten',
  ])('not %j: no name of someone else, nor a closing, is the sender', async (text) => {
    const chat = transcript({ profile: 'site' });
    let r = await chat.user(text).bot({});
    for (let i = 0; i < 5 && r.status === 'collecting' && r.awaiting !== 'name'; i++)
      r = await chat.user('nee').bot({});
    expect(r.awaiting).toBe('name');
  });
});

describe('asking for one colleague by name', () => {
  it.each([
    ['kan ik rechtstreeks contact opnemen met Tom van jullie team?', /elke collega van de helpdesk/],
    ['Est-ce que je peux contacter Sophie directement ?', /chaque collègue du helpdesk/],
    ['can I get in touch with Mark from your team?', /every colleague at the helpdesk/],
  ])('%j: the honest answer, and what it is about is asked (no ticket of nothing)', async (text, says) => {
    const chat = transcript();
    await chat.user(text).bot({ status: 'collecting', awaiting: 'description', says });
  });

  it('not "contact opnemen met de helpdesk over de facturen": that is the request itself', async () => {
    const chat = transcript();
    const r = await chat.user('kan ik contact opnemen met de helpdesk over de facturen van academie Waregem?').bot({});
    expect(r.replies.map((x) => x.text).join(' ')).not.toMatch(/bepaalde medewerker/);
  });
});

describe('after asking for a person outside contact hours', () => {
  it('without the academy, what the person says next goes onto the handoff ticket', async () => {
    const chat = transcript({ now: CLOSED_HOURS });
    const first = await chat.user('mag ik iemand aan de lijn? ik geraak er niet uit').bot({ status: 'handoff' });
    const ticket = first.ticket?.id;
    const r = await chat
      .user('het gaat over de facturen van academie Lindenhof')
      .bot({ says: /Toegevoegd aan uw ticket/ });
    expect(r.replies.at(-1)?.text).toContain(ticket);
  });

  it('thanks after it is thanks, not a note', async () => {
    const chat = transcript({ now: CLOSED_HOURS });
    await chat.user('mag ik iemand aan de lijn? ik geraak er niet uit').bot({ status: 'handoff' });
    const r = await chat.user('ok bedankt').bot({});
    expect(r.replies.map((x) => x.text).join(' ')).not.toMatch(/Toegevoegd/);
  });
});

describe('following up on a ticket', () => {
  const complete =
    'De export naar Excel geeft een lege pagina, academie Waregem, scherm leerlingen, gaat niet over een leerling, geen screenshot, geen foutmelding';

  it('"laat maar, ik heb het zelf al opgelost" right after the ticket is noted on it', async () => {
    const chat = transcript();
    const first = await chat.user(complete).bot({ status: 'filed' });
    const r = await chat.user('laat maar, ik heb het zelf al opgelost').bot({ says: /Fijn dat het opgelost is/ });
    expect(r.replies.at(-1)?.text).toContain(first.ticket?.id);
  });

  it('"is het al opgelost?" right after the ticket asks that ticket\'s status, no new ticket is offered', async () => {
    const chat = transcript();
    const first = await chat.user(complete).bot({ status: 'filed' });
    const r = await chat.user('is het al opgelost?').bot({});
    expect(r.replies.at(-1)?.text).toContain(first.ticket?.id);
    expect(r.awaiting).toBeNull();
  });

  it.each([
    'Ik heb vorige week ticket HD-004512 ingediend, is daar al iets mee gebeurd?',
    "Bonjour, j'ai envoyé le ticket HD-004512 la semaine passée, est-ce que quelqu'un a regardé ?",
  ])('%j is a status question about that number, not a new request', async (text) => {
    const chat = transcript();
    const r = await chat.user(text).bot({});
    expect(r.replies.at(-1)?.text).toMatch(/HD-004512/);
    expect(r.ticket).toBeNull();
  });

  it('a status question before the ticket exists is no error text: said so, and the question goes on', async () => {
    const chat = transcript();
    await chat.user("Printing a student's report card gives an error, academy Waregem").bot({ awaiting: 'student' });
    await chat.user('any update on my ticket?').bot({ awaiting: 'student', says: /^Your ticket doesn't exist yet/ });
    await chat.user('n/a').bot({ awaiting: 'screenshot' });
    await chat.user('no').bot({ awaiting: 'error_message' });
    const r = await chat.user('any update?').bot({ status: 'filed' });
    expect(r.ticket?.slots.error_message).toBeUndefined();
  });
});

describe('a change to a site asks which page, and "not about a page" is an answer', () => {
  it('the page question of a change is worded for a change; "gaat niet over een pagina, ..." declines it', async () => {
    const chat = transcript({ profile: 'site' });
    await chat
      .user('Kunnen jullie een nieuw sjabloon maken voor de nieuwsberichten op site 2290?')
      .bot({ awaiting: 'url', says: /^Over welke pagina gaat het\?/ });
    const r = await chat.user('gaat niet over een pagina, het is een nieuw sjabloon').bot({ status: 'collecting' });
    expect(r.awaiting).toBe('name');
    expect(r.rejection).toBeNull();
  });

  it('an incident still asks where it happens', async () => {
    const chat = transcript({ profile: 'site' });
    await chat.user('de zoekfunctie werkt niet op site 6234').bot({ awaiting: 'url', says: /waar het gebeurt/ });
  });
});

describe('good news with thanks, as a first message', () => {
  it('"de rapporten zijn goed afgedrukt, bedankt voor de snelle hulp" is thanked, nothing filed', async () => {
    const chat = transcript();
    await chat
      .user('de rapporten zijn goed afgedrukt, bedankt voor de snelle hulp')
      .bot({ status: 'done', says: /Graag gedaan/ });
  });
});

describe('answers that name another detail, or take it back', () => {
  it('"het is niet academie Lier maar academie Halle" in the first message files the right academy', async () => {
    const chat = transcript();
    let r = await chat
      .user('ik heb me vergist, het is niet academie Lier maar academie Halle. de rapporten tonen geen punten')
      .bot({});
    for (let i = 0; i < 5 && r.status === 'collecting'; i++) r = await chat.user('nee').bot({});
    expect(r.ticket?.slots.academy).toBe('SAH');
  });

  it('"oh wacht, laat maar, ik vraag het liever per mail" at a question cancels, nothing filed', async () => {
    const chat = transcript();
    await chat
      .user('leerling Mats Janssens staat dubbel ingeschreven, academie Waregem, scherm inschrijvingen')
      .bot({ awaiting: 'screenshot' });
    const r = await chat.user('oh wacht, laat maar, ik vraag het liever per mail').bot({ status: 'done' });
    expect(r.ticket).toBeNull();
  });

  it('a screen at the student question is no student; at the error question no error text', async () => {
    const chat = transcript();
    await chat.user('de rapporten geven een lege pagina, academie Waregem').bot({ awaiting: 'student' });
    await chat.user('scherm rapporten > afdrukken').bot({ awaiting: 'student', says: /^Dat noteer ik erbij/ });
    await chat.user('n.v.t.').bot({ awaiting: 'screenshot' });
    await chat.user('nee').bot({ awaiting: 'error_message' });
    const r = await chat.user('scherm afdrukken').bot({});
    let s = r;
    for (let i = 0; i < 3 && s.status === 'collecting'; i++) s = await chat.user('nee').bot({});
    expect(s.ticket?.slots.student).toBeUndefined();
    expect(s.ticket?.slots.error_message).toBeUndefined();
  });

  it('a name typed at the e-mail question is the name; the e-mail is asked again', async () => {
    const chat = transcript({ profile: 'site' });
    await chat
      .user(
        'de zoekfunctie op site 2290 werkt niet meer, https://www.example.be/zoeken, geen screenshot, foutmelding "500"',
      )
      .bot({ awaiting: 'name' });
    await chat.user('nee').bot({ awaiting: 'email' });
    await chat.user('Joke Maes').bot({ awaiting: 'email', says: /^Dat noteer ik erbij/ });
    let r = await chat.user('joke.maes@stad.example').bot({});
    for (let i = 0; i < 3 && r.status === 'collecting'; i++) r = await chat.user('n.v.t.').bot({});
    expect(r.ticket?.slots.name).toBe('Joke Maes');
  });

  it('the name in a closing with a phone number before the e-mail ("Groeten, Jan Maes, 02 ..., jan@...")', async () => {
    const chat = transcript({ profile: 'site' });
    const r = await chat
      .user(
        'Goedemiddag, op site 4488 geeft de pagina https://klimaat.be/nl/nieuws een 404. Foutmelding: Page not found. Groeten, Jan Maes, 02 553 12 34, jan.maes@klimaat.be',
      )
      .bot({ status: 'filed' });
    expect(r.ticket?.slots.name).toBe('Jan Maes');
  });
});

describe('after a refusal, the person pushes back', () => {
  it('"maar het is wel vanuit jullie programma dat ik print" resumes the request', async () => {
    const chat = transcript();
    await chat.user('Onze printer drukt de rapporten scheef af, academie Waregem').bot({ status: 'rejected' });
    const r = await chat.user('maar het is wel vanuit jullie programma dat ik print').bot({ status: 'collecting' });
    expect(r.awaiting).not.toBe('label');
    expect(r.awaiting).not.toBe('academy');
  });

  it('another question right after keeps the academy of the refused request', async () => {
    const chat = transcript();
    await chat
      .user('Kan iemand ter plaatse komen om de nieuwe versie te installeren? Academie Geel')
      .bot({ status: 'rejected' });
    const r = await chat.user('kan het dan via teamviewer?').bot({});
    expect(r.awaiting).not.toBe('academy');
  });
});

describe('more after the ticket', () => {
  it('"is het nu doorgestuurd?" right after the ticket gives its status', async () => {
    const chat = transcript({ profile: 'site' });
    const first = await chat
      .user(
        'de zoekfunctie op site 2290 werkt niet meer, https://www.example.be/zoeken, geen screenshot, foutmelding "500". Jan Maes, jan.maes@klimaat.be, 0475 12 34 56',
      )
      .bot({ status: 'filed' });
    const r = await chat.user('is het nu doorgestuurd?').bot({});
    expect(r.replies.at(-1)?.text).toContain(first.ticket?.id);
    expect(r.awaiting).toBeNull();
  });

  it('"how do I export the class lists to excel" is a question about the software, never refused', async () => {
    const chat = transcript();
    const r = await chat.user('how do I export the class lists to excel').bot({});
    expect(r.status).not.toBe('rejected');
    expect(r.label).toBe('question');
  });
});

describe('site answers that are no site or page', () => {
  it('"nee helpt niet" at the site question is never kept as the site', async () => {
    const chat = transcript({ profile: 'site' });
    await chat.user('de zoekfunctie werkt niet').bot({ awaiting: 'site_id' });
    await chat.user('euh').bot({ awaiting: 'site_id' });
    const r = await chat.user('nee helpt niet').bot({});
    expect(r.replies.map((x) => x.text).join(' ')).not.toMatch(/niet terug in onze lijst/);
  });

  it('"op alle paginas" at the page question answers it', async () => {
    const chat = transcript({ profile: 'site' });
    await chat.user("Hallo, de pagina's laden traag op site 2290").bot({ awaiting: 'url' });
    const r = await chat.user('op alle paginas').bot({});
    expect(r.awaiting).not.toBe('url');
  });

  it('"ik heb een lijst met 12 vragen" gets the advice to e-mail the list; a list itself is still split', async () => {
    const chat = transcript({ profile: 'site' });
    await chat
      .user('ik heb een lijst met 12 vragen over de nieuwe versie, site 2290')
      .bot({ status: 'done', says: /per e-mail naar/ });
  });
});

describe('a fact asked at a question', () => {
  it('"tot hoe laat zijn jullie open?" at the name question is answered, and the name is still asked', async () => {
    const chat = transcript({ profile: 'site', now: CLOSED_HOURS });
    await chat
      .user(
        'de zoekfunctie op site 2290 werkt niet meer, https://www.example.be/zoeken, geen screenshot, foutmelding "500"',
      )
      .bot({ awaiting: 'name' });
    const r = await chat.user('tot hoe laat zijn jullie open?').bot({ awaiting: 'name' });
    expect(r.replies[0]?.text).toMatch(/08:30/);
    expect(r.replies.at(-1)?.text).toMatch(/^Dan ga ik verder met uw melding\. Wat is uw naam\?/);
    await chat.user('Jan Maes').bot({ awaiting: 'email' });
  });

  it('not an error text with a question mark in it: that stays the error text', async () => {
    const chat = transcript();
    await chat.user('attesten afdrukken geeft fout. Academie Lier').bot({ awaiting: 'student' });
    await chat.user('nvt').bot({ awaiting: 'screenshot' });
    await chat.user('nee').bot({ awaiting: 'error_message' });
    const r = await chat.user('"Wilt u het document opslaan?" en dan loopt het vast').bot({ status: 'filed' });
    expect(r.ticket?.slots.error_message).toMatch(/opslaan/);
  });
});

describe('a contact detail alone right after the ticket', () => {
  const complete =
    'Bonjour, le formulaire de contact ne fonctionne plus sur le site 2290, https://www.example.be/contact, pas de capture, erreur "Bad gateway". Sophie Lambert, sophie@ville.example, 0475 12 34 56';

  it.each(['mon numéro direct : 02 511 22 33', 'Marie Dupont, directrice'])('%j is added to it', async (text) => {
    const chat = transcript({ profile: 'site' });
    const first = await chat.user(complete).bot({ status: 'filed' });
    const r = await chat.user(text).bot({});
    expect(r.replies.at(-1)?.text).toContain(first.ticket?.id);
    expect(r.awaiting).toBeNull();
  });

  it('not a new story that names a phone number: that is a request of its own', async () => {
    const chat = transcript({ profile: 'site' });
    await chat.user(complete).bot({ status: 'filed' });
    const r = await chat
      .user('Andere vraag: de agenda op site 2290 toont geen activiteiten meer sinds vanmorgen, bel me op 02 511 22 33')
      .bot({});
    expect(r.replies.map((x) => x.text).join(' ')).not.toMatch(/Ajouté|Toegevoegd/);
  });
});
