import { describe, expect, it } from 'vitest';
import { loadConfig } from '../adapters/config/load.ts';
import { buildLanguage } from '../core/dialog/language.ts';
import { hearDetail } from '../core/dialog/prompts.ts';
import { shippedCore } from './helpers.ts';

const core = shippedCore('academy');
const kit = buildLanguage(core.config);
const deps = { extractor: core.extractor, kit };

describe('a request for one named colleague', () => {
  it.each([
    ['Kan ik Sandra even spreken?', 'Sandra'],
    ['Goeiemorgen, mag ik Jan Peeters spreken aub', 'Jan Peeters'],
    ["Je voudrais parler à Sophie s'il vous plaît", 'Sophie'],
    ['Could I speak to Marc about my ticket?', 'Marc'],
    ['is Els vandaag bereikbaar?', 'Els'],
  ])('hears the name in %j', (text, name) => {
    expect(kit.namedColleague(text)?.name).toBe(name);
  });

  it.each([
    'Er is iets mis met de rapporten',
    'Dit is dringend, de inschrijvingen liggen stil',
    'This is for Academie Vierlinden: the invoices are wrong',
    'Excel is traag sinds de update',
    'Ze is per ongeluk overgezet naar een andere klas',
    'Vandaag is de eerste dag van de inschrijvingen',
    'Your colleagues closed my ticket. This is the second time.',
    "je n'arrive pas à joindre Facture.pdf au message",
    'Kan ik iemand van de helpdesk spreken?',
    'I would like to speak to someone',
    'Is Smartschool gekoppeld aan jullie pakket?',
  ])('does not take %j for a named colleague', (text) => {
    expect(kit.namedColleague(text)).toBeNull();
  });

  it('keeps what else the message says as the request', () => {
    const heard = kit.namedColleague(
      'Kan ik Sandra spreken? De lesroosters van de klasgroepen zijn leeg sinds gisteren.',
    );
    expect(heard?.rest).toBe('De lesroosters van de klasgroepen zijn leeg sinds gisteren.');
  });
});

describe('a request to talk to a person', () => {
  it.each([
    'Kan ik met een medewerker spreken?',
    'ik wil een echte persoon',
    'medewerker',
    'mens aub',
    'Je voudrais parler à quelqu’un du helpdesk',
    'Can I talk to a human please',
    'human?',
  ])('hears %j', (text) => {
    expect(kit.asksForPerson(text)).toBe(true);
  });

  it.each([
    'Een medewerker van ons secretariaat krijgt een foutmelding bij het inloggen',
    'Hoe voeg ik een nieuwe medewerker toe als gebruiker?',
    'The human resources screen crashes when I open it',
    'De leerlingen van niveau 2 staan in de verkeerde klas',
    'Ik vroeg niet naar een medewerker??',
    "I don't need to talk to someone, just tell me where the export is",
    'Notre conseiller pédagogique ne voit pas les cotes',
  ])('does not hear it in %j', (text) => {
    expect(kit.asksForPerson(text)).toBe(false);
  });
});

describe('yes and no', () => {
  it.each([
    ['ja', 'yes'],
    ['ja hoor', 'yes'],
    ['Oui, merci', 'yes'],
    ['yep', 'yes'],
    ['nee', 'no'],
    ['nee, dat helpt me niet', 'no'],
    ['neen hoor', 'no'],
    ['non', 'no'],
    ['nope', 'no'],
  ] as const)('%j is %s', (text, answer) => {
    expect(kit.yesNo(text)).toBe(answer);
  });

  it.each(['De printer doet het nog steeds niet', 'misschien', 'Jan Peeters', 'nooit gedacht dat dit zo moeilijk was'])(
    '%j is neither',
    (text) => {
      expect(kit.yesNo(text)).toBeNull();
    },
  );
});

