import { describe, expect, it } from 'vitest';
import type { TriageCore } from '../core/engine.ts';
import type { ConversationState, TicketDraft } from '../core/types.ts';
import { coreWith, OPEN_HOURS, shippedCore, transcript } from './helpers.ts';

describe('ticket preview on channels with buttons', () => {
  it('shows every detail with Send / Edit, takes a correction, files on Send', async () => {
    const chat = transcript({ interactive: true });
    const preview = await chat
      .user('Bij Mila Jacobs geeft het rapport een verkeerd gemiddelde, Academie De Klankkast', [
        { name: 'rapport.png', contentType: 'image/png' },
      ])
      .bot({ status: 'collecting', awaiting: 'confirm', says: /Dit stuur ik naar de helpdesk/ });
    const reply = preview.replies.at(-1)!;
    expect(reply.choices?.map((c) => c.value)).toEqual(['send', 'edit']);
    expect(reply.preview).toMatchObject({
      kind: 'Storing',
      attachments: ['rapport.png'],
      fields: expect.arrayContaining([
        { slot: 'academy', label: 'Academie', value: 'AKW (Academie De Klankkast)' },
        { slot: 'student', label: 'Leerling', value: 'Mila Jacobs' },
        { slot: 'screen', label: 'Scherm', value: 'Rapporten' },
      ]),
    });
    expect(await chat.tickets.list()).toHaveLength(0);

    await chat.press('edit').bot({ awaiting: 'description', says: /Wat wilt u aanpassen/ });
    const corrected = await chat.user('het gaat om leerling Mila Peeters').bot({ awaiting: 'confirm' });
    expect(corrected.replies.at(-1)?.preview?.fields).toContainEqual({
      slot: 'student',
      label: 'Leerling',
      value: 'Mila Peeters',
    });
    const filed = await chat.press('send').bot({ status: 'filed', says: /HD-000001/ });
    expect(filed.ticket?.slots).toMatchObject({ academy: 'AKW', student: 'Mila Peeters' });
  });

  it('reads a typed "verstuur" as Send and extra text as an addition to the description', async () => {
    const chat = transcript({ interactive: true });
    await chat
      .user('Het programma crasht bij het openen van de evaluaties van Febe Willems, Kunstacademie Torhout', [
        { name: 'crash.png', contentType: 'image/png' },
      ])
      .bot({ awaiting: 'confirm' });
    await chat.user('Het gebeurt sinds de update van maandag').bot({ awaiting: 'confirm' });
    const r = await chat.user('verstuur').bot({ status: 'filed' });
    expect(r.ticket?.description).toContain('sinds de update van maandag');
  });

  it('files at once, without preview, on the terminal and the JSON-lines contract', async () => {
    await transcript()
      .user('Bij Mila Jacobs geeft het rapport een verkeerd gemiddelde, Academie De Klankkast', [
        { name: 'rapport.png', contentType: 'image/png' },
      ])
      .bot({ status: 'filed' });
  });
});

