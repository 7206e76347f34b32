import type { Fact, HoursVariant } from '../config/facts-schema.ts';
import type { Config, Lang } from '../config/schema.ts';
import { describeDate, describeInstant, isOpen } from '../hours.ts';
import { fill, helpdeskParams, say } from '../messages.ts';
import { FUNCTION_WORD_SET } from '../text/lang.ts';
import { words } from '../text/normalize.ts';
import { stem } from '../text/stem.ts';
import { CalendarReader, instantAt, isWorkday, localOf, type Moment, nextOpen, toMinutes } from './calendar.ts';
import { Cues, cueText } from './text.ts';

/** A fact about the helpdesk, answered from config. */
export interface FactAnswer {
  /** The fact's key under `facts.items`. */
  id: string;
  text: string;
}

export interface Facts {
  /** The answer when the message asks a fact about the helpdesk itself, in `lang`; null for anything else. */
  answer(text: string, lang: Lang, now: Date): FactAnswer | null;
  /** The best fact and its score, whatever the threshold (for tuning and `triage` diagnostics). */
  score(text: string): { id: string; score: number; asks: boolean; blocked: boolean } | null;
}

const LANGS: readonly Lang[] = ['nl', 'fr', 'en'];
const LOCALES: Record<Lang, string> = { nl: 'nl-BE', fr: 'fr-BE', en: 'en-GB' };
/** Weight of a function word ("jullie", "vous", "your"): they tell a question from a request, a little. */
const FUNCTION_WEIGHT = 0.4;
/** Messages longer than this many words are requests, not questions about the helpdesk. */
const MAX_WORDS = 40;
/** Without a question mark or question word, only a message that is nearly a phrase itself counts. */
const BARE_SCORE = 0.8;
/** How far below the best fact an hours fact may score and still answer a message that names a day or time. */
const TIMED_MARGIN = 0.3;
/** A word no phrase knows weighs this much more than the rarest known word: it is about something else. */
const UNKNOWN_FACTOR = 1;

interface Phrase {
  fact: number;
  weights: Map<string, number>;
  norm: number;
}

/** Word tokens for scoring: hyphens inside words joined ("e-mailadres" = "emailadres"). */
function tokens(folded: string): string[] {
  return words(folded.replace(/(\p{L})-(?=\p{L})/gu, '$1'));
}

/** Prefixes and suffixes of a stem long enough to be a word of a compound ("openingsuren" -> "uren"...). */
function fragments(s: string): string[] {
  const out: string[] = [];
  for (let n = 4; n <= s.length - 3; n++) out.push(s.slice(0, n), s.slice(s.length - n));
  return out;
}

export function buildFacts(config: Config): Facts {
  const section = config.facts;
  const ids = Object.keys(section.items);
  const items = ids.map((id) => section.items[id] as Fact);
  const index = buildIndex(config, items);
  return {
    score(text) {
      const j = judge(index, text);
      return j ? { id: ids[j.fact]!, score: j.score, asks: j.asks, blocked: j.blocked } : null;
    },
    answer(text, lang, now) {
      const j = judge(index, text);
      if (!j || j.blocked) return null;
      const fact = items[j.fact]!;
      const min = fact.min_score ?? section.min_score;
      if (j.score < min || (!j.asks && !fact.statement && j.score < Math.max(min, BARE_SCORE))) return null;
      // "Ik heb een lijst met vragen:\n1. ..." brings the list itself: no fact, the list is the request.
      if (fact.statement && /\n|(?:^|\s)\d[.)]\s/u.test(text)) return null;
      const said = render(config, index.reader, fact, j.folded, lang, now);
      return { id: ids[j.fact]!, text: said.charAt(0).toUpperCase() + said.slice(1) };
    },
  };
}

/** The phrase keys one word of a message matches (1 same stem, 0.8 part of a compound), and its weight. */
interface WordMatch {
  hits: [string, number][];
  weight: number;
}

/** What the scoring knows of the facts: their phrases as weighted keys, and the words that do not count. */
interface FactIndex {
  items: Fact[];
  reader: CalendarReader;
  questionCues: Cues;
  blockers: Cues;
  /** Words that weigh nothing: the calendar's words and the `neutral` lists. */
  neutral: ReadonlySet<string>;
  /** The words of the helpdesk's own name, read as "helpdesk". */
  selfNames: ReadonlySet<string>;
  /** Per fact, the keywords of which a message must hold one (as the start of a word); undefined: none. */
  required: (string[] | undefined)[];
  /** Each content key (`lang:stem`) and the facts whose phrases use it. */
  factsOf: Map<string, Set<number>>;
  phrases: Phrase[];
  /** Each key and the phrases (by position) that hold it. */
  byKey: Map<string, number[]>;
  /** `lang:fragment` and the content keys whose stem starts or ends with it (words of a compound). */
  byFragment: Map<string, string[]>;
  /** The weight of a word no phrase knows. */
  unknownWeight: number;
  /** Words of messages already matched (bounded). */
  wordCache: Map<string, WordMatch>;
}

