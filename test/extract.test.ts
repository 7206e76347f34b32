import { describe, expect, it } from 'vitest';
import { personName } from '../core/extract/index.ts';
import { findErrorMessage, findPhones, findUrls } from '../core/extract/patterns.ts';
import { shippedCore } from './helpers.ts';

const academy = () => shippedCore('academy').extractor;
const site = () => shippedCore('site').extractor;

describe('details in a message', () => {
  it.each([
    ['Groeten van KA Kortrijk', 'KAK'],
    ['academie de Courtrai', 'KAK'],
    ["Bonjour de l'académie de Malines", 'ACA'],
    ['Dansacademie Boogaard', 'DAB'],
    ['groeten uit Genk', 'ABE'],
    ['Lindehof Hasselt hier', 'ALH'],
    ['Academie Carrilon', 'ACA'],
    ['(MWD Geel)', 'MWD-GE'],
    ['code SMW-IE', 'SMW-IE'],
  ])('finds the academy in %j', (text, code) => {
    expect(academy().extract(text).academy).toBe(code);
  });

  it('does not read academies into e-mail addresses, greetings or common words', () => {
    expect(academy().extract('Hallo, mail directie@academiehalle.be of bel').academy).toBeUndefined();
    expect(academy().extract('de lier en de mol zijn dieren, geel is een kleur').academy).toBeUndefined();
  });

  it.each([
    ['Site 4488 toont de oude banner', '4488'],
    ['Two things for site 5701: could you', '5701'],
    ['op https://staging.cultuur.example.be/agenda', '7019'],
    ['https://financien.example.be/particulieren/nieuws', '3317'],
    ['de zoekfunctie van de Kennisbank', '4120'],
    ['Justitie Nieuws (2290)', '2290'],
  ])('finds the site in %j', (text, id) => {
    expect(site().extract(text).site_id).toBe(id);
  });

  it('does not take times, dates or ticket numbers for a site id', () => {
    expect(site().extract('om 14:00, op 12/03/2015, ticket 483921, in 2024').site_id).toBeUndefined();
  });

  it.each([
    ['In het evaluatiescherm kloppen de gemiddelden niet', 'evaluaties'],
    ['de rapportmodule', 'rapporten'],
    ['het inschrijvingsgeld voor volwassenen', 'facturatie'],
    ['les bulletins de la section danse', 'rapporten'],
    ['welk lokaal is vrij', 'lokalen'],
  ])('finds the screen in %j', (text, screen) => {
    expect(academy().extract(text).screen).toBe(screen);
  });

  it('does not take look-alike words for a screen', () => {
    expect(academy().extract('De beamer in lokaal 12 geeft geen beeld').screen).toBeUndefined();
    expect(academy().extract('de printer drukt strepen').screen).toBeUndefined();
    expect(academy().extract('het is net inschrijvingsweek').screen).toBeUndefined();
  });

  it('finds students, not staff', () => {
    expect(academy().extract('de inschrijving van Kobe Vermeulen lukt niet').student).toBe('Kobe Vermeulen');
    expect(academy().extract('de fiche van Yasmine El Amrani').student).toBe('Yasmine El Amrani');
    expect(academy().extract("la fiche de l'élève Léa Dubois").student).toBe('Léa Dubois');
    expect(academy().extract('Zoë Lambrecht staat dubbel in het systeem').student).toBe('Zoë Lambrecht');
    expect(academy().extract('kort vraagje, gaat over jonas peeters').student).toBe('jonas peeters');
    expect(academy().extract('het rooster van meneer Van Damme is leeg').student).toBeUndefined();
    expect(academy().extract('een account voor medewerker Hanne Verstraete').student).toBeUndefined();
    expect(academy().extract('Leerkracht Dirk Wuyts vraagt naar de punten van Amber Jacobs').student).toBe(
      'Amber Jacobs',
    );
    expect(site().extract('de fiche van Yasmine El Amrani').student).toBeUndefined();
  });

  it('finds error texts that are quoted or stated, not quoted labels', () => {
    expect(findErrorMessage("krijg ik de melding 'Overgang mislukt: klasgroep zonder graad (ID 4471)'. Wat nu?")).toBe(
      'Overgang mislukt: klasgroep zonder graad (ID 4471)',
    );
    expect(findErrorMessage("j'ai l'erreur « Le formulaire a expiré. »")).toBe('Le formulaire a expiré.');
    expect(findErrorMessage('invoices not sending. error: SMTP 550 mailbox unavailable')).toBe(
      'SMTP 550 mailbox unavailable',
    );
    expect(findErrorMessage('geeft sinds 10u een 502 Bad Gateway. Het gaat om')).toBe('502 Bad Gateway');
    expect(findErrorMessage("een nieuwe rol 'reception' die enkel het rooster ziet")).toBeNull();
  });

  it('names the screen by the last part of a compound, by synonyms, and not by a passing login', () => {
    expect(academy().extract('waar print ik een inschrijvingsattest voor de mutualiteit').screen).toBe('attesten');
    expect(academy().extract('kunnen jullie de rechten van juf Ann uitbreiden').screen).toBe('gebruikers');
    expect(academy().extract('hoe kan je een leerling uitschrijven halverwege het jaar').screen).toBe('inschrijvingen');
    expect(academy().extract('wie heeft het lesgeld nog niet betaald?').screen).toBe('facturatie');
    expect(academy().extract('please unlock the count of March').screen).toBe('export-departement');
    // Logging in is not the users screen; "no rights" is the reason, not the subject.
    expect(academy().extract("bij het inloggen krijg ik 'sessie ongeldig'").screen).toBeUndefined();
    expect(academy().extract('ik heb geen rechten op de lokalen').screen).toBe('lokalen');
  });

  it('reads a student from the body, never from the signature or a user account', () => {
    expect(
      academy().extract('Het rapport staat leeg.\nMet vriendelijke groeten,\nInge Claes\nAcademie Noord').student,
    ).toBeUndefined();
    expect(academy().extract('graag de gebruiker van Koen Aerts afsluiten, hij is weg').student).toBeUndefined();
    expect(academy().extract('pouvez-vous corriger le nom de Inès Lambert sur le bulletin').student).toBe(
      'Inès Lambert',
    );
    expect(academy().extract('One of our students, Milan Desmet, moved to Ghent').student).toBe('Milan Desmet');
    expect(academy().extract('De fiche van Noah Peeters is leeg.\nGroeten,\nTine').student).toBe('Noah Peeters');
  });

  it('reads status codes as typed, and no quoted names or titles as error texts', () => {
    expect(findErrorMessage('de site geeft een 503 service unavailable sinds vanmiddag')).toBe(
      '503 service unavailable',
    );
    expect(findErrorMessage('de homepage geeft 500 error!')).toBe('500 error');
    expect(findErrorMessage("we voegen twee groepen samen: 'Piano 2B' en 'Piano 2C'")).toBeNull();
    expect(findErrorMessage("Er staat nog altijd 'Geachte ouders' in de brief")).toBeNull();
    expect(findErrorMessage("j'ai effacé par erreur la page « Horaires été »")).toBeNull();
    expect(findErrorMessage("ze zeiden dat het 'in de volgende versie' zou komen")).toBeNull();
    expect(findErrorMessage("bij opslaan: 'Geen toegang tot dit dossier'")).toBe('Geen toegang tot dit dossier');
  });

  it('finds URLs, e-mail addresses and Belgian phone numbers', () => {
    expect(findUrls('zie statistiek.example.be? en mail a@b.be')).toEqual(['statistiek.example.be']);
    expect(findPhones('bel 0471 23 45 67 of +32 2 501 81 11 of 014 58 21 90, niet 04/07/2012')).toEqual([
      '0471 23 45 67',
      '+32 2 501 81 11',
      '014 58 21 90',
    ]);
    expect(academy().extract('mail naar info@academiemaasgouw.be').email).toBe('info@academiemaasgouw.be');
  });
});

