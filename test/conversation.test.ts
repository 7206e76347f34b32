import { describe, expect, it } from 'vitest';
import { fileStore, memoryStore } from '../adapters/state/store.ts';
import { CLOSED_HOURS, tempDir, transcript } from './helpers.ts';

describe('conversations (academy profile)', () => {
  it('files a complete first message at once', async () => {
    const chat = transcript();
    const r = await chat
      .user(
        'Bij het openen van de leerlingenfiche van Mila Jacobs krijg ik de foutmelding "Geboortedatum ongeldig". Academie De Klankkast',
        [{ name: 'scherm.png', contentType: 'image/png' }],
      )
      .bot({ status: 'filed', awaiting: null, label: 'incident', says: /ticket HD-000001/ });
    expect(r.ticket).toMatchObject({
      id: 'HD-000001',
      label: 'incident',
      slots: { academy: 'AKW', screen: 'leerlingen', student: 'Mila Jacobs', error_message: 'Geboortedatum ongeldig' },
      attachments: [{ name: 'scherm.png' }],
      lang: 'nl',
    });
    expect(r.ticket?.title).toMatch(/^\[AKW\] Leerlingen: Bij het openen/);
    const stored = await chat.tickets.get('HD-000001');
    expect(stored?.draft.description).toContain('Mila Jacobs');
  });

  it("keeps a conversation under 2 KB of state: the bot's long lines are clipped in the transcript, the person's kept", async () => {
    const store = memoryStore();
    const chat = transcript({ store, interactive: true, user: { id: 'u1', name: 'An Peeters' } });
    const opening =
      'De rapporten tonen de punten van vorig semester, dat klopt niet. Academie Lindenhof, voor alle leerlingen.';
    // "voor alle leerlingen": no one student to ask for.
    await chat.user(opening).bot({ status: 'collecting', awaiting: 'screenshot' });
    await chat.user('nee').bot({ awaiting: 'error_message' });
    await chat.user('nee').bot({ awaiting: 'confirm', says: /Lindenhof/ });
    const state = await store.get('conv-1');
    const lines = state?.transcript ?? [];
    expect(lines.find((l) => l.from === 'user')?.text).toBe(opening);
    const bot = lines.filter((l) => l.from === 'bot');
    expect(bot.length).toBeGreaterThan(0);
    expect(Math.max(...bot.map((l) => l.text.length))).toBeLessThanOrEqual(200);
    expect(bot.some((l) => l.text.endsWith('…'))).toBe(true);
    expect(Object.values(state?.request?.classification.scores ?? {}).every((p) => Number.isInteger(p * 1000))).toBe(
      true,
    );
    expect(Buffer.byteLength(JSON.stringify(state))).toBeLessThan(2048);
  });

  it('starts the transcript anew with each new request: a second ticket carries only its own conversation', async () => {
    const chat = transcript();
    await chat
      .user(
        'Bij het openen van de leerlingenfiche van Mila Jacobs krijg ik de foutmelding "Geboortedatum ongeldig". Academie De Klankkast',
        [{ name: 'scherm.png', contentType: 'image/png' }],
      )
      .bot({ status: 'filed' });
    const second = 'Hoe kan ik een extra vak toevoegen aan het rapport? Academie De Klankkast';
    let r = await chat.user(second).bot({});
    for (let i = 0; i < 4 && r.status === 'collecting'; i++) r = await chat.user('n.v.t.').bot({});
    expect(r.ticket?.id).toBe('HD-000002');
    const filed = await chat.tickets.get('HD-000002');
    const lines = filed?.draft.transcript ?? [];
    expect(lines[0]).toMatchObject({ from: 'user', text: second });
    expect(JSON.stringify(lines)).not.toMatch(/Mila Jacobs|HD-000001/);
  });

  it('asks the missing details one at a time, each once, and never what was said', async () => {
    const chat = transcript();
    await chat
      .user('De rapporten tonen de punten van vorig semester, dat klopt niet.')
      .bot({ status: 'collecting', awaiting: 'academy', says: /welke academie/i });
    await chat.user('Academie Lindenhof').bot({ awaiting: 'student', says: /welke leerling/i, saysNot: /scherm/ });
    await chat.user('n.v.t.').bot({ awaiting: 'screenshot', says: [/Geen probleem/, /screenshot/] });
    // No screenshot: the error text instead, asked once.
    await chat.user('nee').bot({ awaiting: 'error_message', says: /foutmelding/ });
    const r = await chat.user('nee').bot({ status: 'filed', says: /HD-000001/ });
    expect(r.ticket?.slots).toEqual({ academy: 'ALH', screen: 'rapporten' });
    expect(r.ticket?.missing).toEqual([]);
    expect(r.replies[0]?.text).not.toMatch(/Niet alle/);
    const asked = chat.results.map((x) => x.awaiting).filter(Boolean);
    expect(new Set(asked).size).toBe(asked.length);
  });

  it('takes several details from one answer', async () => {
    const chat = transcript();
    await chat
      .user('Er loopt iets mis bij het opslaan, het blijft draaien en dan is alles weg.')
      .bot({ awaiting: 'academy' });
    const r = await chat
      .user('Kunstacademie Torhout, in de evaluaties, het gaat over leerling Febe Willems', [
        { name: 'fout.png', contentType: 'image/png' },
      ])
      .bot({ status: 'filed' });
    expect(r.ticket?.slots).toMatchObject({ academy: 'KAT', screen: 'evaluaties', student: 'Febe Willems' });
  });

  it('asks a required detail once: "weet ik niet" is an answer, and the ticket says what is missing', async () => {
    const chat = transcript();
    await chat
      .user('Het programma crasht telkens als ik iets wil opslaan, heel vervelend.')
      .bot({ awaiting: 'academy' });
    const r = await chat.user('geen idee echt').bot({ awaiting: 'screen', saysNot: /niet goed begrepen/ });
    expect(r.replies.at(-1)?.text).toMatch(/scherm/);
    await chat.user('dat weet ik niet').bot({ awaiting: 'screenshot' });
    await chat.user('nee').bot({ awaiting: 'error_message' });
    const filed = await chat.user('weet ik niet').bot({ status: 'filed', says: /Niet alle gevraagde gegevens/ });
    expect(filed.ticket?.missing).toEqual(expect.arrayContaining(['academy', 'screen']));
  });

  it('asks again once when the answer is not understood, then keeps what the person gave', async () => {
    const chat = transcript();
    await chat
      .user('Het programma crasht telkens als ik iets wil opslaan, heel vervelend.')
      .bot({ awaiting: 'academy' });
    await chat.user('Mouscron').bot({ awaiting: 'academy', says: /niet goed begrepen.*academie/is });
    await chat.user('Sint-Jozef Brussel').bot({ awaiting: 'screen', says: /"Sint-Jozef Brussel".*noteer/s });
  });

  it('refuses a printer problem without a ticket, and resumes when it is not the printer after all', async () => {
    const chat = transcript();
    const refused = await chat
      .user('Onze printer op het secretariaat loopt vast bij elk rapport, telkens papierstoring.')
      .bot({ status: 'rejected', label: 'out_of_scope', says: /leverancier/ });
    expect(refused.rejection?.reason).toBe('hardware');
    expect(refused.ticket).toBeNull();
    expect(await chat.tickets.list()).toHaveLength(0);
    await chat
      .user('Nee, het is niet de printer: ook met een andere printer gebeurt het.')
      .bot({ status: 'collecting', label: 'incident', awaiting: 'academy', says: /behandelen we het/ });
    await chat.user('AMR').bot({ awaiting: 'student' });
    await chat.user('nvt').bot({ awaiting: 'screenshot' });
    await chat.user('nee').bot({ awaiting: 'error_message' });
    const r = await chat.user('"Papierlade leeg" maar de lade is vol').bot({ status: 'filed' });
    expect(r.ticket).toMatchObject({ label: 'incident', slots: { academy: 'AMR', screen: 'rapporten' } });
  });

  it('asks the person to choose the kind when it is unsure, with numbered choices', async () => {
    const chat = transcript();
    const r = await chat
      .user('Ik zit met de klassenlijsten van de afdeling dans')
      .bot({ status: 'collecting', awaiting: 'label', says: /1\. .*\n2\. .*\n3\. .*\n4\. / });
    expect(r.replies[0]?.choices?.map((c) => c.value)).toEqual(['question', 'incident', 'change', 'complaint']);
    await chat.user('2').bot({ label: 'incident', awaiting: 'academy' });
  });

  it('speaks French when spoken to in French', async () => {
    const chat = transcript();
    await chat
      .user("Bonjour, quand j'ouvre les bulletins j'ai le message « Accès refusé ». Je suis pourtant administratrice.")
      .bot({ awaiting: 'academy', says: /Pour quelle académie/ });
    await chat.user('Académie de Halle').bot({ awaiting: 'student', says: /De quel élève/ });
    await chat.user('sans objet').bot({ status: 'filed', says: /Votre ticket HD-000001 a été créé/ });
  });

  it('speaks English when spoken to in English, and gives the phone number for urgent incidents', async () => {
    const chat = transcript();
    // A login problem has no screen to ask for: everything needed is said.
    const filed = await chat
      .user('URGENT: nobody can log in, we all get "Server error 503" and the deadline is today! Academie Lier', [
        { name: 'error.png', contentType: 'image/png' },
      ])
      .bot({ status: 'filed', says: [/Your ticket HD-000001/, /call \+32 9 324 00 10 and quote ticket HD-000001/] });
    expect(filed.replies[0]?.text).not.toMatch(/[Ww]elk/);
    expect(filed.ticket?.urgent).toBe(true);
  });

  it('tells outside contact hours when the helpdesk opens, and still files', async () => {
    const chat = transcript({ now: CLOSED_HOURS });
    await chat
      .user(
        'Vraagje van Academie Muze: waar stel ik in dat de herinneringsmail voor onbetaalde facturen na 2 weken vertrekt?',
      )
      .bot({ awaiting: 'confirm', says: /handleiding/ });
    await chat.user('nee').bot({ status: 'filed', says: [/HD-000001/, /gesloten; we zijn er weer maandag om 08:30/] });
  });

  it('survives a restart in the middle of a conversation', async () => {
    const dataDir = tempDir();
    const first = transcript({ store: fileStore(dataDir), dataDir });
    await first
      .user('De klassenlijst van Dans 1 toont leerlingen die al uitgeschreven zijn, dat klopt niet.', [
        { name: 'lijst.png', contentType: 'image/png' },
      ])
      .bot({ awaiting: 'academy' });
    // A new process: new store object on the same folder, new service.
    const second = transcript({ store: fileStore(dataDir), dataDir });
    const r = await second.user('Dansacademie Boogaard').bot({ status: 'filed', says: /HD-000001/ });
    expect(r.ticket?.slots).toMatchObject({ academy: 'DAB', screen: 'klassen' });
  });

  it('hands off to a person when asked, with a ticket', async () => {
    const chat = transcript();
    await chat.user('De export naar het departement blijft hangen op 87%.').bot({ awaiting: 'academy' });
    const r = await chat
      .user('kan ik een medewerker spreken?')
      .bot({ status: 'handoff', says: /medewerker van de helpdesk \(ticket HD-000001\)/ });
    expect(r.effects.some((e) => e.type === 'handoff')).toBe(true);
  });

  it('cancels without filing', async () => {
    const chat = transcript();
    await chat.user('Hoe maak ik een attest voor de mutualiteit?').bot({ awaiting: 'academy' });
    await chat.user('laat maar').bot({ status: 'done', says: /niets doorgestuurd/ });
    expect(await chat.tickets.list()).toHaveLength(0);
  });
});