function buildIndex(config: Config, items: Fact[]): FactIndex {
  const section = config.facts;
  const reader = new CalendarReader(section.calendar);
  const neutral = new Set<string>(reader.vocabulary);
  for (const lang of LANGS) for (const p of section.neutral[lang]) for (const w of tokens(cueText(p))) neutral.add(w);
  const selfNames = helpdeskNameWords(config);
  const { phraseKeys, factsOf } = collectPhraseKeys(items, neutral, selfNames);
  const weight = (k: string) => weightOf(factsOf, items.length, k);
  const phrases: Phrase[] = phraseKeys.map(({ fact, keys }) => {
    const weights = new Map(keys.map((k) => [k, weight(k)]));
    return { fact, weights, norm: [...weights.values()].reduce((n, w) => n + w * w, 0) };
  });
  const byKey = new Map<string, number[]>();
  phrases.forEach((p, i) => {
    for (const k of p.weights.keys()) byKey.set(k, [...(byKey.get(k) ?? []), i]);
  });
  return {
    items,
    reader,
    questionCues: new Cues(section.question_cues),
    blockers: new Cues(section.not_when),
    neutral,
    selfNames,
    required: items.map(requiredKeywords),
    factsOf,
    phrases,
    byKey,
    byFragment: fragmentIndex(factsOf),
    unknownWeight: UNKNOWN_FACTOR * Math.log(1 + items.length),
    wordCache: new Map(),
  };
}

/** The helpdesk's own name is one word for the scoring ("webservicedesk" asks like "helpdesk"). */
function helpdeskNameWords(config: Config): Set<string> {
  const selfNames = new Set<string>();
  for (const lang of LANGS) for (const w of tokens(cueText(config.helpdesk.name[lang]))) selfNames.add(w);
  for (const w of FUNCTION_WORD_SET) selfNames.delete(w);
  return selfNames;
}

/** A fact with `keywords` answers only a message holding one of them (as the start of a word). */
function requiredKeywords(fact: Fact): string[] | undefined {
  const list = LANGS.flatMap((l) => (fact.keywords?.[l] ?? []).flatMap((k) => tokens(cueText(k))));
  return list.length > 0 ? list : undefined;
}

function canonical(selfNames: ReadonlySet<string>, w: string): string {
  return selfNames.has(w) ? 'helpdesk' : w;
}

function contentKey(w: string, lang: Lang): string {
  return `${lang}:${stem(w, lang)}`;
}

/** Each phrase as its keys (content stems, `fw:` function words), and which facts use each key. */
function collectPhraseKeys(items: Fact[], neutral: ReadonlySet<string>, selfNames: ReadonlySet<string>) {
  const phraseKeys: { fact: number; keys: string[] }[] = [];
  const factsOf = new Map<string, Set<number>>();
  items.forEach((fact, f) => {
    for (const lang of LANGS) {
      for (const p of fact.phrases[lang]) {
        const keys = keysOf(p, lang, neutral, selfNames);
        if (keys.length === 0) continue;
        phraseKeys.push({ fact: f, keys });
        for (const k of keys) {
          let set = factsOf.get(k);
          if (!set) factsOf.set(k, (set = new Set()));
          set.add(f);
        }
      }
    }
  });
  return { phraseKeys, factsOf };
}

/** A phrase's distinct keys: neutral words and numbers left out. */
function keysOf(phrase: string, lang: Lang, neutral: ReadonlySet<string>, selfNames: ReadonlySet<string>): string[] {
  const keys = tokens(cueText(phrase))
    .map((w) => canonical(selfNames, w))
    .filter((w) => !neutral.has(w) && !/\d/.test(w))
    .map((w) => (FUNCTION_WORD_SET.has(w) ? `fw:${w}` : contentKey(w, lang)));
  return [...new Set(keys)];
}

/** Content stems weigh by how few facts use them (idf), function words a little. */
function weightOf(factsOf: Map<string, Set<number>>, factCount: number, k: string): number {
  if (k.startsWith('fw:')) return FUNCTION_WEIGHT;
  return Math.log(1 + factCount / (factsOf.get(k)?.size ?? 1));
}