describe('a site named in lower case beside the word site', () => {
  const site = () => shippedCore('site').extractor;
  it.each([
    ['ik zit op de kennisbank site', '4120'],
    ['de site van statistiek is traag', '5701'],
  ])('%j -> %s', (text, id) => {
    expect(site().extract(text).site_id).toBe(id);
  });

  it('not "de kennisbank is handig" (no word for a site beside it)', () => {
    expect(site().extract('de kennisbank is handig').site_id).toBeUndefined();
  });
});

describe('a word of a site name at the start of a sentence', () => {
  const site = shippedCore('site');
  it('is not the site when it only opens the sentence', () => {
    expect(
      site.extractor.extract("Mobiliteit en bereikbaarheid wil ik als vast blok onderaan onze pagina's tonen.").site_id,
    ).toBeUndefined();
  });
  it('is the site inside a sentence or announced', () => {
    expect(site.extractor.extract('Op de Kennisbank staat een verkeerde datum.').site_id).toBe('4120');
    expect(site.extractor.extract('Dringend: de Kennisbank geeft een fout 500.').site_id).toBe('4120');
  });
});

describe('product names and file formats', () => {
  it('a product is never a student', () => {
    expect(
      academy().extract('De punten van Google Classroom worden niet overgenomen in de evaluaties').student,
    ).toBeUndefined();
    expect(academy().extract('De punten van Mila Jacobs worden niet overgenomen in de evaluaties').student).toBe(
      'Mila Jacobs',
    );
  });
  it('file formats in capitals are not shouting; two shouted words are', () => {
    const core = shippedCore('academy');
    expect(core.classifier.classify('Bij het exporteren naar XLSX en DOCX verdwijnen de accenten').urgent).toBe(false);
    expect(core.classifier.classify('ALLES LIGT PLAT HIER, de rapporten openen niet').urgent).toBe(true);
  });
});

