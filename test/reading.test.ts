import { describe, expect, it } from 'vitest';
import { loadConfig } from '../adapters/config/load.ts';
import { requestReader, trainClassifier } from '../core/classify/classifier.ts';
import { MessageReader } from '../core/text/message.ts';

const config = loadConfig({ profile: 'academy' });
const reader = new MessageReader(config.classifier);

describe('reading a message as a person does', () => {
  it('drops the greeting before the request', () => {
    expect(reader.focus('Dag,\nDe agenda van het lessenrooster blijft leeg.')).toBe(
      'De agenda van het lessenrooster blijft leeg.',
    );
    expect(reader.focus('Hallo helpdesk team, hoe maak ik een nieuwe groep?')).toBe('hoe maak ik een nieuwe groep?');
    expect(reader.focus('Bonjour à tous ! Le module des absences reste bloqué.')).toBe(
      'Le module des absences reste bloqué.',
    );
    expect(reader.focus('Hoi! Waar stel ik de vakantiedagen in?')).toBe('Waar stel ik de vakantiedagen in?');
  });

  it('keeps a greeting word that is part of the request', () => {
    expect(reader.focus('Dag van de academie: kan die in de kalender?')).toBe(
      'Dag van de academie: kan die in de kalender?',
    );
    expect(reader.focus('Hallo ik heb een vraag over de punten')).toBe('Hallo ik heb een vraag over de punten');
    expect(reader.focus('Hallo')).toBe('Hallo');
  });

  it('cuts the signature from a closing line: name, school and phone are not the request', () => {
    const parts = reader.split(
      'De export loopt vast bij 80%.\nKunnen jullie kijken?\nVriendelijke groeten,\nMarc Peeters\nTekenacademie Oost\n011 22 33 44',
    );
    expect(parts.body).toBe('De export loopt vast bij 80%.\nKunnen jullie kijken?');
    expect(parts.signature).toMatch(/^Vriendelijke groeten,\nMarc Peeters/);
    expect(reader.split('Le lien ne marche plus.\nMerci pour votre aide !\nJulie').body).toBe(
      'Le lien ne marche plus.',
    );
    expect(reader.split('The banner is gone.\n\nThanks,\nSam').body).toBe('The banner is gone.');
    // Contact lines at the very end, without a closing word.
    expect(reader.split('De site is traag.\n02 555 12 34\nan@example.be').body).toBe('De site is traag.');
    // A closing at the end of a one-line message.
    expect(reader.split('Het logo staat scheef op de startpagina. Alvast bedankt, Ine').body).toBe(
      'Het logo staat scheef op de startpagina.',
    );
  });

  it('does not take a request that starts with a thank-you word for a signature', () => {
    const text = 'Dag,\nDe kalender toont niets meer.\nMerci de corriger la date du concert dans la liste.';
    expect(reader.split(text).body).toBe(text);
    expect(reader.split('Kunnen jullie kijken?\nBedankt om te laten weten wanneer het opgelost is?').signature).toBe(
      '',
    );
    expect(reader.split('Merci, la page ne charge plus').body).toBe('Merci, la page ne charge plus');
  });

  it('reads the first subject of a message with several', () => {
    const focus = requestReader(config);
    expect(focus('Hallo,\nhoe voeg ik een lokaal toe? Los daarvan: de facturen van maart zijn leeg.')).toBe(
      'hoe voeg ik een lokaal toe?',
    );
    expect(focus('De punten van juni zijn weg.')).toBe('De punten van juni zijn weg.');
  });
});

describe('a message that announces several subjects', () => {
  const core = trainClassifier(config);

  it.each([
    [
      'Twee dingen: de afwezigheden van 2A zijn verdwenen en kunnen jullie ook een extra kolom toevoegen in de klassenlijst?',
      ['De afwezigheden van 2A zijn verdwenen', 'Kunnen jullie ook een extra kolom toevoegen in de klassenlijst?'],
    ],
    [
      "Deux questions : comment j'exporte la liste des élèves et est-ce que vous pouvez ajouter un champ à la fiche ? Académie de Courtrai",
      [
        "Comment j'exporte la liste des élèves",
        'Est-ce que vous pouvez ajouter un champ à la fiche ? Académie de Courtrai',
      ],
    ],
    [
      'Two things: the absences of class 2A are gone. Could you also add a column to the class list? Academy Muze',
      ['The absences of class 2A are gone.', 'Could you also add a column to the class list? Academy Muze'],
    ],
  ])('is split where the second starts: %j', (text, parts) => {
    expect(core.subjects(text)).toEqual(parts);
  });

  it.each([
    // No announcement: "en kunnen jullie" inside one request is one subject.
    'De export loopt vast en kunnen jullie dat vandaag nog bekijken?',
    // Announced, but the join is where the request starts (nothing before it).
    'Twee dingen en kunnen jullie die bekijken',
    // Announced, one sentence, no join: left whole.
    'Twee dingen: de rapporten tonen geen punten voor de klas van juf An',
  ])('is not split without an announcement and a join: %j', (text) => {
    expect(core.subjects(text)).toHaveLength(1);
  });
});
