import type { Lang } from '../config/schema.ts';
import { words } from './normalize.ts';

// Function words are the most reliable short-text signal; content words are shared across the three
// languages here (rapport, facture, module...). Folded (no diacritics).
// biome-ignore format: word lists read better packed
const FUNCTION_WORDS: Record<Lang, readonly string[]> = {
  nl: [
    'de', 'het', 'een', 'en', 'van', 'ik', 'je', 'jij', 'we', 'wij', 'jullie', 'is', 'niet', 'geen', 'op', 'in', 'met',
    'voor', 'dat', 'die', 'dit', 'er', 'ook', 'maar', 'nog', 'al', 'kan', 'kunnen', 'moet', 'hoe', 'waar', 'wat',
    'wanneer', 'waarom', 'mijn', 'onze', 'ons', 'zijn', 'heb', 'hebben', 'wordt', 'worden', 'bij', 'naar', 'om',
    'uit', 'aan', 'zie', 'staat', 'staan', 'graag', 'dag', 'hallo', 'bedankt', 'alvast', 'groetjes', 'beste',
    'sinds', 'meer', 'nu', 'wel', 'toch', 'krijg', 'zou', 'zouden', 'mag', 'welke', 'ze', 'hij', 'zij', 'iets',
    'niks', 'niets', 'weet', 'weten', 'vraag', 'vraagje', 'goeiemorgen', 'goedemorgen', 'hier', 'daar', 'gaat',
    'of', 'als', 'dan', 'te', 'tot', 'elke', 'alle', 'iemand', 'u', 'uw', 'aub', 'ja', 'nee', 'neen', 'mvg', 'ivm',
  ],
  fr: [
    'le', 'la', 'les', 'un', 'une', 'des', 'du', 'de', 'et', 'est', 'je', 'nous', 'vous', 'il', 'elle', 'ne', 'pas',
    'pour', 'sur', 'dans', 'avec', 'que', 'qui', 'ce', 'cette', 'ces', 'mon', 'ma', 'mes', 'notre', 'nos', 'votre',
    'vos', 'comment', 'ou', 'quand', 'pourquoi', 'quel', 'quelle', 'bonjour', 'merci', 'plus', 'au', 'aux', 'on',
    'sont', 'peux', 'peut', 'pouvez', 'puis', 'faire', 'fait', 'depuis', 'encore', 'tous', 'toutes', 'tout', 'mais',
    'aussi', 'avez', 'avons', 'ai', 'ca', 'cela', 'svp', 'oui', 'non', 'rien', 'sais', 'madame', 'monsieur', 'chez',
    'leur', 'leurs', 'sans', 'estce', 'qu', 'c', 'j', 'l', 'd', 'n', 's', 'y', 'etre', 'avoir', 'cordialement',
  ],
  en: [
    'the', 'a', 'an', 'and', 'of', 'to', 'is', 'are', 'i', 'we', 'you', 'it', 'not', 'no', 'on', 'in', 'with', 'for',
    'that', 'this', 'there', 'can', 'could', 'how', 'where', 'what', 'when', 'why', 'my', 'our', 'us', 'have', 'has',
    'do', 'does', 'did', 'be', 'been', 'was', 'were', 'please', 'hi', 'hello', 'thanks', 'thank', 'from', 'at', 'but',
    'still', 'since', 'get', 'got', 'would', 'should', 'which', 'who', 'someone', 'anyone', 'any', 'all', 'every',
    'doesn', 'don', 'isn', 'can', 't', 'll', 've', 'm', 'yes', 'know', 'if', 'or', 'so', 'just', 'only', 'now', 'new',
    'will', 'need', 'by', 'about', 'after', 'they', 'them', 'their', 'your', 'its', 'me', 'am', 'cannot', 'here',
  ],
};

/** Every function word of the three languages (folded): never a name, never a topic. */
export const FUNCTION_WORD_SET: ReadonlySet<string> = new Set(Object.values(FUNCTION_WORDS).flat());

const INDEX: Map<string, Lang[]> = (() => {
  const index = new Map<string, Lang[]>();
  for (const lang of Object.keys(FUNCTION_WORDS) as Lang[]) {
    for (const w of FUNCTION_WORDS[lang]) index.set(w, [...(index.get(w) ?? []), lang]);
  }
  return index;
})();

export interface LangGuess {
  lang: Lang;
  /** How many function words decided it: 0 means no evidence (fall back on the previous language). */
  evidence: number;
}

/** Detect nl/fr/en from function words in a folded text; `fallback` wins ties and silence. */
export function detectLanguage(folded: string, fallback: Lang): LangGuess {
  const score: Record<Lang, number> = { nl: 0, fr: 0, en: 0 };
  for (const w of words(folded)) {
    const langs = INDEX.get(w);
    if (!langs) continue;
    for (const lang of langs) score[lang] += 1 / langs.length;
  }
  // French elisions (l'eleve, j'ai, qu'il) are a strong signal that tokenising splits up.
  score.fr += (folded.match(/\b[ljdnmtsc]'|qu'/g) ?? []).length;
  const ranked = (Object.keys(score) as Lang[]).sort((a, b) => score[b] - score[a]);
  const best = ranked[0]!;
  const second = ranked[1]!;
  if (score[best] === 0 || score[best] === score[second]) return { lang: fallback, evidence: 0 };
  return { lang: best, evidence: score[best] - score[second] };
}