describe('which screen a request is about', () => {
  it.each([
    ['De export naar Excel geeft een lege pagina, scherm leerlingen', 'leerlingen'],
    ['in het scherm Leerlingen staat alles dubbel', 'leerlingen'],
    ["dans l'onglet Facturation rien ne s'affiche", 'facturatie'],
    ['in het leerlingenscherm staat alles dubbel', 'leerlingen'],
  ])('a screen named by its own name after a word for a screen: %j -> %s', (text, id) => {
    expect(academy().extract(text).screen).toBe(id);
  });

  it.each(['de leerlingen van 3B krijgen geen rapport', 'alle leerlingen staan dubbel'])(
    'not %j: "leerlingen" alone names no screen',
    (text) => {
      expect(academy().extract(text).screen).not.toBe('leerlingen');
    },
  );

  it.each([
    // A name said in full wins over the last part of a compound ("groepen" is only a weak name).
    ['De klasgroepen van woensdag tonen geen lesroosters meer', 'klassen'],
    // The request's own sentence decides; a screen named after it as the reason does not.
    ['Kunnen jullie twee groepen samenvoegen tot één? Er staan al punten in, dus ik kan het niet zelf.', 'klassen'],
    ['Pourriez-vous fusionner deux groupes du lundi ? Des évaluations y sont déjà encodées.', 'klassen'],
    // Several words before one ("rechten van" is the users screen, not the marks screen's "punten").
    ['graag de rechten van een leerkracht aanpassen zodat die punten kan ingeven', 'gebruikers'],
  ])('%j -> %s', (text, id) => {
    expect(academy().extract(text).screen).toBe(id);
  });

  it.each([
    // A strong name in a later sentence still counts when the first names none.
    ['Goedemorgen. Het uurrooster van de gitaarklas is leeg.', 'uurrooster'],
    // A room number is not the rooms screen; the first sentence names nothing else.
    ['In lokaal 12 staat de beamer uit. De afwezigheden lukken wel.', 'afwezigheden'],
  ])('%j -> %s', (text, id) => {
    expect(academy().extract(text).screen).toBe(id);
  });
});

describe('a name typed at the name question', () => {
  it.each([
    ['Jef Peeters', 'Jef Peeters'],
    ['ik ben An Van den Broeck', 'An Van den Broeck'],
    ['dat heb ik al gezegd: Els Goossens', 'Els Goossens'],
    ["je m'appelle Marie-Claire Dubois.", 'Marie-Claire Dubois'],
  ])('%j is %j', (text, name) => {
    expect(personName(text)).toBe(name);
  });

  it('a contact line with "en mijn mail is" gives the name too', () => {
    const { extractor } = shippedCore('site');
    expect(extractor.contact('ik ben Mieke Jacobs en mijn mail is mieke.jacobs@ew.example')).toEqual({
      name: 'Mieke Jacobs',
      email: 'mieke.jacobs@ew.example',
    });
    expect(extractor.contact('de export geeft een fout, mail me op an@x.example')).toBeNull();
  });

  it.each([
    'zie hierboven',
    'her name is Sarah De Wit',
    'ja',
    'de directeur',
    '0478 12 34 56',
    'weet ik niet van buiten',
  ])('%j is no name', (text) => {
    expect(personName(text)).toBeNull();
  });
});