/** A word of the message that is part of a phrase's compound, or a compound holding a phrase's word. */
function fragmentIndex(factsOf: Map<string, Set<number>>): Map<string, string[]> {
  const byFragment = new Map<string, string[]>();
  for (const k of factsOf.keys()) {
    if (k.startsWith('fw:')) continue;
    const [lang, s] = [k.slice(0, 2), k.slice(3)];
    for (const frag of fragments(s)) {
      const key = `${lang}:${frag}`;
      byFragment.set(key, [...(byFragment.get(key) ?? []), k]);
    }
  }
  return byFragment;
}

/** The phrase keys one word of a message matches, memoised. */
function matchWord(index: FactIndex, w: string): WordMatch {
  let found = index.wordCache.get(w);
  if (found) return found;
  const hits = wordHits(index, w);
  // The word weighs as its best match; a word no phrase knows weighs most (it is about something else).
  let best = 0;
  let weight = index.unknownWeight;
  for (const [k, strength] of hits) {
    const kw = weightOf(index.factsOf, index.items.length, k);
    if (strength > best || (strength === best && kw > weight)) [best, weight] = [strength, kw];
  }
  found = { hits: [...hits], weight };
  if (index.wordCache.size > 20_000) index.wordCache.clear();
  index.wordCache.set(w, found);
  return found;
}

/** Every key a word matches, in any language: 1 same stem, 0.8 a word of the same compound. */
function wordHits(index: FactIndex, w: string): Map<string, number> {
  const hits = new Map<string, number>();
  const hit = (k: string, strength: number) => {
    if ((hits.get(k) ?? 0) < strength) hits.set(k, strength);
  };
  for (const lang of LANGS) {
    const key = contentKey(w, lang);
    if (index.factsOf.has(key)) hit(key, 1);
    for (const k of index.byFragment.get(key) ?? []) hit(k, 0.8);
    for (const frag of fragments(key.slice(3))) {
      const k = `${lang}:${frag}`;
      if (index.factsOf.has(k)) hit(k, 0.8);
    }
  }
  return hits;
}

function matchMessage(index: FactIndex, folded: string): { matched: Map<string, number>; norm: number } {
  const matched = new Map<string, number>();
  let norm = 0;
  for (const w of new Set(tokens(folded).map((t) => canonical(index.selfNames, t)))) {
    if (index.neutral.has(w) || /\d/.test(w)) continue;
    if (FUNCTION_WORD_SET.has(w)) {
      matched.set(`fw:${w}`, 1);
      norm += FUNCTION_WEIGHT ** 2;
      continue;
    }
    const { hits, weight } = matchWord(index, w);
    for (const [k, strength] of hits) if ((matched.get(k) ?? 0) < strength) matched.set(k, strength);
    norm += weight ** 2;
  }
  return { matched, norm };
}

/** The best score of each fact that shares a word with the message. */
function scores(index: FactIndex, folded: string): Map<number, number> {
  const out = new Map<number, number>();
  const { matched, norm } = matchMessage(index, folded);
  if (norm === 0) return out;
  const candidates = new Set<number>();
  for (const k of matched.keys()) {
    if (k.startsWith('fw:')) continue;
    for (const i of index.byKey.get(k) ?? []) candidates.add(i);
  }
  for (const i of candidates) {
    const p = index.phrases[i]!;
    let dot = 0;
    for (const [k, w] of p.weights) {
      const m = matched.get(k);
      if (m) dot += w * w * m;
    }
    const score = Math.min(1, dot / Math.sqrt(p.norm * norm));
    if (score > (out.get(p.fact) ?? 0)) out.set(p.fact, score);
  }
  return out;
}

/** The best fact for a message, its score, whether it is asked and whether something rules it out. */
function judge(index: FactIndex, text: string) {
  const folded = cueText(text);
  if (folded.split(' ').length > MAX_WORDS) return null;
  const ranked = [...scores(index, folded)].sort((a, b) => b[1] - a[1]);
  if (ranked.length === 0) return null;
  let [fact, score] = ranked[0]!;
  const { items } = index;
  // "Can I still call after 5pm?": a day or a time named makes it a question about hours.
  if (!items[fact]!.when) {
    const timed = ranked.find(([f, s]) => items[f]!.when && s >= score - TIMED_MARGIN);
    if (timed && index.reader.namesMoment(folded)) [fact, score] = timed;
  }
  const asks = text.includes('?') || index.questionCues.has(folded);
  const needs = index.required[fact];
  const lacks = needs !== undefined && !tokens(folded).some((w) => needs.some((k) => w.startsWith(k)));
  return { fact, score, folded, asks, blocked: lacks || index.blockers.has(folded) };
}

