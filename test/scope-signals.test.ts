import { describe, expect, it } from 'vitest';
import { buildScopeSignals, phraseMatcher } from '../core/classify/scope.ts';
import { shippedCore, transcript } from './helpers.ts';

const academy = shippedCore('academy');
const site = shippedCore('site');
const signals = buildScopeSignals(academy.config);

describe('signal phrases', () => {
  const negations = new Set(['niet', 'not', 'pas', 'ne']);
  const match = phraseMatcher(['werkt .. in word|kladblok', 'koffie .. over'], negations);

  it('match words in order, alternatives and short gaps', () => {
    expect(match('Het werkt gewoon in Word')).toBe(true);
    expect(match('het toestel werkt perfect in kladblok')).toBe(true);
    expect(match('er is koffie overheen gegaan, nee: koffie erover... koffie ging over')).toBe(true);
  });

  it('never skip a negation, never match out of order or too far apart', () => {
    expect(match('Het werkt niet in Word')).toBe(false);
    expect(match('In Word werkt het')).toBe(false);
    expect(match('werkt een twee drie vier vijf in word')).toBe(false);
  });
});

describe('the side a problem lies on', () => {
  it.each([
    'De badgelezer leest de kaarten gewoon in kladblok, maar in de aanwezigheden gebeurt er niets',
    'The label printer prints fine from Word, only our software sends blank labels',
    "Le lecteur de codes-barres fonctionne très bien dans Word, seulement dans votre logiciel rien ne s'affiche",
  ])('an in-program fault is the software: %j', (text) => {
    expect(signals.ours(text, 'hardware')).toBe(true);
    expect(signals.theirs(text)).toBeNull();
  });

  it.each([
    ['Mijn toetsenbord mist letters, ook in Word en in Outlook, sinds er koffie over ging', 'hardware'],
    ['Since I spilled tea on the keyboard the editor skips letters, same in Word', 'hardware'],
    ["Depuis que j'ai renversé de l'eau sur le clavier, il manque des lettres, pareil dans Outlook", 'hardware'],
    ['Our agency removed the image field from the event type and now the agenda gives an error', 'own_modification'],
    ['Onze webbouwer heeft het sjabloon aangepast en sindsdien werkt het formulier niet meer', 'own_modification'],
    ['Notre prestataire a supprimé le champ date et depuis la page affiche une erreur', 'own_modification'],
  ])('a cause on the customer side is out of scope: %j', (text, reason) => {
    expect(signals.theirs(text)).toBe(reason);
  });

  it.each([
    // A device named, nothing said about other programs.
    'De printer drukt de attesten af met een verkeerde datum',
    // Other programs fine, but no device: nothing for the hardware rule.
    'De export werkt niet meer in Word',
    // Not their own change: the vendor's.
    'Sinds jullie update verschijnt er een fout bij het afdrukken van de rapporten',
    // Their developer changed something, but nothing broke: a change request.
    'Our developer changed the homepage template, could you add a news block to it?',
    // A colleague, not a developer, deleted something: a backup question, not own modification.
    'Onze secretaresse heeft per ongeluk een leerling verwijderd, kunnen jullie die terugzetten?',
    // Both sides at once: the classifier's verdict stands.
    'The scanner works fine in Notepad, and since I spilled coffee on it it also fails in Word',
  ])('no side taken for %j', (text) => {
    expect(signals.theirs(text)).toBeNull();
  });

  it('changes the verdict only where a signal applies', () => {
    const lifted = academy.classifier.classify(
      'De barcodescanner werkt perfect in kladblok maar sinds vorige week negeert het aanwezigheidsscherm elke scan',
    );
    expect(lifted.label).toBe('incident');
    const refused = site.classifier.classify(
      'The editor drops letters when I type, the same in Word and Outlook since coffee went over my keyboard',
    );
    expect(refused).toMatchObject({ label: 'out_of_scope', oosReason: 'hardware' });
  });
});

