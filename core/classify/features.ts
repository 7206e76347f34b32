import type { Lang } from '../config/schema.ts';
import { FUNCTION_WORD_SET } from '../text/lang.ts';
import { fold, words } from '../text/normalize.ts';
import { stem } from '../text/stem.ts';

const LANGS: Lang[] = ['nl', 'fr', 'en'];

const NEGATIONS = new Set([
  'niet',
  'geen',
  'nooit',
  'niks',
  'niets',
  'pas',
  'jamais',
  'rien',
  'not',
  'no',
  'never',
  'nothing',
  'cannot',
  'cant',
  'doesnt',
  'dont',
  'isnt',
  'wont',
  'didnt',
]);

/** A text read for classification: folded words, their stems, and the language they were stemmed in. */
export interface Reading {
  folded: string;
  words: string[];
  stems: string[];
  lang: Lang;
}

/** Fold, tokenise and stem a text in the given language. */
export function read(text: string, lang: Lang): Reading {
  const folded = fold(text).replace(/[’`]/g, "'").replace(/n't\b/g, 'nt');
  const ws = words(folded);
  return { folded, words: ws, stems: ws.map((w) => stem(w, lang)), lang };
}

/** A lexicon phrase in every spelling we match: folded words, and stems in each language. */
interface LexiconPhrase {
  variants: string[][];
}

/** The admin's named word lists, compiled for matching against a Reading. */
export class Lexicon {
  private readonly lists = new Map<string, LexiconPhrase[]>();
  /** First word (or stem) -> lists whose phrases can start with it, to keep matching fast. */
  private readonly firstIndex = new Map<string, Set<string>>();
  /** "*printer": the last part of a compound (labelprinter, kleurenprinter), with its list, by last three letters. */
  private readonly suffixes = new Map<string, { tail: string; name: string }[]>();

  constructor(lexicon: Record<string, string[]>) {
    for (const [name, phrases] of Object.entries(lexicon)) {
      const compiled: LexiconPhrase[] = [];
      for (const phrase of phrases) {
        const tail = /^\*([\p{L}\p{N}]{3,})$/u.exec(fold(phrase).trim());
        if (tail) {
          const end = tail[1]!.slice(-3);
          this.suffixes.set(end, [...(this.suffixes.get(end) ?? []), { tail: tail[1]!, name }]);
          continue;
        }
        const ws = words(fold(phrase).replace(/n't\b/g, 'nt'));
        if (ws.length === 0) continue;
        const variants = [ws, ...LANGS.map((lang) => ws.map((w) => stem(w, lang)))];
        const unique = [...new Map(variants.map((v) => [v.join(' '), v])).values()];
        compiled.push({ variants: unique });
        for (const v of unique) {
          const set = this.firstIndex.get(v[0]!) ?? new Set<string>();
          set.add(name);
          this.firstIndex.set(v[0]!, set);
        }
      }
      this.lists.set(name, compiled);
    }
  }

  /** Names of the lists with a phrase in the text, with how many times they matched. */
  match(r: Reading): Map<string, number> {
    const found = new Map<string, number>();
    for (let i = 0; i < r.words.length; i++) {
      const w = r.words[i]!;
      for (const { tail, name } of this.suffixes.get(w.slice(-3)) ?? []) {
        if (w.length >= tail.length + 3 && w.endsWith(tail)) found.set(name, (found.get(name) ?? 0) + 1);
      }
      const byWord = this.firstIndex.get(w);
      const byStem = r.stems[i] === w ? undefined : this.firstIndex.get(r.stems[i]!);
      if (!byWord && !byStem) continue;
      const candidates = byWord && byStem ? new Set([...byWord, ...byStem]) : (byWord ?? byStem)!;
      for (const name of candidates) {
        for (const p of this.lists.get(name) ?? []) {
          if (p.variants.some((v) => v.every((w, k) => r.words[i + k] === w || r.stems[i + k] === w))) {
            found.set(name, (found.get(name) ?? 0) + 1);
            break;
          }
        }
      }
    }
    return found;
  }
}

// Addresses say where, not what kind of request: a site's domain learnt from one phrase would vote.
const ADDRESS =
  /\bhttps?:\/\/\S+|[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+|\b(?:[a-z0-9-]+\.)+(?:be|com|org|net|eu|nl|fr|io|vlaanderen|brussels)\b\S*/giu;

/** The text with URLs, domains and e-mail addresses blanked out (each becomes a space). */
export function withoutAddresses(text: string): string {
  return text.replace(ADDRESS, ' ');
}

/** Sparse features: name -> value. */
export type Features = Map<string, number>;

/**
 * The features of one message: stems and stem pairs, negated stems, lexicon lists, and the message's
 * shape (question mark, quoted text, length, first word). Pure and deterministic.
 */
export function featurize(text: string, r: Reading, lexicon: Lexicon, charNgrams = 0): Features {
  const f: Features = new Map();
  const add = (name: string, value = 1) => f.set(name, (f.get(name) ?? 0) + value);
  if (charNgrams > 0) {
    // Pieces of the longer words: "aanmeldzuiltje" shares "zuil" with "infozuil", "imprimate" most of
    // "imprimante". Each weighs little, so a whole word the model knows still decides.
    for (const w of r.words) {
      if (w.length < charNgrams + 2 || FUNCTION_WORD_SET.has(w) || /\d/.test(w)) continue;
      const padded = `<${w}>`;
      for (let i = 0; i + charNgrams <= padded.length; i++) add(`c:${padded.slice(i, i + charNgrams)}`, 0.2);
    }
  }
  let negatedUntil = -1;
  for (let i = 0; i < r.stems.length; i++) {
    const w = r.words[i]!;
    const s = r.stems[i]!;
    if (NEGATIONS.has(w)) negatedUntil = i + 3;
    if (!FUNCTION_WORD_SET.has(w) || i < 2) add(`w:${s}`);
    if (i > 0) add(`b:${r.stems[i - 1]}_${s}`);
    if (i <= negatedUntil && !NEGATIONS.has(w) && !FUNCTION_WORD_SET.has(w)) add(`neg:${s}`);
  }
  if (r.words[0]) add(`first:${r.stems[0]}`);
  if (r.words[1]) add(`first2:${r.stems[0]}_${r.stems[1]}`);
  for (const [name, count] of lexicon.match(r)) {
    add(`lex:${name}`, Math.min(2, count));
  }
  const trimmed = text.trim();
  if (trimmed.includes('?')) add('shape:question_mark');
  if (/\?\s*$/.test(trimmed)) add('shape:ends_with_question');
  if (/["“«'‘].{3,}["”»'’]/u.test(trimmed)) add('shape:quoted');
  if (/!{2,}|\?{2,}/.test(trimmed)) add('shape:shouting_punct');
  if (/\b[A-Z]{4,}\b/.test(trimmed) && /[A-Z]{4,}.*[A-Z]{4,}/.test(trimmed)) add('shape:capitals');
  if (/https?:\/\//.test(trimmed)) add('shape:url');
  add(r.words.length <= 6 ? 'shape:short' : r.words.length <= 25 ? 'shape:medium' : 'shape:long');
  add('bias');
  return f;
}
