import { describe, expect, it } from 'vitest';
import { buildLanguage } from '../core/dialog/language.ts';
import { CLOSED_HOURS, shippedCore, transcript } from './helpers.ts';

const kit = buildLanguage(shippedCore().config);
const screenshot = [{ name: 'fout.png', contentType: 'image/png' }];

/** A conversation with one incident filed as HD-000001. */
async function filed() {
  const chat = transcript();
  await chat.user('De export naar het departement geeft de fout "Validatiefout 0412" bij het versturen').bot({
    awaiting: 'academy',
  });
  await chat.user('Dansacademie Boogaard').bot({ status: 'filed', says: /HD-000001/ });
  return chat;
}

async function notesOf(chat: Awaited<ReturnType<typeof filed>>) {
  return (await chat.tickets.get('HD-000001'))?.notes ?? [];
}

describe('more for the ticket just filed', () => {
  it('adds a screenshot sent right after the ticket to it, and says so', async () => {
    const chat = await filed();
    await chat.user('', screenshot).bot({ status: 'done', says: /Toegevoegd aan uw ticket HD-000001/ });
    expect(await notesOf(chat)).toMatchObject([{ attachments: [{ name: 'fout.png' }] }]);
    expect(await chat.tickets.list()).toHaveLength(1);
  });

  it('waits for a file that is announced, then adds it', async () => {
    const chat = await filed();
    await chat.user('ik stuur zo een screenshot').bot({ status: 'done', says: /stuur het gerust hier.*HD-000001/ });
    await chat
      .user('Hierbij, dit is wat ik zie bij het versturen van de export', screenshot)
      .bot({ status: 'done', says: /Toegevoegd/ });
    expect(await notesOf(chat)).toHaveLength(1);
  });

  it('adds "I forgot to say..." to the ticket', async () => {
    const chat = await filed();
    await chat
      .user('Oh, ik vergat te zeggen dat het enkel bij de afdeling dans gebeurt')
      .bot({ status: 'done', says: /Toegevoegd/ });
    expect((await notesOf(chat))[0]?.text).toContain('afdeling dans');
  });

  it('takes a new request after a ticket as a new request, with the academy already known', async () => {
    const chat = await filed();
    const r = await chat
      .user('Hoe zet ik een leerling op inactief zonder zijn gegevens te verliezen?')
      .bot({ saysNot: /Toegevoegd|welke academie/i });
    expect(r.status).not.toBe('done');
    expect(await notesOf(chat)).toHaveLength(0);
  });

  it('takes a file with a whole new story as a new request', async () => {
    const chat = await filed();
    await chat
      .user(
        'Ander probleem: bij het afdrukken van de attesten krijg ik deze foutmelding in het rapportenscherm',
        screenshot,
      )
      .bot({ saysNot: /Toegevoegd/ });
    expect(await notesOf(chat)).toHaveLength(0);
  });

  it('says so, with where to send it, when the ticket system does not take the note', async () => {
    const chat = await filed();
    chat.tickets.addNote = async () => {
      throw new Error('ticket system down');
    };
    await chat.user('', screenshot).bot({ status: 'done', says: /niet gelukt.*@.*HD-000001/s, saysNot: /Toegevoegd/ });
  });

  it('no longer adds to a ticket filed long ago', async () => {
    const chat = await filed();
    chat.clock.now = new Date(chat.clock.now.getTime() + 3 * 3_600_000);
    await chat.user('', screenshot).bot({ saysNot: /Toegevoegd/ });
    expect(await notesOf(chat)).toHaveLength(0);
  });
});

describe('the phrases', () => {
  it.each([
    'ik vergat te zeggen dat het gisteren begon',
    'O ja, ik vergat te vermelden dat het bij alle leerlingen is',
    "J'ai oublié de préciser que c'est pour la section danse",
    'Sorry, here it is',
  ])('%j adds to the ticket', (text) => {
    expect(kit.addsToTicket(text)).toBe(true);
  });

  it.each([
    'Ik vergat mijn wachtwoord, hoe kan ik het herstellen?',
    'De bijlage bij de factuur ontbreekt',
    'Here is my question: how do I add a teacher?',
  ])('%j does not', (text) => {
    expect(kit.addsToTicket(text)).toBe(false);
  });

  it.each([
    ['Nog iets anders: hoe zet ik een leerling op inactief?', 'hoe zet ik een leerling op inactief?'],
    ['Autre chose, comment archiver une classe ?', 'comment archiver une classe ?'],
  ])('%j opens another subject', (text, rest) => {
    expect(kit.newSubject(text)).toBe(rest);
  });

  it.each(['iets anders dan gisteren', 'Academie De Reiger', 'something else broke'])('%j does not', (text) => {
    expect(kit.newSubject(text)).toBeNull();
  });
});

