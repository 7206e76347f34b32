import { cueMatcher } from './classify/rules.ts';
import type { Config, Lang } from './config/schema.ts';
import { FUNCTION_WORD_SET } from './text/lang.ts';
import { fold, words } from './text/normalize.ts';
import { stem } from './text/stem.ts';

/** A page the bot can point to: a manual / FAQ article or a changelog entry. */
export interface Page {
  id: string;
  kind: 'manual' | 'changelog';
  title: string;
  url: string;
  lang: Lang | 'any';
  date?: string;
}

export interface PageMatch {
  page: Page;
  /** Cosine similarity of idf-weighted stems, 0-1. */
  score: number;
}

export interface Knowledge {
  /** Manual pages for a message, best first, at most `knowledge.max_proposals`, above `min_score`. */
  manual(text: string, lang: Lang): PageMatch[];
  /** The changelog entry a "is it fixed yet?" message is about, if any. */
  changelog(text: string, lang: Lang): PageMatch | null;
}

/** Content stems of a text: folded words, function words dropped, stemmed in the text's language. */
export function contentStems(text: string, lang: Lang): Set<string> {
  const out = new Set<string>();
  for (const w of words(fold(text))) {
    if (w.length < 2 || FUNCTION_WORD_SET.has(w)) continue;
    out.add(stem(w, lang));
  }
  return out;
}

/**
 * How far two stems are the same word: 1 when equal; 0.8 when one is a Dutch-style compound ending or
 * starting with the other ("kerstrapport" / "rapport", "lesrooster" / "rooster"), the shorter at least
 * five letters so that "les" does not match "lesrooster"; else 0.
 */
function stemMatch(a: string, b: string): number {
  if (a === b) return 1;
  const [short, long] = a.length <= b.length ? [a, b] : [b, a];
  if (short.length < 5 || long.length - short.length < 3) return 0;
  return long.endsWith(short) || long.startsWith(short) ? 0.8 : 0;
}

/**
 * Soft cosine similarity of two stem sets: each stem weighted by `weight` (idf), a stem of one set
 * counting for its best match in the other (compounds match their parts).
 */
export function cosine(a: Set<string>, b: Set<string>, weight: (s: string) => number = () => 1): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (const s of a) {
    const w = weight(s);
    na += w * w;
    if (b.has(s)) {
      dot += w * w;
      continue;
    }
    let best = 0;
    let bestWeight = 0;
    for (const t of b) {
      const m = stemMatch(s, t);
      if (m > best) [best, bestWeight] = [m, weight(t)];
    }
    dot += best * w * bestWeight;
  }
  for (const s of b) nb += weight(s) ** 2;
  return na === 0 || nb === 0 ? 0 : Math.min(1, dot / Math.sqrt(na * nb));
}

interface Indexed {
  page: Page;
  /** Stems per language the page can be matched in. */
  stems: Map<Lang, Set<string>>;
  keywords: RegExp;
}

const LANG_LIST: Lang[] = ['nl', 'fr', 'en'];

/**
 * A small search over the configured manual and changelog: a message and a page match on the stems
 * they share, rarer stems weighing more (idf), plus a bonus when the message names one of the page's
 * keywords outright. Pages in another language than the message's are not proposed.
 */
export function buildKnowledge(
  config: Config,
  screenOf: (text: string) => string | undefined = () => undefined,
): Knowledge {
  const k = config.knowledge;
  // The screen a text names counts as one more shared word: "lesrooster" and "uurrooster" are one screen.
  const withScreens = (stems: Set<string>, texts: string[]) => {
    for (const text of texts) {
      const screen = screenOf(text);
      if (screen) stems.add(`screen:${screen}`);
    }
    return stems;
  };
  const index = (kind: Page['kind'], entries: typeof k.articles | typeof k.changelog): Indexed[] =>
    entries.map((e) => {
      const page: Page = {
        id: e.id,
        kind,
        title: e.title,
        url: e.url,
        lang: e.lang,
        ...('date' in e ? { date: e.date } : {}),
      };
      const parts = [e.title, ...e.keywords, ...e.phrases];
      const text = parts.join(' ');
      const langs = e.lang === 'any' ? LANG_LIST : [e.lang];
      return {
        page,
        stems: new Map(langs.map((l) => [l, withScreens(contentStems(text, l), parts)])),
        keywords: cueMatcher(e.keywords),
      };
    });
  const manualIndex = index('manual', k.articles);
  const changelogIndex = index('changelog', k.changelog);
  const fixedCue = cueMatcher(k.fixed_cues);

  // Inverse document frequency over all pages: a stem every page has says little.
  const df = new Map<string, number>();
  const all = [...manualIndex, ...changelogIndex];
  for (const entry of all) {
    const seen = new Set<string>();
    for (const stems of entry.stems.values()) for (const s of stems) seen.add(s);
    for (const s of seen) df.set(s, (df.get(s) ?? 0) + 1);
  }
  const idf = (s: string) => Math.log(1 + (all.length + 1) / ((df.get(s) ?? 0) + 0.5));

  function score(entries: Indexed[], text: string, lang: Lang): PageMatch[] {
    const query = withScreens(contentStems(text, lang), [text]);
    const folded = fold(text);
    return entries
      .filter((e) => e.stems.has(lang))
      .map((e) => {
        const base = cosine(query, e.stems.get(lang)!, idf);
        const bonus = e.keywords.test(folded) ? 0.25 : 0;
        return { page: e.page, score: Math.min(1, base + bonus) };
      })
      .filter((m) => m.score >= k.min_score)
      .sort((a, b) => b.score - a.score);
  }

  return {
    manual: (text, lang) => score(manualIndex, text, lang).slice(0, k.max_proposals),
    changelog: (text, lang) => (fixedCue.test(fold(text)) ? (score(changelogIndex, text, lang)[0] ?? null) : null),
  };
}

/** A request and an open ticket, as far as "the same subject" is concerned. */
export interface Subject {
  text: string;
  screen?: string | undefined;
}

/**
 * How alike two requests are (0-1), and whether that makes them one subject: never across two named
 * screens; otherwise the cosine of their content stems against `min`.
 */
export function sameSubject(a: Subject, b: Subject, lang: Lang, min: number): { same: boolean; score: number } {
  if (a.screen && b.screen && a.screen !== b.screen) return { same: false, score: 0 };
  const score = cosine(contentStems(a.text, lang), contentStems(b.text, lang));
  return { same: score >= min, score };
}
