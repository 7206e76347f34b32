// What the bot understands of short answers and whole intents, from the language packs in config
// (`answers:`). Every list is data; the matching rules here are the only code. People answer in their
// own language whatever language the bot speaks, so every recognizer reads all three languages.
import type { Config, InScopeLabel, Lang } from '../config/schema.ts';
import { IN_SCOPE_LABELS } from '../config/schema.ts';
import { fold, words } from '../text/normalize.ts';

type Phrases = Record<Lang, string[]>;
/** Words that turn thanks into a report ("bedankt, maar het werkt nog altijd niet"). */
const BUT = new Set(['maar', 'mais', 'but', 'however', 'toch', 'alleen', 'pourtant', 'cependant', 'still', 'nog']);
/** Words around a number picked from a menu ("optie 2", "le numéro deux", "de derde"). */
const MENU_WORDS = new Set(['optie', 'keuze', 'nummer', 'nr', 'option', 'choix', 'numero', 'choice', 'number', 'no']);
const LANGS: readonly Lang[] = ['nl', 'fr', 'en'];

/** A phrase as the sequence of its folded words. */
type Tokens = readonly string[];
/** A word as `words` reads it (core/text/normalize.ts). */
const WORD = /[\p{L}\p{N}]+/gu;

function tokenize(text: string): string[] {
  return words(fold(text));
}

/** Every language's phrases as token sequences, longest first (so "geen idee" is taken before "geen"). */
function compile(lists: Phrases | undefined): Tokens[] {
  if (!lists) return [];
  const all = LANGS.flatMap((l) => lists[l] ?? []).map(tokenize);
  return all.filter((p) => p.length > 0).sort((a, b) => b.length - a.length);
}

function startsAt(tokens: Tokens, phrase: Tokens, i: number): boolean {
  if (i + phrase.length > tokens.length) return false;
  for (let k = 0; k < phrase.length; k++) if (tokens[i + k] !== phrase[k]) return false;
  return true;
}

/** Index of the first occurrence of `phrase` in `tokens`, or -1. */
function indexOf(tokens: Tokens, phrase: Tokens, from = 0): number {
  for (let i = from; i + phrase.length <= tokens.length; i++) if (startsAt(tokens, phrase, i)) return i;
  return -1;
}

/**
 * Whether the answer is wholly made of these phrases plus filler words ("dat lukt niet" = filler "dat" +
 * "lukt niet"; "Geen rechten voor deze actie" is not "geen": other words are left over).
 */
function covers(tokens: Tokens, phrases: Tokens[], filler: ReadonlySet<string>): boolean {
  if (tokens.length === 0) return false;
  let found = false;
  let i = 0;
  while (i < tokens.length) {
    const phrase = phrases.find((p) => startsAt(tokens, p, i));
    if (phrase) {
      found = true;
      i += phrase.length;
    } else if (filler.has(tokens[i]!)) {
      i++;
    } else {
      return false;
    }
  }
  return found;
}

export type YesNo = 'yes' | 'no';