describe('clarifying question near the out-of-scope boundary', () => {
  // Every refusal with a clarifying question asks it first, so the flow does not hang on one score. The
  // softer temperature keeps a plain printer message below certainty (rounded scores of 1 never ask).
  const core = coreWith({ classifier: { clarify_threshold: 1, temperature: 3 } });

  it('"yes, Word prints badly too" confirms the printer: refused with the referral', async () => {
    const chat = transcript({ core });
    const q = await chat
      .user('De printer van het secretariaat drukt alles met grijze strepen af.')
      .bot({ status: 'collecting', awaiting: 'confirm', says: /andere programma's/ });
    expect(q.replies.at(-1)?.choices?.map((c) => c.value)).toEqual(['yes', 'no']);
    const r = await chat.user('ja').bot({ status: 'rejected', says: /leverancier van het toestel/ });
    expect(r.rejection?.reason).toBe('hardware');
  });

  it('"no, only from the program" makes it a software incident that goes on to a ticket', async () => {
    const chat = transcript({ core });
    await chat.user('De printer van het secretariaat drukt alles met grijze strepen af.').bot({ awaiting: 'confirm' });
    await chat.user('nee').bot({ status: 'collecting', label: 'incident', awaiting: 'academy' });
  });

  it('asks again once when the answer is unclear, then lets a person decide rather than refuse', async () => {
    const chat = transcript({ core });
    await chat.user('Het programma is traag op de wifi hier in het gebouw.').bot({ awaiting: 'confirm' });
    await chat.user('hmm moeilijk te zeggen').bot({ awaiting: 'confirm', says: /ja of nee/ });
    await chat.user('tja').bot({ status: 'collecting', label: 'incident' });
  });

  it('refuses a clear case at once, with the shipped thresholds', async () => {
    await transcript()
      .user('Onze printer in het secretariaat zit vast met papier, kunnen jullie iemand sturen?')
      .bot({ status: 'rejected' });
  });
});

describe('one subject per ticket', () => {
  it('splits two unrelated subjects into two tickets and asks the academy only once', async () => {
    const chat = transcript();
    await chat
      .user(
        'De rapporten van Mila Jacobs tonen een verkeerd gemiddelde, dat klopt niet. Los daarvan: hoe voeg ik een nieuwe leraar toe in de personeelsmodule?',
      )
      .bot({ awaiting: 'academy', says: [/2 verschillende onderwerpen/, /apart ticket/, /verkeerd gemiddelde/] });
    await chat.user('Academie Lindenhof').bot({ awaiting: 'screenshot' });
    await chat.user('nee').bot({ awaiting: 'error_message' });
    const r = await chat
      .user('weet ik niet')
      .bot({ status: 'filed', says: [/HD-000001/, /volgende onderwerp/, /HD-000002/], saysNot: /welke academie/i });
    expect(r.tickets.map((t) => [t.label, t.slots.academy, t.slots.screen])).toEqual([
      ['incident', 'ALH', 'rapporten'],
      ['question', 'ALH', 'personeel'],
    ]);
    expect(r.tickets[1]?.description).not.toContain('gemiddelde');
    expect(r.tickets.every((t) => !t.multiSubject)).toBe(true);
  });

  it('gives a list of questions the advice to e-mail lists, and files one ticket per question when asked', async () => {
    const chat = transcript();
    await chat
      .user(
        'Academie De Klankkast, enkele vragen:\n1. Hoe exporteer ik de leerlingenlijst?\n2. Waar stel ik de vakantiedagen in?\n3. Hoe maak ik een nieuwe klas aan?\n4. Waar vind ik de facturen van vorig jaar?',
      )
      .bot({
        status: 'collecting',
        awaiting: 'confirm',
        says: [/lijst van 4 vragen/, /per e-mail/, /4 aparte tickets/],
      });
    let r = await chat.user('één ticket per vraag').bot({ says: /4 tickets/ });
    // The academy named once holds for every question.
    for (let i = 0; i < 12 && r.status !== 'done'; i++) r = await chat.user('nee').bot({ saysNot: /welke academie/i });
    const tickets = await chat.tickets.list();
    expect(tickets).toHaveLength(4);
    expect(tickets.every((t) => t.draft.slots.academy === 'AKW')).toBe(true);
  });

  it('files the subjects together once the last is through, the first subject first', async () => {
    const chat = transcript();
    await chat
      .user(
        'Kunnen jullie bij de facturatie een extra betaalwijze per domiciliëring toevoegen? En iets helemaal anders: de export naar het departement toont sinds gisteren een foutmelding.',
      )
      .bot({ awaiting: 'academy', says: /2 verschillende onderwerpen/ });
    const kept = await chat
      .user('Academie Lindenhof')
      .bot({ status: 'collecting', says: [/Genoteerd/, /volgende onderwerp/] });
    expect(kept.tickets).toEqual([]);
    expect(await chat.tickets.list()).toHaveLength(0);
    let r = kept;
    for (let i = 0; i < 4 && r.status === 'collecting'; i++) r = await chat.user('nee').bot({});
    expect(r.status).toBe('filed');
    expect(r.tickets.map((t) => t.label)).toEqual(['change', 'incident']);
    // The turn's ticket is the message's first subject; the answer names both numbers.
    expect(r.ticket?.label).toBe('change');
    expect(r.replies.map((x) => x.text).join('\n')).toMatch(/HD-000001[\s\S]*HD-000002/);
  });

  it('still files a complete subject when the person stops during the next one', async () => {
    const chat = transcript();
    await chat
      .user(
        'Graag een extra veld "instrument" in de leerlingenfiche. Los daarvan: het uurrooster van de pianoklas toont een foutmelding bij het openen.',
      )
      .bot({ awaiting: 'academy' });
    await chat.user('Academie Lindenhof').bot({ status: 'collecting', says: /Genoteerd/ });
    const r = await chat.user('laat maar, stop').bot({ status: 'done', says: [/rest/, /HD-000001/] });
    expect(r.tickets.map((t) => t.label)).toEqual(['change']);
    expect(await chat.tickets.list()).toHaveLength(1);
  });

  it('files a complete subject when the next one is closed for want of an answer', async () => {
    const chat = transcript();
    await chat
      .user(
        'Graag een extra veld "instrument" in de leerlingenfiche. Los daarvan: het uurrooster van de pianoklas toont een foutmelding bij het openen.',
      )
      .bot({ awaiting: 'academy' });
    await chat.user('Academie Lindenhof').bot({ status: 'collecting', says: /Genoteerd/ });
    chat.clock.now = new Date(chat.clock.now.getTime() + 25 * 3_600_000);
    expect((await chat.service.tick('conv-1')).map((r) => r.text).join()).toMatch(/Herinnering/);
    chat.clock.now = new Date(chat.clock.now.getTime() + 14 * 24 * 3_600_000);
    const closed = (await chat.service.tick('conv-1')).map((r) => r.text).join('\n');
    expect(closed).toMatch(/laatste vraag afgesloten[\s\S]*HD-000001/);
    const tickets = await chat.tickets.list();
    expect(tickets.map((t) => t.draft.label)).toEqual(['change']);
  });

  it('files the first subject when the second is out of scope', async () => {
    const chat = transcript();
    await chat
      .user(
        'Kunnen jullie de vakantiedagen van volgend schooljaar al invoeren in de kalender? Nog iets anders: onze printer in het secretariaat zit vast met papier.',
      )
      .bot({ awaiting: 'academy' });
    let r = await chat.user('Academie Lindenhof').bot({});
    for (let i = 0; i < 4 && r.status === 'collecting'; i++) r = await chat.user('Kalender').bot({});
    expect(r.replies.map((x) => x.text).join('\n')).toMatch(/Genoteerd[\s\S]*HD-000001/);
    expect(r.rejection).not.toBeNull();
    expect(r.tickets.map((t) => t.label)).toEqual(['change']);
  });

  it('splits in French too', async () => {
    const chat = transcript();
    await chat
      .user(
        "Académie de Courtrai : l'écran des inscriptions affiche une erreur 500 quand j'enregistre. Autre chose : pouvez-vous ajouter un champ pour le deuxième parent ?",
      )
      .bot({ says: /2 sujets différents/ });
  });
});

describe('urgency', () => {
  /** Answer "n.v.t." to whatever else the bot asks, until it files. */
  async function fileWith(first: string) {
    const chat = transcript();
    let r = await chat.user(first, [{ name: 'fout.png', contentType: 'image/png' }]).bot({});
    for (let i = 0; i < 6 && r.status === 'collecting'; i++) r = await chat.user('n.v.t.').bot({});
    return r;
  }

  it('gives an urgent incident high priority and the phone number with the ticket', async () => {
    const r = await fileWith(
      'DRINGEND: niemand kan nog inschrijven, het inschrijvingsscherm geeft "Server error 500". Academie De Klankkast',
    );
    expect(r.status).toBe('filed');
    expect(r.ticket).toMatchObject({ urgent: true, priority: 'high', label: 'incident' });
    expect(r.replies.map((x) => x.text).join('\n')).toMatch(/bel ook .*vermeld ticket HD-000001/i);
  });

  it('keeps a normal question at normal priority, without the phone notice', async () => {
    const r = await fileWith('Waar vind ik de lijst met verjaardagen van de leerlingen? Academie Lindenhof');
    expect(r.ticket).toMatchObject({ urgent: false, priority: 'normal', label: 'question' });
    expect(r.replies.map((x) => x.text).join('\n')).not.toMatch(/bel ook/i);
  });
});

describe('a slow ticket system', () => {
  const core: TriageCore = shippedCore();
  const ctx = { now: OPEN_HOURS };
  const turn = (state: ConversationState | null, text: string) =>
    core.handle(state, { type: 'message', turn: { conversation: 'c9', user: { id: 'u' }, text } }, ctx);
  const fileFirst = () => {
    const out = turn(
      null,
      'Het programma crasht bij het openen van de evaluaties van Febe Willems, Kunstacademie Torhout. Screenshot volgt niet, de fout is "Object reference not set".',
    );
    // Ask once: the host looks for open tickets of the academy first (none here).
    const find = out.effects.find((e) => e.type === 'find_tickets') as { key: string } | undefined;
    expect(find, out.replies.map((r) => r.text).join('\n')).toMatchObject({ academy: 'KAT' });
    const found = core.handle(out.state, { type: 'tickets_found', key: find!.key, tickets: [] }, ctx);
    const effect = found.effects.find((e) => e.type === 'file_ticket') as { ticket: TicketDraft } | undefined;
    expect(effect, found.replies.map((r) => r.text).join('\n')).toBeDefined();
    return { state: found.state, draft: effect!.ticket };
  };

  it('says the number follows, then gives it with the request it belongs to', async () => {
    const { state, draft } = fileFirst();
    const queued = core.handle(state, { type: 'ticket_queued', idempotencyKey: draft.idempotencyKey }, ctx);
    expect(queued.replies[0]?.text).toMatch(/nummer volgt/);
    expect(queued.state.phase).toBe('done');
    // The person goes on talking meanwhile; then the outbox delivers.
    const later = turn(queued.state, 'Nog een vraag: waar vind ik de handleiding?');
    const filed = core.handle(
      later.state,
      { type: 'ticket_filed', idempotencyKey: draft.idempotencyKey, ticket: { id: 'HD-000042' } },
      ctx,
    );
    expect(filed.replies[0]?.text).toMatch(/ticketnummer voor .*evaluaties.* is HD-000042/i);
    expect(filed.state.request).toEqual(later.state.request);
    expect(filed.state.pendingTickets).toEqual([]);
  });

  it('still gives the number after a quiet day, and after a dead letter was re-sent', () => {
    const { state, draft } = fileFirst();
    const queued = core.handle(state, { type: 'ticket_queued', idempotencyKey: draft.idempotencyKey }, ctx);
    const failed = core.handle(
      queued.state,
      { type: 'ticket_failed', idempotencyKey: draft.idempotencyKey, error: 'REJECTED' },
      ctx,
    );
    // Two days later (past the idle reset) an admin re-sends it and it gets a number.
    const later = { now: new Date(OPEN_HOURS.getTime() + 2 * 86_400_000) };
    const fresh = core.handle(
      failed.state,
      { type: 'message', turn: { conversation: 'c9', user: { id: 'u' }, text: 'Hallo?' } },
      later,
    );
    const filed = core.handle(
      fresh.state,
      { type: 'ticket_filed', idempotencyKey: draft.idempotencyKey, ticket: { id: 'HD-000077' } },
      later,
    );
    expect(filed.replies[0]?.text).toMatch(/HD-000077/);
  });

  it('tells the person a colleague follows up when the ticket system refuses the ticket for good', () => {
    const { state, draft } = fileFirst();
    const failed = core.handle(
      state,
      { type: 'ticket_failed', idempotencyKey: draft.idempotencyKey, error: '400 Bad Request' },
      ctx,
    );
    expect(failed.replies[0]?.text).toMatch(/neemt contact met u op/);
    expect(failed.state.phase).toBe('done');
  });
});

describe('details a request makes needless', () => {
  it('asks no screen for a login problem', async () => {
    const chat = transcript();
    await chat.user('Niemand van ons kan nog inloggen sinds vanmorgen, we krijgen "sessie verlopen"').bot({
      awaiting: 'academy',
    });
    const r = await chat.user('Academie Lindenhof').bot({});
    expect(r.awaiting).not.toBe('screen');
  });

  it('still asks the screen when nothing says it is a login problem', async () => {
    const chat = transcript();
    await chat.user('Het programma loopt vast als ik op bewaren klik').bot({ awaiting: 'academy' });
    await chat.user('Academie Lindenhof').bot({ awaiting: 'screen' });
  });

  it('asks no page address for an editor account on a site, and still does for a page change', async () => {
    const account = transcript({ profile: 'site' });
    const r = await account.user('Could you add an extra editor account for our new colleague on site 1042?').bot({});
    expect(r.awaiting).not.toBe('url');
    const page = transcript({ profile: 'site' });
    await page
      .user('Could you move the contact block on our homepage to the left column? Site 1042.')
      .bot({ awaiting: 'url' });
  });

  it('takes "everywhere, in every screen" at the screen question as no one screen', async () => {
    const chat = transcript();
    await chat.user('Het programma is vandaag super traag, elke klik duurt tien seconden. Academie Lindenhof.').bot({
      awaiting: 'screen',
    });
    const r = await chat.user('overal, in alle schermen').bot({});
    expect(r.awaiting).not.toBe('screen');
  });

  it('takes "all students of the class" at the student question as no one student', async () => {
    const chat = transcript();
    await chat
      .user('In de afwezigheden staat bij de klas van de gitaar elke les op ongewettigd, fout "code 17"')
      .bot({ awaiting: 'academy' });
    await chat.user('Academie Lindenhof').bot({ awaiting: 'student' });
    const r = await chat.user('het gaat over alle leerlingen van die klas').bot({});
    expect(r.awaiting).not.toBe('student');
    expect(r.replies.map((x) => x.text).join()).not.toMatch(/niet goed begrepen/);
  });
});