describe('answers that give no detail', () => {
  it.each([
    'weet ik niet',
    'dat lukt niet',
    'kan ik niet',
    'geen idee eigenlijk',
    'liever niet',
    'ik heb geen schermafbeelding',
    'geen specifiek scherm',
    "je n'en ai pas",
    'impossible',
    "I don't have one, sorry",
    'nope',
    'not possible',
    'n.v.t.',
    '-',
  ])('%j declines', (text) => {
    expect(kit.declines(text)).toBe(true);
  });

  it.each([
    'Geen rechten voor deze actie',
    'Nee, Emma Peeters uit 3B',
    'Mouscron',
    'geen toegang tot de module Evaluaties',
  ])('%j does not decline', (text) => {
    expect(kit.declines(text)).toBe(false);
  });

  it('reads a name after "nee" as the name, and an error text at the screenshot question as text', () => {
    expect(hearDetail('student', 'Nee, Emma Peeters uit 3B', [], deps)).toEqual({
      kind: 'value',
      value: 'Emma Peeters',
    });
    expect(hearDetail('error_message', 'Geen rechten voor deze actie', [], deps)).toEqual({
      kind: 'value',
      value: 'Geen rechten voor deze actie',
    });
    expect(hearDetail('screenshot', 'ik heb geen schermafbeelding', [], deps)).toEqual({ kind: 'declined' });
    expect(hearDetail('academy', 'Mouscron', [], deps)).toEqual({ kind: 'unclear' });
  });
});

describe('the kind menu', () => {
  const wording = {
    question: [
      'Een vraag over hoe iets werkt',
      'Une question sur le fonctionnement',
      'A question about how something works',
    ],
    incident: [
      'Iets werkt niet of geeft een fout',
      'Quelque chose ne fonctionne pas ou donne une erreur',
      'Something is broken or gives an error',
    ],
    change: [
      'Een vraag om iets aan te passen',
      'Une demande de modification ou d’ajout',
      'A request to change or add something',
    ],
    complaint: [
      'Een klacht, tip of suggestie',
      'Une plainte, un conseil ou une suggestion',
      'A complaint, tip or suggestion',
    ],
  };
  it.each([
    ['2', 'incident'],
    ['deux', 'incident'],
    ['de derde', 'change'],
    ['Quelque chose ne fonctionne pas', 'incident'],
    ['een probleem / storing', 'incident'],
    ['four', 'complaint'],
    ['een vraag', 'question'],
  ] as const)('%j is %s', (text, kind) => {
    expect(kit.label(text, wording)).toBe(kind);
  });

  it('does not guess from an unrelated answer', () => {
    expect(kit.label('Academie Lindenhof', wording)).toBeNull();
  });
});

describe('thanks, greetings and status questions', () => {
  it.each(['Dank u wel!', 'ok', 'merci, top', 'thanks a lot 👍', 'Oké, bedankt'])('%j is thanks', (text) => {
    expect(kit.thanks(text)).toBe(true);
  });
  it.each(['Dank u, maar de rapporten zijn nog altijd leeg', 'ok de export werkt niet'])(
    '%j is not only thanks',
    (text) => {
      expect(kit.thanks(text)).toBe(false);
    },
  );
  it.each(['Goedemorgen', 'bonjour !', 'Hallo helpdesk'])('%j is a greeting only', (text) => {
    expect(kit.greetingOnly(text)).toBe(true);
  });
  it('drops greetings and sign-offs around the request', () => {
    expect(kit.withoutCourtesies('Goedemorgen,\nde export loopt vast.\nGroetjes, Els')).toBe('de export loopt vast.');
  });
  it.each(['status?', 'Nog nieuws over HD-000123?', 'où en est mon ticket ?'])('%j asks a status', (text) => {
    expect(kit.asksStatus(text)).toBe(true);
  });
  it('a long story that mentions a status is not a status question', () => {
    expect(
      kit.asksStatus(
        'Sinds de update van gisteren staat de status van alle inschrijvingen op geweigerd en ouders bellen ons, zie ook HD-000123',
      ),
    ).toBe(false);
  });
});