/** The recognizers of one configuration. */
export interface LanguageKit {
  /** A yes or a no: the answer starts with one ("nee, dat helpt niet") or is one ("ja hoor"). */
  yesNo(text: string): YesNo | null;
  /** "Weet ik niet", "heb ik niet", "liever niet", "je n'en ai pas", "nope": the detail cannot be given. */
  declines(text: string): boolean;
  /** How many words of a text are not filler ("ik heb een probleem": one). */
  contentWords(text: string): number;
  /** The answer speaks of a screenshot ("ik stuur zo een screenshot"). */
  mentionsScreenshot(text: string): boolean;
  /** The answer says there is no error message ("geen foutmelding, het toont gewoon twee keer..."). */
  noError(text: string): boolean;
  /** The whole message is thanks or an acknowledgement ("Dank u wel!", "ok", "merci, top"). */
  thanks(text: string): boolean;
  /** The whole message is a greeting ("Goedemorgen", "bonjour !"). */
  greetingOnly(text: string): boolean;
  /** The text without a greeting at its start and a sign-off at its end. */
  withoutCourtesies(text: string): string;
  /** The person asks to talk to a person (not merely mentioning a colleague or "human resources"). */
  asksForPerson(text: string): boolean;
  /** "Kan ik Sandra spreken?": the colleague's name, and the rest of the message. */
  namedColleague(text: string): { name: string; rest: string } | null;
  /** "Stop", "laat maar", "annuleer": the whole message cancels. */
  cancels(text: string): boolean;
  /** The message asks where a ticket stands ("status?", "nog nieuws?", "où en est HD-000123 ?"). */
  asksStatus(text: string): boolean;
  /** "It is not hardware after all": a phrase that overrides a refusal. */
  notOutOfScope(text: string): boolean;
  /** A kind of request picked from the menu: a number, a number word, the choice's wording, a kind word. */
  label(text: string, choiceLabels: Record<InScopeLabel, string[]>): InScopeLabel | null;
  /** Numbered items that are the steps of one problem ("1. Open de fiche 2. Klik op bewaren 3. Fout 500"). */
  areSteps(items: string[]): boolean;
  /** One of a list of typed commands (send, edit, join, separate), as the whole answer. */
  says(text: string, command: 'send' | 'edit' | 'join' | 'separate'): boolean;
  /** "Ik vergat te zeggen...", "hier is de screenshot" at the start: more for the ticket just filed. */
  addsToTicket(text: string): boolean;
  /** "Ik stuur zo een screenshot": a file announced for later. */
  announcesFile(text: string): boolean;
  /** "Nog iets anders: ..." at the start of an answer: the rest is another subject (null when not). */
  newSubject(text: string): string | null;
}

