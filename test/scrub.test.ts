import { describe, expect, it } from 'vitest';
import { loadConfig } from '../adapters/config/load.ts';
import { scrubber } from '../adapters/learn/scrub.ts';
import type { Config } from '../core/config/schema.ts';

// The scrubber masks the names in learned examples; capitalised common words are not names. Both sides
// are tested: what must stay (sentence openers after a sign-off, words after a student cue, parts of a
// person's name that are ordinary words) and what must still go (signatures, students, addresses).

const academy = loadConfig({ profile: 'academy' });
const site = loadConfig({ profile: 'site' });
const scrub = scrubber(academy);

describe('what the scrubber must NOT mask', () => {
  it.each([
    'Bedankt! Sinds gisteren kan ik niet meer inloggen.',
    'Alvast bedankt. Bij het openen van de fiche krijg ik een fout.',
    'bedankt\nBij het opslaan krijg ik fout 500',
    'Groeten. Vanaf maandag lukt het niet meer.',
    'Dank u. Wanneer ik op opslaan klik, gebeurt er niets.',
    'Merci. Depuis hier je ne peux plus me connecter.',
    'Merci ! Lors de la sauvegarde, une erreur apparaît.',
    'Thanks. Since yesterday I cannot log in.',
    'Thank you. When I open the report it crashes.',
    'Regards. The Report is empty.',
    // Not a listed word, but the first word of a sentence that runs on: no name.
    'Bedankt! Plotseling werkt het rapport niet meer.',
    // After a student cue: a common word, a screen of the software.
    'De leerlingen Kunnen niet inloggen.',
    'Dit betreft Evaluaties in het rapport.',
    'Betreft: Inschrijving Bij het openen',
    'Geen rechten Sinds de update.',
  ])('%s', (text) => {
    expect(scrub(text)).toBe(text);
  });

  it('no word of learning.not_names, capitalised after a sign-off, is taken for a name (every language)', () => {
    const lists = academy.learning.not_names;
    const all = [...lists.nl, ...lists.fr, ...lists.en];
    expect(all.length).toBeGreaterThan(100);
    for (const word of all) {
      const capital = word.charAt(0).toUpperCase() + word.slice(1);
      for (const text of [`Bedankt! ${capital} gisteren werkte het niet.`, `Merci,\n${capital}`]) {
        expect(scrub(text), text).toBe(text);
      }
    }
  });

  it('a person on the ticket is masked by the parts of the name, not by every "van" or "de"', () => {
    expect(scrub('De fiche van Lotte Van Damme: de klas van Lotte is leeg', ['Lotte Van Damme'])).toBe(
      'De fiche van [name]: de klas van [name] is leeg',
    );
    expect(scrub('Bij het openen van de fiche', ['Bij Jansen'])).toBe('Bij het openen van de fiche');
  });

  it('the common words are the configuration’s: without them the same sentence is masked', () => {
    const bare: Config = { ...academy, learning: { ...academy.learning, not_names: { nl: [], fr: [], en: [] } } };
    expect(scrubber(bare)('De leerlingen Kunnen niet inloggen.')).toBe('De leerlingen [student] niet inloggen.');
    expect(scrub('De leerlingen Kunnen niet inloggen.')).toBe('De leerlingen Kunnen niet inloggen.');
  });
});

describe('what the scrubber must still mask', () => {
  it.each([
    ['Mvg, An Peeters', 'Mvg, [name]'],
    ['Groeten, An', 'Groeten, [name]'],
    ['Met vriendelijke groeten,\nAn Van den Broeck', 'Met vriendelijke groeten,\n[name]'],
    ['Groeten,\nSofie\nsecretariaat', 'Groeten,\n[name]\nsecretariaat'],
    ['Bedankt Jan voor de hulp', 'Bedankt [name] voor de hulp'],
    ['Cordialement, Marie Dubois', 'Cordialement, [name]'],
    ['Thanks, John Smith', 'Thanks, [name]'],
    ['Groeten. Bij Lotte Peeters lukt het niet', 'Groeten. Bij [name] lukt het niet'],
    ['Regards. Will Jones', 'Regards. [name]'],
    ['De fiche van leerling Jan Peeters toont een fout.', 'De fiche van leerling [student] toont een fout.'],
    ['Het rapport van student Noor El Amrani is leeg.', 'Het rapport van student [student] is leeg.'],
    ['leerling Jan is ziek', 'leerling [student] is ziek'],
    ['juf Sarah zegt dat het niet werkt', 'juf [name] zegt dat het niet werkt'],
    ['Bij Lotte Peeters lukt het inschrijven niet.', 'Bij [student] lukt het inschrijven niet.'],
    ['Mail an.peeters@school.be of bel 0475 12 34 56.', 'Mail [email] of bel [phone].'],
  ])('%s', (text, scrubbed) => {
    expect(scrub(text)).toBe(scrubbed);
  });

  it('the site profile masks signatures and addresses the same way', () => {
    expect(scrubber(site)('Bedankt! Sinds gisteren kan ik niet publiceren.\nGroeten,\nEls Wouters')).toBe(
      'Bedankt! Sinds gisteren kan ik niet publiceren.\nGroeten,\n[name]',
    );
  });
});