describe('numbered steps of one problem', () => {
  it('are steps', () => {
    expect(kit.areSteps(['Open de leerlingenfiche', 'Klik op bewaren', 'Foutmelding 500 verschijnt'])).toBe(true);
    expect(kit.areSteps(['Ouvrez la fiche', 'Cliquez sur enregistrer', 'Erreur 500'])).toBe(true);
  });
  it('separate subjects are not steps', () => {
    expect(
      kit.areSteps([
        'de rapporten van de afdeling beeld tonen het verkeerde schooljaar',
        'hoe voeg ik een nieuwe leraar toe in de personeelsmodule?',
      ]),
    ).toBe(false);
    expect(
      kit.areSteps([
        'Open dag op zaterdag: kunnen we de inschrijvingen vroeger openen?',
        'De facturen tonen een fout bedrag',
      ]),
    ).toBe(false);
  });
});

describe('thanks for something, and a call back', () => {
  it.each([
    'Bedankt voor de snelle hulp gisteren!',
    'Merci pour votre aide de ce matin',
    'Thanks for fixing it so quickly',
  ])('%j is thanks', (text) => {
    expect(kit.thanks(text)).toBe(true);
  });
  it.each([
    'Bedankt voor de hulp, maar de rapporten zijn nog altijd leeg',
    'Merci pour votre réponse, est-ce que ça marche aussi pour les bulletins ?',
    'Thanks for the update on the export function we asked about last month and the month before that',
  ])('%j is not only thanks', (text) => {
    expect(kit.thanks(text)).toBe(false);
  });
  it.each(['Kan iemand mij terugbellen? 0478 12 34 56', 'Pouvez-vous me rappeler ?', 'please call me back'])(
    '%j asks for a person',
    (text) => {
      expect(kit.asksForPerson(text)).toBe(true);
    },
  );
  it('a call-back number for a report is not a request for a person', () => {
    expect(kit.asksForPerson('De terugbelfunctie in de module oudercontact werkt niet')).toBe(false);
  });
});

describe('answers that are plainly something else', () => {
  it('"merci" or "bonjour" is never a name, a student or an error text', () => {
    expect(hearDetail('student', 'merci', [], deps)).toEqual({ kind: 'unclear' });
    expect(hearDetail('name', 'Bonjour', [], deps)).toEqual({ kind: 'unclear' });
    expect(hearDetail('error_message', 'merci beaucoup', [], deps)).toEqual({ kind: 'unclear' });
  });
  it('an e-mail address at the error question is not the error text, a message with one is', () => {
    expect(hearDetail('error_message', 'tom@klimaat.example.be', [], deps)).toEqual({ kind: 'unclear' });
    expect(hearDetail('error_message', 'Adres tom@x.be ongeldig', [], deps)).toEqual({
      kind: 'value',
      value: 'Adres tom@x.be ongeldig',
    });
  });
});

describe('the student question', () => {
  it('a screen or academy typed there is not a student', () => {
    expect(hearDetail('student', 'facturatie', [], deps)).toEqual({ kind: 'unclear' });
    expect(hearDetail('student', 'attendance', [], deps)).toEqual({ kind: 'unclear' });
  });
  it('"all of them" is not one student: no detail to give', () => {
    expect(hearDetail('student', 'geen specifieke leerling, het zijn ze allemaal', [], deps)).toEqual({
      kind: 'declined',
    });
    expect(hearDetail('student', 'all of them, not one student', [], deps)).toEqual({ kind: 'declined' });
  });
  it('a name in lower case is still a name', () => {
    expect(hearDetail('student', 'mila jacobs', [], deps)).toEqual({ kind: 'value', value: 'mila jacobs' });
  });
});

describe('cancel', () => {
  it.each(['laat maar, het werkt weer', 'stop', 'ça remarche, merci', 'never mind, it works again'])(
    '%j cancels',
    (text) => {
      expect(kit.cancels(text)).toBe(true);
    },
  );
  it.each([
    'het werkt weer niet',
    'stop met die vragen, de rapporten zijn leeg',
    'it works again on one pc but not on the others',
  ])('%j does not cancel', (text) => {
    expect(kit.cancels(text)).toBe(false);
  });
});

