import type { Lang } from '../config/schema.ts';
import { fold } from '../text/normalize.ts';

/** Phrase lists per language, as the config holds them. */
export type Lists = Record<Lang, readonly string[]>;

const LANG_ORDER: Record<Lang, Lang[]> = { nl: ['nl', 'fr', 'en'], fr: ['fr', 'nl', 'en'], en: ['en', 'nl', 'fr'] };

/**
 * Folded text for cue matching: no accents, lower case, typographic apostrophes and dashes made plain,
 * white space collapsed. Same length relations are not kept; spans refer to this text.
 */
export function cueText(text: string): string {
  return fold(text)
    .replace(/[\u2018\u2019\u02bc`´]/g, "'")
    .replace(/[\u2010-\u2013]/g, '-')
    .replace(/\s+/g, ' ')
    .trim();
}

/** A cue found in a text: where it starts and ends in the `cueText`, and the phrase. */
export interface CueHit {
  start: number;
  end: number;
  phrase: string;
}

const isWordChar = (c: string | undefined) => c !== undefined && /[\p{L}\p{N}]/u.test(c);

/** Every whole-word occurrence of a folded phrase in a folded text. */
export function occurrences(folded: string, phrase: string): CueHit[] {
  const hits: CueHit[] = [];
  if (!phrase) return hits;
  for (let i = folded.indexOf(phrase); i >= 0; i = folded.indexOf(phrase, i + 1)) {
    const end = i + phrase.length;
    // A phrase ending in a non-letter ("d'ici", "?") needs no boundary on that side.
    const startOk = !isWordChar(phrase[0]) || !isWordChar(folded[i - 1]);
    const endOk = !isWordChar(phrase[phrase.length - 1]) || !isWordChar(folded[end]);
    if (startOk && endOk) hits.push({ start: i, end, phrase });
  }
  return hits;
}

/** Phrase lists folded once, the message's language first; longer phrases first within a language. */
export class Cues {
  private readonly byLang: Record<Lang, string[]>;
  private readonly ordered = new Map<Lang, string[]>();

  constructor(lists: Lists) {
    const prep = (l: readonly string[]) =>
      [...new Set(l.map((p) => cueText(String(p))).filter(Boolean))].sort((a, b) => b.length - a.length);
    this.byLang = { nl: prep(lists.nl), fr: prep(lists.fr), en: prep(lists.en) };
  }

  /** Every phrase of every language, longest first. */
  all(lang: Lang = 'nl'): string[] {
    let list = this.ordered.get(lang);
    if (!list) this.ordered.set(lang, (list = [...new Set(LANG_ORDER[lang].flatMap((l) => this.byLang[l]))]));
    return list;
  }

  get size(): number {
    return this.byLang.nl.length + this.byLang.fr.length + this.byLang.en.length;
  }

  /** The first phrase found (the message's language first, longest first), or null. */
  find(folded: string, lang: Lang = 'nl'): CueHit | null {
    for (const phrase of this.all(lang)) {
      const hit = occurrences(folded, phrase)[0];
      if (hit) return hit;
    }
    return null;
  }

  /** Every occurrence of every phrase, overlaps removed (longest kept), in text order. */
  findAll(folded: string, lang: Lang = 'nl'): CueHit[] {
    const hits: CueHit[] = [];
    for (const phrase of this.all(lang)) {
      for (const hit of occurrences(folded, phrase)) {
        if (!hits.some((h) => hit.start < h.end && h.start < hit.end)) hits.push(hit);
      }
    }
    return hits.sort((a, b) => a.start - b.start);
  }

  has(folded: string, lang: Lang = 'nl'): boolean {
    return this.find(folded, lang) !== null;
  }
}

/**
 * Sentences of a text (split after . ! ? ; and line breaks), with their punctuation, trimmed. A full stop
 * after a one-letter part ("i.v.m.", "e.g.") ends no sentence.
 */
export function sentences(text: string): string[] {
  return text
    .split(/(?<=[^.\s]{2}\.|[!?;])\s+|\n+/)
    .map((s) => s.trim())
    .filter(Boolean);
}
