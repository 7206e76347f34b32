import { describe, expect, it } from 'vitest';
import { loadConfig } from '../adapters/config/load.ts';
import { Lexicon, read } from '../core/classify/features.ts';

const lexicon = new Lexicon(loadConfig({ profile: 'academy' }).lexicon);
const lists = (text: string, lang: 'nl' | 'fr' | 'en' = 'nl') => [...lexicon.match(read(text, lang)).keys()];

describe('the lexicon', () => {
  it('matches the last part of a compound for a *tail entry, not the bare tail nor a look-alike', () => {
    const small = new Lexicon({ hardware: ['*printer'] });
    expect([...small.match(read('de labelprinter doet niks', 'nl')).keys()]).toEqual(['hardware']);
    expect([...small.match(read('de kleurenprinter', 'nl')).keys()]).toEqual(['hardware']);
    expect(small.match(read('printers', 'nl')).size).toBe(0);
    expect(small.match(read('het printerscherm', 'nl')).size).toBe(0);
  });

  it('knows devices, infrastructure and networks that are never called "printer"', () => {
    expect(lists('het aanmeldzuiltje aan de inkom reageert niet')).toContain('hardware');
    expect(lists("la borne d'accueil ne réagit plus", 'fr')).toContain('hardware');
    expect(lists('our barcode scanner beeps but nothing appears', 'en')).toContain('hardware');
    expect(lists('la ligne téléphonique ne sonne plus', 'fr')).toContain('hardware');
    expect(lists('het schoolnetwerk valt weg in de turnzaal')).toContain('network');
    expect(lists('de switch in het serverkastje knippert')).toContain('network');
    expect(lists('de doorschakeling naar de gsm van de directeur werkt niet')).toContain('hardware');
    expect(lists('the label maker at reception prints blank labels', 'en')).toContain('hardware');
    expect(lists('Hoe maak ik in Excel een som per maand?')).toContain('other');
  });

  it('does not read the word "word" or a software screen as an office program or a device', () => {
    expect(lists('het woord "afwezig" staat verkeerd in het rapport')).not.toContain('other');
    expect(lists('the word "absent" is misspelled on the report', 'en')).not.toContain('other');
    expect(lists('op het scherm van de evaluaties staan de punten dubbel')).not.toContain('hardware');
  });

  it('does not read everyday words as infrastructure or a visit', () => {
    expect(lists('de rapporten tonen het verkeerde schooljaar')).not.toContain('hardware');
    expect(lists('impossible de se connecter depuis ce matin', 'fr')).not.toContain('network');
    expect(lists('CMS login loop on site 1178', 'en')).not.toContain('onsite');
    expect(lists("je voudrais venir à la réunion d'information", 'fr')).not.toContain('onsite');
    expect(lists("l'écran des absences reste vide", 'fr')).not.toContain('hardware');
  });

  it('hears "it is slow on 4G too" as everywhere, not the local network', () => {
    expect(lists('ook via 4G is het even traag')).toContain('everywhere');
  });
});
