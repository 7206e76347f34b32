import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../adapters/config/load.ts';
import { buildAnswers } from '../../core/answers/index.ts';
import { numbered } from '../../core/answers/lists.ts';
import { agentSuffix } from '../../core/answers/personal.ts';
import { SELF_SERVICE_MESSAGE_KEYS } from '../../core/config/facts-schema.ts';
import type { Lang } from '../../core/config/schema.ts';
import { say } from '../../core/messages.ts';

const PROFILES = ['academy', 'site'] as const;
const built = Object.fromEntries(PROFILES.map((p) => [p, buildAnswers(loadConfig({ profile: p }))]));
const answersOf = (p: (typeof PROFILES)[number]) => built[p]!;

const FIVE_QUESTIONS = `Ik heb een hele lijst vragen:
1. Hoe druk ik de rapporten af voor één klas?
2. Kan ik een leerling uitschrijven in het midden van het jaar?
3. Waar zie ik welke facturen nog openstaan?
4. Hoe maak ik een attest van regelmatige lesbijwoning?
5. Wie kan de telling naar het departement doen?
Alvast bedankt!`;

describe.each(PROFILES)('self-service recognizers (%s profile)', (profile) => {
  const { lists, dates, personal, progress } = built[profile]!;

  describe('a list of questions', () => {
    it('counts and quotes the five questions of a numbered list (the greeting is not one)', () => {
      expect(lists.questionList(FIVE_QUESTIONS)).toEqual([
        'Hoe druk ik de rapporten af voor één klas?',
        'Kan ik een leerling uitschrijven in het midden van het jaar?',
        'Waar zie ik welke facturen nog openstaan?',
        'Hoe maak ik een attest van regelmatige lesbijwoning?',
        'Wie kan de telling naar het departement doen?',
      ]);
    });

    it.each([
      ['1) Comment imprimer les bulletins ?\n2) Où voir les factures ?\n3) Peut-on désinscrire un élève ?', 3],
      [
        '- How do I print report cards?\n- Where are the invoices?\n- Can I remove a student?\n- Who does the count?',
        4,
      ],
      ['a) hoe druk ik af? b) waar staan de facturen? c) kan ik een leerling schrappen?', 3],
      ['• Wat is de URL van de testsite?\n• Hoe plan ik een nieuwsbericht?\n• Kan ik een formulier kopiëren?', 3],
      ['Ik heb een paar vragen:\n- rapporten afdrukken per klas\n- leerling uitschrijven\n- openstaande facturen', 3],
      ['J’ai plusieurs questions : 1. les bulletins 2. les attestations 3. la facturation', 3],
      ['Hoe druk ik af?\nWaar staan de facturen?\nKan ik een leerling schrappen?', 3],
    ])('finds the list in %j (%i questions)', (text, count) => {
      expect(lists.questionList(text)).toHaveLength(count);
    });

    it.each([
      ['1. Open de fiche 2. Klik op bewaren 3. Foutmelding 500'],
      [
        'Stappen:\n1. Ga naar leerlingen\n2. Kies een leerling\n3. Klik op bewaren\nDan krijg ik een fout. Kunnen jullie helpen?',
      ],
      ['1) Ouvrir la fiche 2) Cliquer sur enregistrer 3) Erreur 500'],
      ['Steps: 1. open the page 2. click publish 3. the editor freezes. Why?'],
      ['Hoe druk ik de rapporten af? En waar staan de facturen?'],
      ['1. Hoe druk ik af? 2. Waar staan de facturen?'],
      ['De export geeft fout 500 - ook bij een andere leerling - sinds versie 8.4.2'],
      ['Versie 8.4.2 van 16.11 geeft een fout'],
    ])('leaves %j alone (steps of one incident, or fewer than three)', (text) => {
      expect(lists.questionList(text)).toBeNull();
    });
  });

  describe('a promised date', () => {
    it.each<[Lang, string, 'deadline' | 'when']>([
      ['nl', 'Kunnen jullie dat tegen vrijdag klaar hebben?', 'deadline'],
      ['nl', 'Wanneer komt de nieuwe versie uit?', 'when'],
      ['nl', 'Het rapport crasht. Kan dit opgelost zijn voor maandag?', 'deadline'],
      ['nl', 'Hoe lang gaat het nog duren voor dit opgelost is?', 'when'],
      ['nl', 'Is het mogelijk dat het ten laatste volgende week in orde is?', 'deadline'],
      ['fr', 'Pour quand ce sera corrigé ?', 'when'],
      ['fr', "Pouvez-vous corriger cela d'ici vendredi ?", 'deadline'],
      ['fr', 'Quand sortira la nouvelle version ?', 'when'],
      ['en', 'By when will this be fixed?', 'when'],
      ['en', 'Could you have it fixed before the end of the week?', 'deadline'],
      ['en', "What's the release date of the next version?", 'when'],
    ])('[%s] "%s" asks for a date (%s)', (lang, text, kind) => {
      const ask = dates.asksForDate(text, lang);
      expect(ask?.kind).toBe(kind);
      expect(text).toContain(ask?.wish);
    });

    it.each<[Lang, string]>([
      ['nl', 'De deadline voor de rapporten is vrijdag en het rapport crasht'],
      ['nl', 'Tegen vrijdag moeten de rapporten afgedrukt zijn, maar het afdrukken crasht.'],
      ['nl', 'Wanneer ik op afdrukken klik, valt het programma uit.'],
      ['nl', 'Geen haast, het mag tegen volgende maand klaar zijn.'],
      ['nl', 'Sinds vrijdag is de export niet meer beschikbaar'],
      ['nl', 'Wanneer is de helpdesk open?'],
      ['fr', 'Rien ne presse, pour la fin du mois ça ira.'],
      ['fr', 'Depuis lundi, la page ne se charge plus.'],
      ['en', 'No rush, deadline next month.'],
      ['en', 'When I click save, the page is not ready and shows an error'],
      ['en', 'The report has been out of date since Monday'],
    ])('[%s] "%s" does not ask for a promised date', (lang, text) => {
      expect(dates.asksForDate(text, lang)).toBeNull();
    });
  });

  describe("a mail to an agent's own address", () => {
    it.each<[Lang, string, string | null]>([
      ['nl', 'Ik had Jan al gemaild op zijn eigen adres', 'Jan'],
      ['nl', 'Ik had Sofie rechtstreeks gemaild over het rapport van Emma', 'Sofie'],
      ['nl', 'Ik heb vorige week een mail gestuurd naar het persoonlijke adres van jullie collega', null],
      ['fr', "J'ai envoyé un mail directement à Sophie", 'Sophie'],
      ['fr', 'Nous avions écrit à votre collègue Marc la semaine passée', 'Marc'],
      ['en', 'I emailed your colleague Tom last week but got no answer', 'Tom'],
      ['en', "I've sent an email to Anna's personal address", 'Anna'],
    ])('[%s] "%s"', (lang, text, agent) => {
      expect(personal.mailedPersonalAddress(text, lang)).toEqual({ agent });
    });

    it('knows an agent by an address at the helpdesk’s own domain', () => {
      const domain = loadConfig({ profile }).helpdesk.email.split('@')[1];
      expect(personal.mailedPersonalAddress(`Ik heb naar jan.peeters@${domain} gemaild`, 'nl')).toEqual({
        agent: `jan.peeters@${domain}`,
      });
    });

    it.each<[Lang, string]>([
      ['nl', 'Ik heb de helpdesk gisteren al gemaild'],
      ['nl', 'Ik heb de ouders rechtstreeks gemaild'],
      ['nl', 'De ouders hebben rechtstreeks naar Jan gemaild'],
      ['nl', 'Ik heb Jan gemaild over zijn rapport'],
      ['nl', 'Ik wil het persoonlijke adres van een leerling aanpassen'],
      ['fr', "J'ai écrit à la direction"],
      ['fr', 'Les parents ont écrit directement au professeur'],
      ['en', 'I sent an email to all parents directly from the software'],
      ['en', 'How do I change my personal address in the software?'],
    ])('[%s] "%s" is no mail to an agent', (lang, text) => {
      expect(personal.mailedPersonalAddress(text, lang)).toBeNull();
    });

    it('is not fooled by the helpdesk’s own address', () => {
      const email = loadConfig({ profile }).helpdesk.email;
      expect(personal.mailedPersonalAddress(`Ik heb rechtstreeks naar ${email} gemaild`, 'nl')).toBeNull();
    });
  });

  describe('"is it fixed yet?"', () => {
    it.each<[Lang, string, string, string | null]>([
      ['nl', 'Is het al opgelost?', '', null],
      ['nl', 'Nog nieuws over de rapporten?', 'rapporten', null],
      ['nl', 'Is het probleem met de export naar het departement al opgelost?', 'export naar het departement', null],
      ['nl', 'Hoe staat het met HD-000123?', '', 'HD-000123'],
      ['nl', 'Is het al opgelost? De rapporten crashen nog altijd', 'rapporten crashen nog altijd', null],
      ['fr', 'Des nouvelles concernant la facturation ?', 'facturation', null],
      ['fr', 'Où en est ma demande concernant les attestations ?', 'attestations', null],
      ['en', 'Is it fixed yet?', '', null],
      ['en', 'Any update on the report card averages?', 'report card averages', null],
      ['nl', 'Wanneer is het opgelost?', '', null],
      ['nl', 'Nog nieuws i.v.m. de rapporten? Alvast bedankt.', 'rapporten', null],
      ['en', 'Any news on the export? Can you have it fixed by Friday?', 'export', null],
    ])('[%s] "%s" asks how far it is (subject "%s")', (lang, text, subject, ticket) => {
      expect(progress.asksProgress(text, lang)).toEqual({ subject, ticket });
    });

    it.each<[Lang, string]>([
      ['nl', 'Ik diende gisteren HD-000321 in maar heb nog niets gehoord'],
      ['fr', 'Toujours pas de réponse pour HD-000321'],
      ['en', "I still haven't heard back about HD-000321"],
    ])('[%s] "%s": nothing heard yet asks about that ticket', (lang, text) => {
      expect(progress.asksProgress(text, lang)).toMatchObject({ ticket: 'HD-000321' });
    });

    it('is none of the others: a progress question is no fact about the changelog', () => {
      expect(
        answersOf(profile).facts.answer('Wanneer is het opgelost?', 'nl', new Date('2026-11-24T09:00:00Z')),
      ).toBeNull();
    });

    it.each<[Lang, string]>([
      ['nl', 'Het rapport is nog steeds niet opgelost, nu crasht ook het uurrooster'],
      ['nl', 'Sinds vanochtend krijg ik een foutmelding bij het afdrukken'],
      ['nl', 'Ik kan geen nieuwsbrief versturen'],
      ['nl', 'Het nieuwsbericht over de opendeurdag staat niet online'],
      ['fr', "Depuis ce matin j'ai une erreur à l'impression"],
      ['fr', 'La page des nouvelles ne se charge pas'],
      ['en', 'The news page shows an error since this morning'],
      ['en', 'How do I update the status of a student?'],
      [
        'nl',
        'De ouders hebben nog geen antwoord gekregen op de mail die het programma verstuurt, er staat een fout in',
      ],
      ['en', "Parents haven't heard anything, the e-mail from the program fails with an error"],
    ])('[%s] "%s" is a new incident or question', (lang, text) => {
      expect(progress.asksProgress(text, lang)).toBeNull();
    });
  });
});

