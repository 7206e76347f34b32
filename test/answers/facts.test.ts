import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, loadConfigFile, PROFILE_DIR } from '../../adapters/config/load.ts';
import { buildFacts } from '../../core/answers/facts.ts';
import { HOURS_VARIANTS } from '../../core/config/facts-schema.ts';
import { ConfigError } from '../../core/config/validate.ts';
import { tempDir } from '../helpers.ts';
import {
  FACT_QUESTIONS,
  HELD_OUT_NOT_FACTS,
  HELD_OUT_NOT_FACTS_2,
  HELD_OUT_QUESTIONS,
  HELD_OUT_QUESTIONS_2,
  NOT_FACTS,
} from './fact-questions.ts';

/** Tuesday 24 November 2026, 10:00 in Brussels: open. */
const TUESDAY_10 = new Date('2026-11-24T09:00:00Z');
/** The same Tuesday, 18:00: closed until Wednesday 08:30. */
const TUESDAY_18 = new Date('2026-11-24T17:00:00Z');
/** Saturday 21 November 2026, 21:00: closed until Monday 08:30. */
const SATURDAY = new Date('2026-11-21T20:00:00Z');

const PROFILES = ['academy', 'site'] as const;
const facts = Object.fromEntries(PROFILES.map((p) => [p, buildFacts(loadConfig({ profile: p }))]));

describe.each(PROFILES)('facts about the helpdesk (%s profile)', (profile) => {
  const f = facts[profile]!;

  it.each(FACT_QUESTIONS)('[%s] "%s" is answered with the fact %s', (lang, question, id) => {
    const answer = f.answer(question, lang, TUESDAY_10);
    expect(answer?.id).toBe(id);
    expect(answer?.text).not.toMatch(/\{\w+\}/);
  });

  it.each(NOT_FACTS)('[%s] "%s" is a request, not a fact question', (lang, message) => {
    expect(f.answer(message, lang, TUESDAY_10)).toBeNull();
  });

  it.each([
    ['first', HELD_OUT_QUESTIONS, HELD_OUT_NOT_FACTS],
    ['second', HELD_OUT_QUESTIONS_2, HELD_OUT_NOT_FACTS_2],
  ] as const)('does about as well on the %s held-out set (figures printed)', (name, questions, requests) => {
    const right = questions.filter(([lang, q, id]) => f.answer(q, lang, TUESDAY_10)?.id === id).length;
    const quiet = requests.filter(([lang, q]) => f.answer(q, lang, TUESDAY_10) === null).length;
    console.log(
      `${profile}, ${name} held-out set: ${right}/${questions.length} facts answered right, ` +
        `${quiet}/${requests.length} requests left alone`,
    );
    expect(right / questions.length).toBeGreaterThanOrEqual(0.7);
    expect(quiet / requests.length).toBeGreaterThanOrEqual(0.8);
  });

  it('fills every placeholder of every fact, in every language, open or closed', () => {
    const config = loadConfig({ profile });
    for (const [id, fact] of Object.entries(config.facts.items)) {
      for (const lang of ['nl', 'fr', 'en'] as const) {
        const question = fact.phrases[lang][0] ?? fact.phrases.nl[0]!;
        for (const now of [TUESDAY_10, TUESDAY_18, SATURDAY]) {
          const answer = f.answer(`${question}?`, lang, now);
          expect(answer?.id, `${id} [${lang}] "${question}"`).toBe(id);
          expect(answer?.text).not.toMatch(/\{\w+\}|undefined/);
        }
      }
    }
  });
});

describe('hours answered for the moment asked', () => {
  const academy = facts.academy!;
  const say = (q: string, now: Date, lang: 'nl' | 'fr' | 'en' = 'nl') => academy.answer(q, lang, now)?.text ?? '';

  it('now: open on a Tuesday morning, closed on a Saturday evening with the next opening', () => {
    expect(say('Zijn jullie nu open?', TUESDAY_10)).toMatch(/^Ja, we zijn nu bereikbaar, vandaag tot 17:00/);
    expect(say('Zijn jullie nu open?', SATURDAY)).toMatch(/gesloten; we zijn er weer maandag om 08:30/);
    expect(say('Are you open right now?', SATURDAY, 'en')).toMatch(/closed right now; we are back Monday at 08:30/);
  });

  it('today: until what time, and after closing time the next opening', () => {
    expect(say('Tot hoe laat zijn jullie vandaag bereikbaar?', TUESDAY_10)).toBe(
      'Vandaag (dinsdag 24 november) bereikt u de helpdesk van 08:30 tot 17:00.',
    );
    expect(say('Tot hoe laat zijn jullie vandaag bereikbaar?', TUESDAY_18)).toMatch(
      /niet meer bereikbaar; we zijn er weer woensdag om 08:30/,
    );
  });

  it('tomorrow, a weekday, a holiday by date or by name', () => {
    expect(say('Is de helpdesk morgen bereikbaar?', TUESDAY_10)).toMatch(/^Op woensdag 25 november bereikt u/);
    expect(say('Zijn jullie op zaterdag open?', TUESDAY_10)).toMatch(
      /^Op zaterdag 28 november is de helpdesk gesloten; we zijn er weer maandag om 08:30/,
    );
    expect(say('Is de helpdesk open op 11 november?', new Date('2026-11-09T09:00:00Z'))).toMatch(
      /^Op woensdag 11 november is de helpdesk gesloten; we zijn er weer donderdag om 08:30/,
    );
    expect(say('Êtes-vous fermés à Noël ?', TUESDAY_10, 'fr')).toMatch(
      /^Le vendredi 25 décembre, le helpdesk est fermé ; nous serons de retour lundi à 08:30/,
    );
    expect(say('Is the helpdesk closed on Easter Monday?', TUESDAY_10, 'en')).toMatch(/Monday 29 March/);
  });

  it('a time: after 17:00 is closed (and the academy finishes an open chat), 10:00 is open', () => {
    expect(say('Kan ik na 17u nog bellen?', TUESDAY_10)).toMatch(
      /^Nee, dan is de helpdesk gesloten.*Een chat die voor 17:00 begon, wordt nog afgewerkt.*woensdag om 08:30/,
    );
    expect(say('Can I still call after 5pm?', TUESDAY_10, 'en')).toMatch(/^No, .*closed then/);
    expect(say('Kan ik om 10u bellen?', SATURDAY)).toMatch(/^Ja, dan is de helpdesk bereikbaar/);
    expect(facts.site!.answer('Kan ik na 17u nog bellen?', 'nl', TUESDAY_10)?.text).not.toMatch(/chat/);
  });
});