/** The answer's text: the variant for the day and time asked, with every placeholder filled in. */
function render(config: Config, reader: CalendarReader, fact: Fact, folded: string, lang: Lang, now: Date): string {
  const hours = config.helpdesk.hours;
  const tz = hours.timezone;
  const locale = LOCALES[lang];
  const moment = reader.read(folded, now, tz);
  const { variant, from } = situation(config, moment, now);
  const fallback = FALLBACK[variant];
  const template = fact.when?.[variant]?.[lang] ?? (fallback && fact.when?.[fallback]?.[lang]) ?? fact.answer[lang];
  const uses = (name: string) => template.includes(`{${name}}`);
  const dayNames = workdayNames(hours.days, locale);
  const h = config.helpdesk;
  let nextOpening: string | undefined;
  if (uses('next_opening')) {
    const { day, time } = describeInstant(nextOpen(from, hours), tz, locale);
    nextOpening = say(config, lang, 'opens_at', { day, time });
  }
  return fill(template, {
    ...helpdeskParams(config, lang),
    reply_time: h.reply_time?.[lang],
    who_may_ask: h.who_may_ask?.[lang],
    open: hours.open,
    close: hours.close,
    first_day: dayNames.list[0],
    last_day: dayNames.list[dayNames.list.length - 1],
    days: dayNames.joined,
    next_opening: nextOpening,
    day: uses('day')
      ? describeDate(instantAt(moment.date ?? localOf(now, tz).date, 12 * 60, tz), tz, locale)
      : undefined,
    time: moment.time ?? undefined,
    close_after_workdays: config.closing.close_after_workdays,
    max_per_unit: config.registry.max_per_unit,
    ticket_example: `${config.ticket_prefix}-000123`,
  });
}

const dayNameCache = new Map<string, { list: string[]; joined: string }>();

/** The names of the helpdesk's workdays in a language, Monday first, and joined as a list. */
function workdayNames(days: readonly string[], locale: string): { list: string[]; joined: string } {
  const key = `${locale}:${days.join(',')}`;
  let names = dayNameCache.get(key);
  if (!names) {
    const format = new Intl.DateTimeFormat(locale, { weekday: 'long', timeZone: 'UTC' });
    // 2026-11-02 is a Monday.
    const list = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']
      .map((d, i) => [d, format.format(new Date(Date.UTC(2026, 10, 2 + i, 12)))] as const)
      .filter(([d]) => days.includes(d))
      .map(([, name]) => name);
    names = { list, joined: new Intl.ListFormat(locale, { type: 'conjunction' }).format(list) };
    dayNameCache.set(key, names);
  }
  return names;
}

/** A situation without its own text is worded like the more general one, then like the `answer`. */
const FALLBACK: Partial<Record<HoursVariant, HoursVariant>> = { today_open: 'day_open', today_closed: 'day_closed' };

/** Which hours situation the message asks about, and from when the next opening is counted. */
function situation(config: Config, moment: Moment, now: Date): { variant: HoursVariant; from: Date } {
  const hours = config.helpdesk.hours;
  const tz = hours.timezone;
  const [openAt, closeAt] = [toMinutes(hours.open), toMinutes(hours.close)];
  const today = localOf(now, tz).date;
  if (moment.date !== null) {
    const start = instantAt(moment.date, openAt, tz);
    const dayOpen = isWorkday(moment.date, hours);
    const isToday = moment.date === today;
    if (!dayOpen) {
      return { variant: isToday ? 'today_closed' : 'day_closed', from: instantAt(moment.date, 23 * 60 + 59, tz) };
    }
    if (moment.minutes !== null) {
      const inHours = moment.minutes >= openAt && moment.minutes < closeAt;
      return { variant: inHours ? 'time_open' : 'time_closed', from: instantAt(moment.date, moment.minutes, tz) };
    }
    if (isToday) {
      const over = localOf(now, tz).minutes >= closeAt;
      return { variant: over ? 'today_closed' : 'today_open', from: now };
    }
    return { variant: 'day_open', from: start };
  }
  if (moment.minutes !== null) {
    const inHours = moment.minutes >= openAt && moment.minutes < closeAt;
    return { variant: inHours ? 'time_open' : 'time_closed', from: instantAt(today, moment.minutes, tz) };
  }
  return { variant: isOpen(now, hours) ? 'now_open' : 'now_closed', from: now };
}