export function buildLanguage(config: Config): LanguageKit {
  const a = config.answers;
  const filler = new Set(compile(a.filler).flat());
  const yes = compile(a.yes);
  const no = compile(a.no);
  const declined = compile({
    nl: [...a.dont_know.nl, ...a.cannot.nl],
    fr: [...a.dont_know.fr, ...a.cannot.fr],
    en: [...a.dont_know.en, ...a.cannot.en],
  });
  const thanks = compile(a.thanks);
  const thanksFor = compile(a.thanks_for);
  const noError = compile(a.no_error);
  const vague = new Set(compile(a.vague).flat());
  const screenshotWords = compile(a.screenshot_words);
  const greetings = compile(a.greetings);
  const signoffs = compile(a.signoffs);
  const courtesy = [...thanks, ...greetings, ...signoffs];
  const person = compile(a.human);
  const personAlone = compile(a.human_alone);
  const negations = new Set(compile(a.negations).flat());
  const cancel = compile(a.cancel);
  const status = compile(a.status);
  const override = compile(a.not_out_of_scope);
  const commands = {
    send: compile(a.send),
    edit: compile(a.edit),
    join: compile(a.join),
    separate: compile(a.separate),
  };
  const neverNames = new Set(compile(a.never_names).flat());
  const named = LANGS.flatMap((l) => a.named_agent[l] ?? []).map(templatePattern);
  const numberWords = a.number_words;
  const stepCues = compile(a.step_cues);
  const none = { nl: [], fr: [], en: [] };
  const addendum = compile(a.addendum ?? none);
  const announce = compile(a.announce_file ?? none);
  const another = compile(a.new_subject ?? none);

  /** Where a phrase starts the text, after at most two filler words ("o ja, ik vergat..."). */
  function opensWith(tokens: Tokens, phrases: Tokens[]): Tokens | null {
    for (let at = 0; at <= 2; at++) {
      const hit = phrases.find((p) => startsAt(tokens, p, at));
      if (hit) return tokens.slice(at + hit.length);
      if (!filler.has(tokens[at] ?? '')) return null;
    }
    return null;
  }

  function yesNo(text: string): YesNo | null {
    const tokens = tokenize(text);
    if (tokens.length === 0) return null;
    const lead = (phrases: Tokens[]) => phrases.some((p) => startsAt(tokens, p, 0));
    // "Nee" before "ja": "neen" / "nee hoor" start with no; a bare yes-word never starts a no.
    if (lead(no) || covers(tokens, no, filler)) return 'no';
    if (lead(yes) || covers(tokens, yes, filler)) return 'yes';
    return null;
  }

  function declines(text: string): boolean {
    const raw = text.trim();
    if (/^[-–—.?]+$/u.test(raw)) return true;
    return covers(tokenize(raw), declined, filler);
  }

  function onlyCourtesy(text: string, phrases: Tokens[]): boolean {
    const tokens = tokenize(text);
    return covers(tokens, phrases, filler) && tokens.length <= 12;
  }

  /** "Bedankt voor de snelle hulp gisteren!": short, no question, no "maar" turning it into a report. */
  function thanksForSomething(text: string): boolean {
    const tokens = tokenize(text);
    if (tokens.length > 10 || text.includes('?')) return false;
    if (tokens.some((w) => BUT.has(w))) return false;
    return thanksFor.some((p) => startsAt(tokens, p, 0));
  }

  function withoutCourtesies(text: string): string {
    let rest = text.trim();
    for (let changed = true; changed; ) {
      changed = false;
      const first = /^([^\n.!?,:;]{1,40})([\n.!?,:;]+|\s*$)\s*/u.exec(rest);
      if (first?.[1] && rest.length > first[0].length && covers(tokenize(first[1]), courtesy, filler)) {
        rest = rest.slice(first[0].length);
        changed = true;
      }
    }
    // A sign-off line or sentence at the end ("Groetjes, Els", "Merci d'avance").
    const lines = rest.split(/\n+/);
    while (lines.length > 1) {
      const last = lines[lines.length - 1]!;
      const tokens = tokenize(last);
      const first = tokens[0] ?? '';
      if (tokens.length <= 6 && signoffs.some((p) => p[0] === first)) lines.pop();
      else break;
    }
    return lines.join('\n').trim();
  }

  function negated(tokens: Tokens, at: number): boolean {
    for (let i = Math.max(0, at - 4); i < at; i++) if (negations.has(tokens[i]!)) return true;
    return false;
  }

  function asksForPerson(text: string): boolean {
    const tokens = tokenize(text);
    if (tokens.length <= 4 && covers(tokens, [...personAlone, ...person], filler)) return true;
    for (const phrase of person) {
      for (let i = indexOf(tokens, phrase); i >= 0; i = indexOf(tokens, phrase, i + 1)) {
        if (!negated(tokens, i)) return true;
      }
    }
    return false;
  }

  function namedColleague(text: string): { name: string; rest: string } | null {
    for (const pattern of named) {
      const m = pattern.exec(text);
      const name = m?.groups?.name;
      if (!m || !name) continue;
      if (tokenize(name).some((w) => neverNames.has(w))) continue;
      const rest = `${text.slice(0, m.index)} ${text.slice(m.index + m[0].length)}`.replace(/^[\s?!.,;:]+/u, '').trim();
      return { name, rest };
    }
    return null;
  }

  function asksStatus(text: string): boolean {
    const tokens = tokenize(text);
    // A status question is short: a longer message that names a status word tells a new story.
    if (tokens.length > 12) return false;
    return status.some((p) => indexOf(tokens, p) >= 0);
  }

  function label(text: string, choiceLabels: Record<InScopeLabel, string[]>): InScopeLabel | null {
    const folded = fold(text).trim();
    const tokens = tokenize(text);
    if ((IN_SCOPE_LABELS as readonly string[]).includes(folded)) return folded as InScopeLabel;
    const digit = /^\s*([1-4])\b/.exec(folded);
    if (digit) return IN_SCOPE_LABELS[Number(digit[1]) - 1] ?? null;
    // A number word alone ("deux", "de derde"): with other words around it, "een" is an article.
    const bareNumber = tokens.filter((w) => !filler.has(w) && !MENU_WORDS.has(w));
    for (const [i, word] of numberWords.entries()) {
      const set = new Set(word.map((w) => fold(w)));
      if (bareNumber.length === 1 && set.has(bareNumber[0]!)) return IN_SCOPE_LABELS[i] ?? null;
    }
    for (const kind of IN_SCOPE_LABELS) {
      for (const wording of choiceLabels[kind]) {
        const w = fold(wording)
          .replace(/[^\p{L}\p{N} ]/gu, ' ')
          .replace(/\s+/g, ' ')
          .trim();
        const f = folded
          .replace(/[^\p{L}\p{N} ]/gu, ' ')
          .replace(/\s+/g, ' ')
          .trim();
        if (f.length >= 4 && (w === f || w.startsWith(f) || f.startsWith(w))) return kind;
      }
    }
    for (const kind of IN_SCOPE_LABELS) {
      const phrases = compile({ nl: a.label_words[kind], fr: [], en: [] });
      if (phrases.some((p) => indexOf(tokens, p) >= 0)) return kind;
    }
    return null;
  }

  return {
    yesNo,
    declines,
    contentWords: (text) => tokenize(text).filter((w) => !filler.has(w) && !vague.has(w)).length,
    mentionsScreenshot: (text) => {
      const tokens = tokenize(text);
      return screenshotWords.some((p) => indexOf(tokens, p) >= 0);
    },
    noError: (text) => {
      const tokens = tokenize(text);
      // At the start, after at most a "nee" or "non": "Nee, geen foutmelding; het blijft gewoon laden".
      return noError.some(
        (p) => startsAt(tokens, p, 0) || (no.some((n) => startsAt(tokens, n, 0)) && startsAt(tokens, p, 1)),
      );
    },
    thanks: (text) => onlyCourtesy(text, [...thanks, ...signoffs]) || thanksForSomething(text),
    greetingOnly: (text) => onlyCourtesy(text, greetings),
    withoutCourtesies,
    asksForPerson,
    namedColleague,
    cancels: (text) => covers(tokenize(text), cancel, filler),
    asksStatus,
    notOutOfScope: (text) => override.some((p) => indexOf(tokenize(text), p) >= 0),
    label,
    areSteps: (items) =>
      items.length >= 2 &&
      items.filter((item) => stepCues.some((cue) => startsAt(tokenize(item), cue, 0))).length * 2 >= items.length + 1,
    says: (text, command) => covers(tokenize(text), commands[command], filler),
    addsToTicket: (text) => opensWith(tokenize(text), addendum) !== null,
    newSubject: (text) => {
      const rest = opensWith(tokenize(text), another);
      if (!rest || rest.length < 3) return null;
      // The rest in the person's own words: past the phrase's words and the punctuation after them
      // (folding keeps the length of Latin text, so word positions carry over).
      const all = tokenize(text).length;
      const ends = [...fold(text).matchAll(WORD)].map((m) => m.index + m[0].length);
      const cut = ends[all - rest.length - 1] ?? 0;
      return text.slice(cut).replace(/^[\s,;:.!?-]+/u, '');
    },
    announcesFile: (text) => {
      const tokens = tokenize(text);
      return tokens.length <= 12 && announce.some((p) => indexOf(tokens, p) >= 0);
    },
  };
}

/**
 * A named-agent template ("kan ik {name} spreken") as a pattern on the original text: the name is one or
 * two capitalised words; the rest of the template matches case- and accent-insensitively enough.
 */
function templatePattern(template: string): RegExp {
  const [before = '', after = ''] = template.split('{name}');
  const part = (s: string) =>
    s
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map((w) => Array.from(w).map(caseless).join(''))
      .join('\\s+');
  const name = "(?<name>\\p{Lu}[\\p{Ll}'-]+(?:\\s+\\p{Lu}[\\p{Ll}'-]+)?)";
  const b = part(before);
  const c = part(after);
  const source = `(?<![\\p{L}])${b ? `${b}\\s+` : ''}${name}${c ? `\\s+${c}` : ''}(?![\\p{L}])`;
  return new RegExp(source, 'u');
}

/** One character of a template as a pattern that takes either case (an apostrophe: either kind). */
function caseless(c: string): string {
  if (c === "'" || c === '’') return "['’]";
  const lower = c.toLowerCase();
  const upper = c.toUpperCase();
  if (lower !== upper) return `[${lower}${upper}]`;
  return c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