describe('in a conversation', () => {
  it('files the incident of a device that works in other programs, without a device question', async () => {
    const chat = transcript();
    await chat
      .user('Onze kaartlezer werkt nog gewoon in Word maar het aanwezighedenscherm reageert op geen enkele scan meer')
      .bot({ status: 'collecting', saysNot: /leverancier|toestel/i });
  });

  it('refuses, with the referral, a site editor problem that is a wet keyboard', async () => {
    const chat = transcript({ profile: 'site' });
    await chat
      .user(
        "Dans l'éditeur il manque des lettres quand je tape, pareil dans Word, depuis que j'ai renversé du café sur le clavier",
      )
      .bot({ status: 'rejected', says: /matériel|appareil/i });
  });

  it('refuses breakage from the customer own developer, and says a repair can be paid work', async () => {
    const chat = transcript({ profile: 'site' });
    await chat
      .user(
        'Our developer removed the teaser field from the article type and now the homepage shows an invalid field error',
      )
      .bot({ status: 'rejected', says: /own changes|paid/i });
  });
});

describe('other software named beside a breakage of ours', () => {
  it.each([
    'Excel is traag, maar vooral de export uit jullie programma loopt vast',
    'Outlook doet raar, en jullie programma geeft een foutmelding bij het versturen van de facturen',
    'Word plante aussi, mais surtout votre logiciel plante quand j’imprime les bulletins',
  ])('is ours: %j', (text) => {
    expect(academy.classifier.classify(text).label).not.toBe('out_of_scope');
  });

  it.each(['Excel loopt vast als ik jullie export open met een macro', 'Hoe maak ik een draaitabel in Excel?'])(
    'not lifted: %j',
    (text) => {
      expect(academy.classifier.classify(text).label).toBe('out_of_scope');
    },
  );
});

describe('a reproach makes a complaint', () => {
  it.each([
    'Jullie collega raadde ons aan de groepen te wissen; dat had ze ons wel mogen zeggen dat de roosters dan leeg zijn',
    'You should have told us the update would reset the invoices, now we redo everything',
    'Vous auriez dû nous prévenir que la mise à jour effaçait les horaires',
    'Niemand heeft ons verwittigd dat de export zou veranderen en nu klopt er niets meer van',
    'de helpdesk antwoordt al twee weken niet op mijn mails over de facturen',
    "Personne ne répond à mes mails depuis lundi, c'est inadmissible",
    'You never answer my e-mails about the certificates',
  ])('%j', (text) => {
    expect(academy.classifier.classify(text).label).toBe('complaint');
  });

  it.each([
    // A reproach of themselves, a wish, a question: not about the helpdesk's service.
    'Ik had dat veld niet mogen leegmaken, kunnen jullie het terugzetten?',
    'Could you tell me how to export the invoices?',
    'We should add a second teacher to the group, can you do that?',
    'Moet ik de leerkracht verwittigen als ik zijn uurrooster aanpas?',
    // The software not answering is an incident, not the helpdesk's service.
    'Het programma reageert niet meer als ik op bewaren klik',
    'Ouders krijgen nog geen antwoord-mail na hun online inschrijving',
  ])('not %j', (text) => {
    expect(academy.classifier.classify(text).label).not.toBe('complaint');
  });
});

describe('the conversation language', () => {
  it('stays French when a French speaker answers a question with a few Dutch words', async () => {
    const chat = transcript();
    await chat
      .user("Bonjour, l'export des présences vers le département affiche une erreur depuis ce matin")
      .bot({ status: 'collecting', awaiting: 'academy' });
    await chat.user('weet ik niet').bot({ status: 'collecting', says: /[àéè]|vous/i, saysNot: /\bu\b|uw/ });
  });

  it('follows a whole sentence in another language', async () => {
    const chat = transcript();
    await chat
      .user("Bonjour, l'export des présences vers le département affiche une erreur depuis ce matin")
      .bot({ status: 'collecting', awaiting: 'academy' });
    await chat
      .user('Sorry, I would rather continue in English: it is for the academy in the city, I do not know the code')
      .bot({ says: /\b(the|your|which)\b/i });
  });
});
