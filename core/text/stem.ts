// natural's index module loads storage back-ends and prints to stdout; the stemmers alone load cleanly.
import stemmerEn from 'natural/lib/natural/stemmers/porter_stemmer.js';
import stemmerFr from 'natural/lib/natural/stemmers/porter_stemmer_fr.js';
import stemmerNl from 'natural/lib/natural/stemmers/porter_stemmer_nl.js';
import type { Lang } from '../config/schema.ts';

interface Stemmer {
  stem(token: string): string;
}

const STEMMERS: Record<Lang, Stemmer> = {
  nl: stemmerNl as Stemmer,
  fr: stemmerFr as Stemmer,
  en: stemmerEn as Stemmer,
};

const cache = new Map<string, string>();

/** Stem a folded word in the given language (memoised: the vocabulary of a helpdesk is small). */
export function stem(word: string, lang: Lang): string {
  const key = `${lang}:${word}`;
  let stemmed = cache.get(key);
  if (stemmed === undefined) {
    // No word is 40 letters long; natural's stemmers take quadratic time on such runs (a pasted blob).
    stemmed = word.length <= 3 || word.length > 40 || /\d/.test(word) ? word : STEMMERS[lang].stem(word);
    if (cache.size > 50_000) cache.clear();
    cache.set(key, stemmed);
  }
  return stemmed;
}