describe('another subject typed at a question', () => {
  it('is taken after the current one, which keeps its own details', async () => {
    const chat = transcript();
    await chat.user('De export naar het departement geeft de fout "Validatiefout 0412" bij het versturen').bot({
      awaiting: 'academy',
    });
    await chat
      .user('Nog iets anders: hoe zet ik een leerling op inactief zonder gegevens te verliezen?')
      .bot({ awaiting: 'academy', says: /apart onderwerp/ });
    await chat.user('bedankt!').bot({ awaiting: 'academy' });
    let r = await chat.user('Dansacademie Boogaard').bot({});
    for (let i = 0; i < 4 && r.status === 'collecting'; i++) r = await chat.user('nee').bot({});
    expect(r.tickets.map((t) => t.label)).toEqual(['incident', 'question']);
    expect(r.tickets[0]?.description).not.toContain('inactief');
    // A thank-you at the academy question was never taken for an academy.
    expect(r.tickets[0]?.description).not.toContain('bedankt');
  });
});

describe('a detail or a correction right after a ticket or a handoff', () => {
  it('"oh wacht, ..." after a ticket is added to it, not a new request', async () => {
    const chat = transcript();
    const filed = await chat
      .user('De export naar het departement geeft fout 500 bij Academie Het Spoor, voor alle leerlingen')
      .bot({});
    let r = filed;
    for (let i = 0; i < 4 && r.status === 'collecting'; i++) r = await chat.user('nee').bot({});
    expect(r.status).toBe('filed');
    const more = await chat
      .user('oh wacht, het is eigenlijk alleen bij de leerlingen van de 2de graad')
      .bot({ status: 'done', says: /Toegevoegd aan uw ticket/ });
    expect(more.ticket).toBeFalsy();
  });

  it('an academy alone after a handoff outside hours is added to the handoff ticket', async () => {
    const chat = transcript({ now: CLOSED_HOURS });
    await chat
      .user("est-ce que je peux parler a quelqu'un? les bulletins doivent partir demain")
      .bot({ status: 'handoff' });
    await chat.user('academie de Courtrai').bot({ says: /Ajouté à votre ticket/ });
  });

  it('a new request after a ticket is still a new request', async () => {
    const chat = transcript();
    let r = await chat
      .user('De export naar het departement geeft fout 500 bij Academie Het Spoor, voor alle leerlingen')
      .bot({});
    for (let i = 0; i < 4 && r.status === 'collecting'; i++) r = await chat.user('nee').bot({});
    await chat
      .user('Hoe maak ik een nieuwe klas aan voor volgend schooljaar?')
      .bot({ status: 'collecting', saysNot: /Toegevoegd/ });
  });
});

describe('more for a ticket named by its number', () => {
  it('"ik wil mijn ticket HD-000001 aanvullen: ..." is a note on this conversation\'s ticket, later too', async () => {
    const chat = transcript();
    let r = await chat
      .user('De export naar het departement geeft fout 500 bij Academie Het Spoor, voor alle leerlingen')
      .bot({});
    for (let i = 0; i < 4 && r.status === 'collecting'; i++) r = await chat.user('nee').bot({});
    const id = r.ticket?.id ?? '';
    chat.clock.now = new Date(chat.clock.now.getTime() + 5 * 3600_000);
    await chat
      .user(`ik wil mijn ticket ${id} aanvullen: het gebeurt ook bij de export van de volwassenen`)
      .bot({ says: new RegExp(`Toegevoegd aan uw ticket ${id}`) });
  });

  it("another person's ticket number is no note (a new request)", async () => {
    const chat = transcript();
    await chat
      .user('ik wil ticket HD-999999 aanvullen: het gebeurt ook bij de export van de volwassenen')
      .bot({ saysNot: /Toegevoegd/ });
  });
});
