import type { Config } from '../config/schema.ts';
import { FUNCTION_WORD_SET } from '../text/lang.ts';
import { editDistance, fold, words } from '../text/normalize.ts';
import { findUrls, hostOf } from './patterns.ts';

/** A word position in the original text, with its folded form. */
export interface Token {
  raw: string;
  folded: string;
  start: number;
  end: number;
  /** The word opens the text or a sentence (its capital says nothing). */
  opens: boolean;
}

/** Tokenise keeping positions and original spelling (needed for capitals, names, quotes). */
export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  for (const m of text.matchAll(/[\p{L}\p{N}]+(?:[-'’][\p{L}\p{N}]+)*/gu)) {
    for (const part of m[0].split(/(?<=['’])/u)) {
      const offset = m.index + m[0].indexOf(part);
      const clean = part.replace(/['’]$/u, '');
      if (!clean) continue;
      const before = out.length === 0 ? text.slice(0, offset) : text.slice(out[out.length - 1]!.end, offset);
      const opens = out.length === 0 || /[.!?:\n]/u.test(before);
      out.push({ raw: clean, folded: fold(clean), start: offset, end: offset + clean.length, opens });
    }
  }
  return out;
}

// Words too common in academy names to identify one (matched only as part of a longer phrase).
const GENERIC = new Set(
  words(
    fold(
      'academie academy academies kunstacademie stedelijke gemeentelijke voor muziek woord dans en de het van deeltijds kunstonderwijs kunsthuis dansacademie muziekacademie ka sa dko acad',
    ),
  ),
);

interface Phrase {
  tokens: string[];
  value: string;
  weight: number;
  /** The first word must be capitalised in the text (town names that are also common words). */
  capital?: boolean;
  /**
   * With `capital`: a capital that only opens a sentence does not count ("Mobiliteit en bereikbaarheid
   * wil ik..." is not the site Portaal Mobiliteit); the word must stand inside a sentence, or after a
   * word that announces a place.
   */
  inside?: boolean;
}

function phraseOf(text: string, value: string, weight: number, capital = false): Phrase | null {
  const tokens = tokenize(text).map((t) => t.folded);
  return tokens.length === 0 ? null : { tokens, value, weight, capital };
}

/** Words for a website, beside which a site's name needs no capital. */
const SITE_WORDS = new Set(['site', 'website', 'webstek', 'portaal']);

function matchAt(tokens: Token[], i: number, phrase: Phrase): boolean {
  if (i + phrase.tokens.length > tokens.length) return false;
  for (let k = 0; k < phrase.tokens.length; k++) {
    if (tokens[i + k]!.folded !== phrase.tokens[k]) return false;
  }
  const opening = phrase.inside === true && tokens[i]!.opens;
  if (phrase.capital && (opening || !/^\p{Lu}/u.test(tokens[i]!.raw))) {
    // A town in lower case still counts right after a word that announces a place or an academy; a
    // site's name beside the word site ("de kennisbank site", "de site van statistiek").
    const prev = tokens[i - 1]?.folded ?? '';
    if (['academie', 'academy', 'acad', 'uit', 'te', 'from', 'dko', 'secretariaat', 'site', 'website'].includes(prev))
      return true;
    const next = tokens[i + phrase.tokens.length]?.folded ?? '';
    const linked = ['van', 'de', 'du', 'of'].includes(prev) && SITE_WORDS.has(tokens[i - 2]?.folded ?? '');
    return SITE_WORDS.has(next) || linked;
  }
  return true;
}

/** A hit of a directory phrase in a text. */
export interface Hit {
  value: string;
  start: number;
  weight: number;
}

function scan(tokens: Token[], phrases: Phrase[]): Hit[] {
  const hits: Hit[] = [];
  for (let i = 0; i < tokens.length; i++) {
    for (const p of phrases) {
      if (matchAt(tokens, i, p))
        hits.push({ value: p.value, start: tokens[i]!.start, weight: p.weight * p.tokens.length });
    }
  }
  return hits;
}

/** Blank out URLs and e-mail addresses so their parts (academiehalle.be) are not read as names. */
export function maskLinks(text: string): string {
  // Bounded before the @ (as in patterns.ts): unbounded, a long run of letters took quadratic time.
  let masked = text.replace(/[\p{L}\p{N}._%+-]{1,64}@[\p{L}\p{N}.-]+/gu, (m) => ' '.repeat(m.length));
  for (const url of findUrls(masked)) masked = masked.replace(url, ' '.repeat(url.length));
  return masked;
}

/** Recognises academies by code, name, alias, town, French town name or a small misspelling. */
export class AcademyMatcher {
  private readonly phrases: Phrase[] = [];
  private readonly codes = new Map<string, string>();
  private readonly distinctive = new Map<string, string>();

  constructor(academies: Config['directories']['academies']) {
    const wordOwners = new Map<string, Set<string>>();
    for (const a of academies) {
      this.codes.set(a.code, a.code);
      for (const variant of a.code.includes('-') ? [a.code.replace('-', ' ')] : []) this.codes.set(variant, a.code);
      const names = [a.name, ...a.aliases];
      for (const n of names) {
        const p = phraseOf(n, a.code, 3);
        if (p) this.phrases.push(p);
      }
      for (const town of [a.town, a.town_fr].filter((t): t is string => Boolean(t))) {
        const p = phraseOf(town, a.code, 2, true);
        if (p) this.phrases.push(p);
      }
      for (const n of [...names, a.town, a.town_fr ?? '']) {
        for (const w of words(fold(n))) {
          if (w.length < 6 || GENERIC.has(w)) continue;
          const owners = wordOwners.get(w) ?? new Set<string>();
          owners.add(a.code);
          wordOwners.set(w, owners);
        }
      }
    }
    for (const [w, owners] of wordOwners) {
      if (owners.size === 1) this.distinctive.set(w, [...owners][0]!);
    }
  }

  /** Every academy named in the text, best first (longest phrase, then earliest). */
  hits(text: string): Hit[] {
    const masked = maskLinks(text);
    const tokens = tokenize(masked);
    const hits = scan(tokens, this.phrases);
    for (const m of masked.matchAll(/(?<![\p{L}\p{N}-])[A-Z]{2,5}(?:[- ][A-Z]{2})?(?![\p{L}\p{N}-])/gu)) {
      const code = this.codes.get(m[0]);
      if (code) hits.push({ value: code, start: m.index, weight: 4 });
    }
    if (hits.length === 0) {
      // Misspellings: a capitalised word one edit (two for long words) from a word only one academy has.
      for (const t of tokens) {
        if (t.folded.length < 6 || FUNCTION_WORD_SET.has(t.folded)) continue;
        // Lower case only for long words and one edit: "zonnedouw", not "reiger" for "reizen".
        const capital = /^\p{Lu}/u.test(t.raw);
        if (!capital && t.folded.length < 8) continue;
        for (const [w, code] of this.distinctive) {
          const max = capital && w.length >= 8 ? 2 : 1;
          if (editDistance(t.folded, w, max) <= max) hits.push({ value: code, start: t.start, weight: 1 });
        }
      }
    }
    return hits.sort((a, b) => b.weight - a.weight || a.start - b.start);
  }

  find(text: string): string | null {
    return this.hits(text)[0]?.value ?? null;
  }
}

// Words in site names too common to name one site alone.
const SITE_GENERIC = new Set([
  'portaal',
  'online',
  'nieuws',
  'digitaal',
  'vlaanderen',
  'sociale',
  'open',
  'info',
  'reizen',
  'zaken',
]);

/** Recognises sites by 4-digit id, directory name or URL domain. */
export class SiteMatcher {
  private readonly ids = new Set<string>();
  private readonly phrases: Phrase[] = [];
  private readonly hosts: { host: string; path: string; id: string }[] = [];

  constructor(sites: Config['directories']['sites']) {
    const owners = new Map<string, Set<string>>();
    for (const s of sites) {
      this.ids.add(s.id);
      for (const n of [s.name, ...s.aliases]) {
        const p = phraseOf(n, s.id, 3);
        if (p) this.phrases.push(p);
        for (const w of words(fold(n))) owners.set(w, (owners.get(w) ?? new Set()).add(s.id));
      }
      this.hosts.push({ ...hostOf(s.url), id: s.id });
    }
    // One distinctive, capitalised word of a site's name names it too ("de Kennisbank").
    for (const [w, ids] of owners) {
      if (ids.size === 1 && w.length >= 6 && !SITE_GENERIC.has(w)) {
        this.phrases.push({ tokens: [w], value: [...ids][0]!, weight: 1, capital: true, inside: true });
      }
    }
    // Longest path first, so /particulieren beats the bare host.
    this.hosts.sort((a, b) => b.path.length - a.path.length);
  }

  find(text: string, lenient = false): string | null {
    const hits: Hit[] = [];
    // Four digits on their own: not part of a longer number, a date (12/03/2015) or a time (14:00).
    for (const m of text.matchAll(/(?<!\d|\d[/.:,-])(\d{4})(?!\d|[/.:,-]\d)/g)) {
      const before = fold(text.slice(Math.max(0, m.index - 12), m.index));
      const announced = /\b(site|id|site-id|siteid|website|nr|nummer|numero)\W*$/.test(before);
      if (this.ids.has(m[1]!) || announced || lenient) {
        hits.push({ value: m[1]!, start: m.index, weight: this.ids.has(m[1]!) ? 5 : 4 });
      }
    }
    for (const url of findUrls(text)) {
      const { host, path } = hostOf(url);
      const site = this.hosts.find(
        (h) => (host === h.host || host.endsWith(`.${h.host}`)) && (`${path}/`.startsWith(`${h.path}/`) || !h.path),
      );
      const byHost = site ?? this.hosts.find((h) => host === h.host || host.endsWith(`.${h.host}`));
      if (byHost) hits.push({ value: byHost.id, start: text.indexOf(url), weight: 4 });
    }
    hits.push(...scan(tokenize(maskLinks(text)), this.phrases));
    hits.sort((a, b) => b.weight - a.weight || a.start - b.start);
    return hits[0]?.value ?? null;
  }
}

const TIME_TAILS = /^s?(dag|dagen|week|weken|periode|datum|data|moment|avond|jaar|maand)$/;

interface ScreenWord {
  word: string;
  id: string;
  strong: boolean;
  multi: string[] | null;
}

/** Recognises the screen (module) a message is about, by name or synonym, compounds included. */
export class ScreenMatcher {
  private readonly entries: ScreenWord[] = [];
  /** Single-word names of five letters or more by their last three letters, for the last part of compounds. */
  private readonly heads = new Map<string, ScreenWord[]>();

  /** A screen's own name ("Leerlingen"), taken after a word for a screen ("scherm leerlingen"). */
  private readonly named: ScreenWord[] = [];

  constructor(
    screens: Config['directories']['screens'],
    private readonly screenWords: ReadonlySet<string> = new Set(),
  ) {
    for (const s of screens) {
      const tokens = tokenize(s.name).map((t) => t.folded);
      if (tokens.length > 0) this.named.push({ word: tokens.join(' '), id: s.id, strong: true, multi: tokens });
      for (const [list, strong] of [
        [s.aliases, true],
        [s.weak_aliases, false],
      ] as const) {
        for (const alias of list) {
          const tokens = tokenize(alias).map((t) => t.folded);
          if (tokens.length === 0) continue;
          this.entries.push({ word: tokens.join(' '), id: s.id, strong, multi: tokens.length > 1 ? tokens : null });
        }
      }
    }
    // Longest first: "inschrijvingsgeld" (invoicing) before "inschrijving" (registrations).
    this.entries.sort((a, b) => b.word.length - a.word.length);
    for (const e of this.entries) {
      if (e.multi || e.word.length < 5) continue;
      const end = e.word.slice(-3);
      this.heads.set(end, [...(this.heads.get(end) ?? []), e]);
    }
  }

  /** "Scherm leerlingen", "l'écran des absences", "the Invoicing screen": the screen by its own name. */
  private namedAfterWord(tokens: Token[], i: number): ScreenWord | null {
    const word = (k: number) => this.screenWords.has(tokens[k]?.folded ?? '');
    const linked = ['van', 'de', 'des', 'du', 'd', 'of', 'the', 'het', 'la', 'le', 'les', 'l'].includes(
      tokens[i - 1]?.folded ?? '',
    );
    const at = (e: ScreenWord) => e.multi!.every((m, k) => tokens[i + k]?.folded === m);
    const named = this.named.find(at);
    if (!named) return null;
    const after = i + named.multi!.length;
    return word(i - 1) || (linked && word(i - 2)) || word(after) ? named : null;
  }

  /** "Leerlingenscherm", "facturatiescherm": a screen's name joined to a word for a screen. */
  private namedInCompound(folded: string): ScreenWord | null {
    for (const sw of this.screenWords) {
      if (sw.length < 5 || folded.length <= sw.length || !folded.endsWith(sw)) continue;
      const head = folded.slice(0, -sw.length);
      const found = this.named.find((n) => n.word === head || n.word === `${head}s` || `${n.word}s` === head);
      if (found) return found;
    }
    return null;
  }

  private matchToken(tokens: Token[], i: number): ScreenWord | null {
    const byName = this.namedAfterWord(tokens, i) ?? this.namedInCompound(tokens[i]!.folded);
    if (byName) return byName;
    const t = tokens[i]!;
    // A Dutch compound is named by its last part: an "inschrijvingsattest" is an attest (plural too).
    const w = t.folded;
    // A name said in full, in several words ("rechten van") or one ("klasgroepen"), before the last
    // part of a compound ("groepen").
    const said =
      this.entries.find((e) => e.multi?.every((m, k) => tokens[i + k]?.folded === m)) ??
      this.entries.find((e) => !e.multi && e.word === w);
    if (said) return said;
    if (w.length >= 9) {
      for (const cut of [0, 1, 2]) {
        for (const e of this.heads.get(w.slice(-3 - cut, w.length - cut)) ?? []) {
          const at = w.length - cut - e.word.length;
          if (at < 4 || !w.startsWith(e.word, at)) continue;
          if (cut === 0 || /^(s|en|n|e|es)$/.test(w.slice(at + e.word.length))) return e;
        }
      }
    }
    for (const e of this.entries) {
      if (e.multi) {
        if (e.multi.every((w, k) => tokens[i + k]?.folded === w)) return e;
        continue;
      }
      if (t.folded === e.word) return e;
      if (!t.folded.startsWith(e.word)) continue;
      const rest = t.folded.slice(e.word.length);
      // Plurals and compounds (rapportmodule, evaluatiescherm), not look-alikes (print -> printer) nor
      // moments named after the module (inschrijvingsdag, inschrijvingsweek).
      if (/^(s|en|n|e|es|x)$/.test(rest)) return e;
      if (rest.length >= 4 && e.word.length >= 5 && !TIME_TAILS.test(rest)) return e;
    }
    return null;
  }

  /**
   * The screen the text is about: the first sentence that names one decides (the request comes first;
   * "des évaluations sont déjà encodées" after it is the reason), its first strong name, else its first
   * weak one; null when none.
   */
  find(text: string): string | null {
    const tokens = tokenize(maskLinks(text));
    let weak: string | null = null;
    for (let i = 0; i < tokens.length; i++) {
      if (tokens[i]!.opens && weak !== null) return weak;
      const e = this.matchToken(tokens, i);
      if (!e) continue;
      if (e.strong) return e.id;
      // "lokaal 12" names a room, not the rooms screen.
      const next = tokens[i + 1]?.raw ?? '';
      if (weak === null && !/^\d/.test(next)) weak = e.id;
    }
    return weak;
  }

  /** Lenient reading of a direct answer to "which screen": also a near miss of a name. */
  findLenient(text: string): string | null {
    const direct = this.find(text);
    if (direct) return direct;
    const folded = fold(text).trim();
    for (const e of this.entries) {
      if (e.word.length >= 5 && editDistance(folded, e.word, 2) <= 2) return e.id;
    }
    return null;
  }
}