describe.each(PROFILES)('the self-service messages (%s profile)', (profile) => {
  const config = loadConfig({ profile });
  const answers = built[profile]!;

  it.each(['nl', 'fr', 'en'] as const)('render in %s with every placeholder filled', (lang) => {
    const items = answers.lists.questionList(FIVE_QUESTIONS)!;
    const mail = answers.personal.mailedPersonalAddress('Ik had Jan al gemaild op zijn eigen adres', 'nl')!;
    const status = say(config, lang, 'status_open', { ticket: 'HD-000042' });
    const params = {
      count: items.length,
      items: numbered(items),
      unit: config.vocabulary.slots[profile === 'academy' ? 'academy' : 'site_id'][lang].toLowerCase(),
      subject: items[0],
      wish: 'tegen vrijdag',
      agent: agentSuffix(mail),
      ticket: 'HD-000042',
      title: 'Het rapport crasht',
      status,
      date: '2026-11-16',
      url: 'https://example.org/changelog/1',
    };
    for (const key of SELF_SERVICE_MESSAGE_KEYS) {
      const text = say(config, lang, key, params);
      expect(text, key).not.toMatch(/\{\w+\}/);
      expect(text.charAt(0), key).toBe(text.charAt(0).toUpperCase());
    }
    expect(say(config, lang, 'list_by_email', params)).toContain('5. Wie kan de telling naar het departement doen?');
    expect(say(config, lang, 'personal_address', params)).toContain('(Jan)');
    expect(say(config, lang, 'date_release', params)).toContain(config.helpdesk.changelog_url);
    expect(say(config, lang, 'urgent_by_phone', params)).toContain(config.helpdesk.phone[lang]);
  });

  it('names who follows up a complaint: the service manager at the web service desk', () => {
    expect(say(config, 'nl', 'complaint_followup')).toMatch(profile === 'site' ? /servicemanager/ : /opgevolgd/);
  });
});