describe('conversations (site profile)', () => {
  it('asks site, URL and contact details one by one, and files with an urgent phone notice', async () => {
    const chat = transcript({ profile: 'site' });
    await chat
      .user('DRINGEND: de site geeft sinds 10u een 502 Bad Gateway, burgers bellen ons.')
      .bot({ awaiting: 'site_id', says: /site-ID/ });
    await chat.user('het is https://gezondheid.example.be').bot({ awaiting: 'name' });
    await chat.user('Tom Claes').bot({ awaiting: 'email' });
    await chat.user('tom.claes@gezondheid.example.be').bot({ awaiting: 'phone' });
    const r = await chat
      .user('02 524 97 11')
      .bot({ status: 'filed', says: [/HD-000001/, /bel nu ook de servicedesk op 02 553 00 20/] });
    expect(r.ticket?.slots).toMatchObject({
      site_id: '3005',
      url: 'https://gezondheid.example.be',
      error_message: '502 Bad Gateway',
      name: 'Tom Claes',
      email: 'tom.claes@gezondheid.example.be',
      phone: '02 524 97 11',
    });
  });
});

describe('idle conversations', () => {
  it('expire after conversation.idle_minutes: a late answer starts a new request', async () => {
    const { shippedCore } = await import('./helpers.ts');
    const core = shippedCore();
    const at = (iso: string) => ({ now: new Date(iso) });
    const user = { id: 'u' };
    const first = core.handle(
      null,
      {
        type: 'message',
        turn: { conversation: 'x', user, text: 'De export naar het departement blijft hangen op 87%.' },
      },
      at('2026-11-24T09:00:00Z'),
    );
    expect(first.state.awaiting).toBe('academy');
    const soon = core.handle(
      first.state,
      { type: 'message', turn: { conversation: 'x', user, text: 'AKW' } },
      at('2026-11-24T10:00:00Z'),
    );
    expect(soon.state.request?.slots.academy).toBe('AKW');
    const late = core.handle(
      first.state,
      { type: 'message', turn: { conversation: 'x', user, text: 'AKW' } },
      at('2026-11-26T09:00:00Z'),
    );
    expect(late.state.request?.text).toBe('AKW');
  });
});
