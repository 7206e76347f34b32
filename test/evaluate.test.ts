import { describe, expect, it } from 'vitest';
import { evaluate, formatReport, labelledLine, sameSlot } from '../bots/cli/evaluate.ts';
import { shippedCore } from './helpers.ts';

// Own lines, in the format of a labelled set: two languages, two profiles.
const LINES = [
  { id: 'a1', profile: 'academy', lang: 'nl', text: 'Hoe maak ik een nieuwe klasgroep aan?', label: 'question' },
  {
    id: 'a2',
    profile: 'academy',
    lang: 'fr',
    text: "L'imprimante du secrétariat fait un bourrage à chaque feuille",
    label: 'out_of_scope',
    oos_reason: 'hardware',
  },
  {
    id: 's1',
    profile: 'site',
    lang: 'nl',
    text: "Site 4488 geeft sinds vanochtend 'Interne serverfout' op elke pagina",
    label: 'incident',
    slots: { site_id: '4488', error_message: 'interne serverfout' },
  },
].map((l) => labelledLine.parse(l));

describe('triage eval', () => {
  const report = evaluate(LINES, (p) => shippedCore(p as 'academy' | 'site'));

  it('reports per language and per profile, with how often the bot would ask', () => {
    expect(Object.keys(report.byLanguage)).toEqual(['fr', 'nl']);
    expect(report.byLanguage.nl!.n).toBe(2);
    expect(Object.keys(report.byProfile)).toEqual(['academy', 'site']);
    expect(report.byProfile.site!.n).toBe(1);
    expect(report.askRate).toBeGreaterThanOrEqual(0);
    expect(report.askRate).toBeLessThanOrEqual(1);
  });

  it('draws the reliability curve: ten bins holding every line once', () => {
    expect(report.reliability).toHaveLength(10);
    expect(report.reliability.reduce((n, b) => n + b.n, 0)).toBe(LINES.length);
    for (const b of report.reliability.filter((x) => x.n > 0)) {
      expect(b.confidence).toBeGreaterThanOrEqual(b.from);
      expect(b.confidence).toBeLessThanOrEqual(b.to);
    }
  });

  it('prints the tables a person reads', () => {
    const text = formatReport(report, { errors: true });
    expect(text).toMatch(/lang nl\s+2\s/);
    expect(text).toMatch(/profile site\s+1\s/);
    expect(text).toMatch(/reliability/);
    expect(text).toMatch(/confusion/);
  });

  it('compares details as the scorer does: case, accents, scheme and quotes aside, not other words', () => {
    expect(sameSlot('error_message', '"Interne Serverfout."', 'interne serverfout')).toBe(true);
    expect(sameSlot('url', 'https://a.example.be/x/', 'a.example.be/x')).toBe(true);
    expect(sameSlot('student', 'Zoé Dufour', 'zoe dufour')).toBe(true);
    expect(sameSlot('student', 'Zoé Dufour', 'Zoé Dufort')).toBe(false);
  });
});