describe('facts per profile and language', () => {
  it('gives the web service desk both phone lines, the academy its one number', () => {
    expect(facts.site!.answer('Wat is het telefoonnummer van de helpdesk?', 'nl', TUESDAY_10)?.text).toBe(
      'Bel de webservicedesk op 02 553 00 20 (Nederlandstalig) of 02 553 00 21 (Franstalig), op werkdagen van 08:30 tot 17:00. Vermeld uw ticketnummer als u over een ticket belt.',
    );
    expect(facts.site!.answer('Quel est votre numéro de téléphone ?', 'fr', TUESDAY_10)?.text).toMatch(
      /^Appelez le service desk web au 02 553 00 21 \(en français\)/,
    );
    expect(facts.academy!.answer('What is your phone number?', 'en', TUESDAY_10)?.text).toMatch(/\+32 9 324 00 10/);
  });

  it('answers reply times, who may ask, closing and follow-up with the profile’s own values', () => {
    const site = (q: string) => facts.site!.answer(q, 'nl', TUESDAY_10)?.text ?? '';
    const academy = (q: string) => facts.academy!.answer(q, 'nl', TUESDAY_10)?.text ?? '';
    expect(site('Binnen hoeveel tijd antwoorden jullie op een ticket?')).toMatch(/binnen 4 werkuren/);
    expect(academy('Binnen hoeveel tijd antwoorden jullie op een ticket?')).toMatch(/enkele minuten/);
    expect(site('Wie mag er vragen stellen aan de helpdesk?')).toMatch(/maximaal drie per site/);
    expect(academy('Wanneer wordt mijn ticket afgesloten?')).toMatch(/na 5 werkdagen zonder reactie/);
    expect(site('Hoe kan ik mijn ticket opvolgen?')).toMatch(/HD-000123.*binnen enkele minuten per e-mail/);
    expect(site('Waar staat jullie FAQ?')).toMatch(/https:\/\/support\.webdesk\.example\/faq/);
    expect(academy('Waar kan ik de changelog vinden?')).toMatch(/https:\/\/help\.academiesoftware\.example\/changelog/);
    expect(site('Waar dien ik een klacht in?')).toMatch(/servicemanager/);
  });
});

describe('an admin adds, rewords or drops a fact in YAML, without code', () => {
  it('answers a new fact with its phrases and answer', () => {
    const dir = tempDir();
    const file = join(dir, 'own.yaml');
    writeFileSync(
      file,
      `extends: ${join(PROFILE_DIR, 'academy.yaml')}
facts:
  items:
    parking:
      phrases:
        nl: [waar kan ik parkeren bij jullie kantoor, is er parking aan het kantoor]
        en: [where can I park at your office]
      answer:
        nl: "Er is een parking achter het kantoor; bel {phone} als de slagboom dicht is."
        fr: "Il y a un parking derrière le bureau ; appelez le {phone} si la barrière est fermée."
        en: "There is a car park behind the office; call {phone} if the barrier is closed."
    changelog: null
`,
    );
    const own = buildFacts(loadConfigFile(file));
    expect(own.answer('Waar kan ik parkeren?', 'nl', TUESDAY_10)).toEqual({
      id: 'parking',
      text: 'Er is een parking achter het kantoor; bel 09 324 00 10 als de slagboom dicht is.',
    });
    expect(own.answer('Where can I park?', 'en', TUESDAY_10)?.id).toBe('parking');
    expect(own.answer('Waar kan ik de changelog vinden?', 'nl', TUESDAY_10)).toBeNull();
    expect(own.answer('Wat is het telefoonnummer van de helpdesk?', 'nl', TUESDAY_10)?.id).toBe('phone');
  });

  it('refuses an unknown placeholder, a fact without phrases and an unknown hours situation', () => {
    const dir = tempDir();
    const file = join(dir, 'own.yaml');
    writeFileSync(
      file,
      `extends: ${join(PROFILE_DIR, 'site.yaml')}
facts:
  items:
    typo:
      phrases: { nl: [iets] }
      answer: { nl: "bel {telefoon}", fr: "x", en: "x" }
    empty:
      answer: { nl: "x", fr: "x", en: "x" }
    hours:
      when:
        at_night: { nl: "x", fr: "x", en: "x" }
`,
    );
    let problems: string[] = [];
    try {
      loadConfigFile(file);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems = error.problems.map((p) => `${p.path}: ${p.message}`);
    }
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^facts\.items\.typo\.answer\.nl: unknown placeholder \{telefoon\}/),
        'facts.items.empty.phrases: a fact needs at least one phrase',
        expect.stringMatching(/^facts\.items\.hours\.when: unknown key\(s\): at_night/),
      ]),
    );
    expect(HOURS_VARIANTS).toContain('time_closed');
  });
});