describe('"there is no error message" in more words', () => {
  const kit = buildLanguage(loadConfig({ profile: 'academy' }));

  it.each([
    "il n'y a pas de message d'erreur",
    'er komt geen foutmelding, het scherm blijft gewoon wit',
    "there's no error message, it just hangs",
    "I don't see an error",
  ])('%j says there is none', (text) => {
    expect(kit.noError(text)).toBe(true);
  });

  it.each([
    'De foutmelding zegt "geen toegang"',
    "le message d'erreur dit: pas de droits",
    'the error says no permission',
  ])('%j is an error text, not "none"', (text) => {
    expect(kit.noError(text)).toBe(false);
  });
});

describe('an answer that points at what was said before', () => {
  const kit = buildLanguage(loadConfig({ profile: 'academy' }));

  it.each(['zie hierboven', 'Dat heb ik al gezegd!', 'voir ci-dessus', 'see above'])('%j', (text) => {
    expect(kit.seeAbove(text)).toBe(true);
  });

  it.each(['zie de foutmelding hierboven: "Geen toegang"', 'Fout: zie logbestand', 'see the error: access denied'])(
    'not %j',
    (text) => {
      expect(kit.seeAbove(text)).toBe(false);
    },
  );
});

describe('a corrected detail', () => {
  const kit = buildLanguage(loadConfig({ profile: 'academy' }));

  it.each([
    ['nee sorry, het is niet Ieper maar Academie Lier', 'nee sorry, het is, Academie Lier'],
    ['oh wacht, het is site 6243 niet 6234', 'oh wacht, het is site 6243'],
    ["pardon, ce n'est pas Waregem mais l'académie de Lier", "pardon, ce n'est, l'académie de Lier"],
    ['sorry, I meant Lier academy, not Waregem', 'sorry, I meant Lier academy'],
    ['academie Lier in plaats van Ieper', 'academie Lier'],
    ['oeps, academie Lier', 'oeps, academie Lier'],
  ])('%j keeps %j', (text, kept) => {
    expect(kit.correction(text)).toBe(kept);
  });

  it.each(['academie Lier', 'In het scherm facturatie', 'Emma Janssens uit 3B', 'the error says access denied'])(
    'not %j (no cue, no wrong value named)',
    (text) => {
      expect(kit.correction(text)).toBeNull();
    },
  );

  it.each([
    ['ze heet eigenlijk Lotte Peters', true],
    ["en fait elle s'appelle Lotte Peters", true],
    ['sorry, her name is Lotte Peters', true],
    ['sorry, academie Lier', false],
  ])('%j renames: %s', (text, renames) => {
    expect(kit.renames(text)).toBe(renames);
  });
});

describe('"it is solved" shortly after a ticket', () => {
  const kit = buildLanguage(loadConfig({ profile: 'academy' }));

  it.each([
    'laat maar, ik heb het zelf al opgelost',
    'oh wacht, het werkt weer. sorry!',
    "c'est réglé, vous pouvez fermer",
    'never mind, it works again',
  ])('%j', (text) => {
    expect(kit.solved(text)).toBe(true);
  });

  it.each([
    'is het al opgelost?',
    'het werkt weer niet',
    'het is nog niet opgelost',
    'ça ne remarche pas',
    'not solved yet',
  ])('not %j', (text) => {
    expect(kit.solved(text)).toBe(false);
  });
});

describe('good news with thanks', () => {
  const kit = buildLanguage(loadConfig({ profile: 'academy' }));

  it.each([
    'de rapporten zijn goed afgedrukt, bedankt voor de snelle hulp',
    "c'est bon, merci pour votre aide",
    'it worked, thanks for the quick help',
  ])('%j is thanks', (text) => {
    expect(kit.thanks(text)).toBe(true);
  });

  it.each([
    'de rapporten zijn niet afgedrukt, bedankt voor de hulp',
    'de export geeft een fout, bedankt voor het bekijken',
    'het is gelukt maar de export is nog altijd leeg, bedankt voor de hulp',
  ])('not %j (a report, with thanks)', (text) => {
    expect(kit.thanks(text)).toBe(false);
  });
});
