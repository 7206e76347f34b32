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
type Command = 'send' | 'edit' | 'join' | 'separate';

/** The recognizers of one configuration. */
export interface LanguageKit {
  /** A yes or a no: the answer starts with one ("nee, dat helpt niet") or is one ("ja hoor"). */
  yesNo(text: string): YesNo | null;
  /** "Laat maar, het is al opgelost": the problem went away (a statement, not "is het al opgelost?"). */
  solved(text: string): boolean;
  /** "Geen screenshot", "no screenshot" anywhere in the text. */
  noScreenshot(text: string): boolean;
  /** A plain "nee" / "non" / "no" (not "fout" or "klopt niet", which may open an error text). */
  plainNo(text: string): boolean;
  /** "Weet ik niet", "heb ik niet", "liever niet", "je n'en ai pas", "nope": the detail cannot be given. */
  declines(text: string): boolean;
  /** How many words of a text are not filler ("ik heb een probleem": one), nor words of `besides`. */
  contentWords(text: string, besides?: readonly string[]): number;
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
  asksStatus(text: string, numbered?: boolean): boolean;
  /** "It is not hardware after all": a phrase that overrides a refusal. */
  notOutOfScope(text: string): boolean;
  /** A kind of request picked from the menu: a number, a number word, the choice's wording, a kind word. */
  label(text: string, choiceLabels: Record<InScopeLabel, string[]>): InScopeLabel | null;
  /** Numbered items that are the steps of one problem ("1. Open de fiche 2. Klik op bewaren 3. Fout 500"). */
  areSteps(items: string[]): boolean;
  /** One of a list of typed commands (send, edit, join, separate), as the whole answer. */
  says(text: string, command: Command): boolean;
  /** "Ik vergat te zeggen...", "hier is de screenshot" at the start: more for the ticket just filed. */
  addsToTicket(text: string): boolean;
  /** "Ik stuur zo een screenshot": a file announced for later. */
  announcesFile(text: string): boolean;
  /** "Nog iets anders: ..." at the start of an answer: the rest is another subject (null when not). */
  newSubject(text: string): string | null;
  /** "Ik heb een vraag over de rapporten": the one kind of request the message names (null: none or several). */
  namesKind(text: string): InScopeLabel | null;
  /** "Zie hierboven", "dat heb ik al gezegd": the whole answer points at what was said before. */
  seeAbove(text: string): boolean;
  /**
   * "Sorry, het is niet Ieper maar Lier": the text without its wrong values ("sorry, het is, Lier"), or
   * null when it corrects nothing (no cue, no wrong value named).
   */
  correction(text: string): string | null;
  /** "Ze heet eigenlijk ...", "her name is ...": a name is given for someone named before. */
  renames(text: string): boolean;
}

export function buildLanguage(config: Config): LanguageKit {
  const lex = compileLexicon(config.answers);
  return {
    yesNo: (text) => yesNo(lex, text),
    noScreenshot: (text) => mentions(tokenize(text), lex.noScreenshot),
    solved: (text) => !text.includes('?') && solved(lex, text),
    plainNo: (text) => yesNo({ ...lex, no: lex.plainNo }, text) === 'no',
    declines: (text) => declines(lex, text),
    contentWords: (text, besides = []) => {
      const known = new Set(besides.flatMap(tokenize));
      return tokenize(text).filter((w) => !lex.filler.has(w) && !lex.vague.has(w) && !known.has(w)).length;
    },
    mentionsScreenshot: (text) => mentions(tokenize(text), lex.screenshotWords),
    noError: (text) => noError(lex, text),
    thanks: (text) => onlyCourtesy(lex, text, [...lex.thanks, ...lex.signoffs]) || thanksForSomething(lex, text),
    greetingOnly: (text) => onlyCourtesy(lex, text, lex.greetings),
    withoutCourtesies: (text) => withoutSignoff(lex, withoutGreeting(lex, text.trim())),
    asksForPerson: (text) => asksForPerson(lex, text),
    namedColleague: (text) => namedColleague(lex, text),
    cancels: (text) => covers(tokenize(text), lex.cancel, lex.filler),
    asksStatus: (text, numbered = false) => asksStatus(lex, text, numbered),
    notOutOfScope: (text) => mentions(tokenize(text), lex.override),
    label: (text, choiceLabels) => label(lex, text, choiceLabels),
    areSteps: (items) => areSteps(lex, items),
    says: (text, command) => covers(tokenize(text), lex.commands[command], lex.filler),
    addsToTicket: (text) => opensWith(lex, tokenize(text), lex.addendum) !== null,
    newSubject: (text) => newSubject(lex, text),
    seeAbove: (text) => covers(tokenize(text), lex.seeAbove, lex.filler),
    correction: (text) => correction(lex, text),
    renames: (text) => mentions(tokenize(text), lex.correction.renamed),
    namesKind: (text) => {
      const tokens = tokenize(text);
      const named = IN_SCOPE_LABELS.filter((kind) => mentions(tokens, lex.kindNamed[kind]));
      return named.length === 1 ? named[0]! : null;
    },
    announcesFile: (text) => {
      const tokens = tokenize(text);
      return tokens.length <= 12 && mentions(tokens, lex.announce);
    },
  };
}

type Answers = Config['answers'];

/** Every list of `answers:` compiled once, for the recognizers below. */
interface Lexicon {
  filler: ReadonlySet<string>;
  yes: Tokens[];
  no: Tokens[];
  noScreenshot: Tokens[];
  solved: Tokens[];
  /** The plain no-words alone (without `wrong`). */
  plainNo: Tokens[];
  /** "Weet ik niet" and "heb ik niet": the detail cannot be given. */
  declined: Tokens[];
  thanks: Tokens[];
  thanksFor: Tokens[];
  noError: Tokens[];
  vague: ReadonlySet<string>;
  screenshotWords: Tokens[];
  greetings: Tokens[];
  signoffs: Tokens[];
  /** Thanks, greetings and sign-offs: what `withoutCourtesies` strips at the start. */
  courtesy: Tokens[];
  person: Tokens[];
  personAlone: Tokens[];
  negations: ReadonlySet<string>;
  cancel: Tokens[];
  status: Tokens[];
  override: Tokens[];
  commands: Record<Command, Tokens[]>;
  neverNames: ReadonlySet<string>;
  named: RegExp[];
  numberWords: Answers['number_words'];
  labelWords: Record<InScopeLabel, Tokens[]>;
  stepCues: Tokens[];
  addendum: Tokens[];
  announce: Tokens[];
  another: Tokens[];
  kindNamed: Record<InScopeLabel, Tokens[]>;
  seeAbove: Tokens[];
  correction: { cues: Tokens[]; wrong: Tokens[]; contrast: ReadonlySet<string>; renamed: Tokens[] };
}

function compileLexicon(a: Answers): Lexicon {
  const none = { nl: [], fr: [], en: [] };
  const [thanks, greetings, signoffs] = [compile(a.thanks), compile(a.greetings), compile(a.signoffs)];
  return {
    filler: new Set(compile(a.filler).flat()),
    yes: compile(a.yes),
    no: [...compile(a.no), ...compile(a.wrong)].sort((x, y) => y.length - x.length),
    plainNo: compile(a.no),
    noScreenshot: compile(a.no_screenshot),
    solved: compile(a.solved),
    declined: compile({
      nl: [...a.dont_know.nl, ...a.cannot.nl],
      fr: [...a.dont_know.fr, ...a.cannot.fr],
      en: [...a.dont_know.en, ...a.cannot.en],
    }),
    thanks,
    thanksFor: compile(a.thanks_for),
    noError: compile(a.no_error),
    vague: new Set(compile(a.vague).flat()),
    screenshotWords: compile(a.screenshot_words),
    greetings,
    signoffs,
    courtesy: [...thanks, ...greetings, ...signoffs],
    person: compile(a.human),
    personAlone: compile(a.human_alone),
    negations: new Set(compile(a.negations).flat()),
    cancel: compile(a.cancel),
    status: compile(a.status),
    override: compile(a.not_out_of_scope),
    commands: { send: compile(a.send), edit: compile(a.edit), join: compile(a.join), separate: compile(a.separate) },
    neverNames: new Set(compile(a.never_names).flat()),
    named: LANGS.flatMap((l) => a.named_agent[l] ?? []).map(templatePattern),
    numberWords: a.number_words,
    labelWords: Object.fromEntries(
      IN_SCOPE_LABELS.map((kind) => [kind, compile({ nl: a.label_words[kind], fr: [], en: [] })]),
    ) as Record<InScopeLabel, Tokens[]>,
    stepCues: compile(a.step_cues),
    addendum: compile(a.addendum ?? none),
    announce: compile(a.announce_file ?? none),
    another: compile(a.new_subject ?? none),
    seeAbove: compile(a.see_above ?? none),
    correction: {
      cues: compile(a.correction?.cues),
      wrong: compile(a.correction?.wrong),
      contrast: new Set(compile(a.correction?.contrast).flat()),
      renamed: compile(a.correction?.renamed),
    },
    kindNamed: Object.fromEntries(
      IN_SCOPE_LABELS.map((kind) => [kind, compile(a.kind_named?.[kind] ?? none)]),
    ) as Record<InScopeLabel, Tokens[]>,
  };
}

/** One of the phrases occurs anywhere in the text. */
function mentions(tokens: Tokens, phrases: Tokens[]): boolean {
  return phrases.some((p) => indexOf(tokens, p) >= 0);
}

/** Where a phrase starts the text, after at most two filler words ("o ja, ik vergat..."). */
function opensWith(lex: Lexicon, tokens: Tokens, phrases: Tokens[]): Tokens | null {
  for (let at = 0; at <= 2; at++) {
    const hit = phrases.find((p) => startsAt(tokens, p, at));
    if (hit) return tokens.slice(at + hit.length);
    if (!lex.filler.has(tokens[at] ?? '')) return null;
  }
  return null;
}

function yesNo(lex: Lexicon, text: string): YesNo | null {
  const tokens = tokenize(text);
  if (tokens.length === 0) return null;
  const lead = (phrases: Tokens[]) => phrases.some((p) => startsAt(tokens, p, 0));
  // "Nee" before "ja": "neen" / "nee hoor" start with no; a bare yes-word never starts a no.
  if (lead(lex.no) || covers(tokens, lex.no, lex.filler)) return 'no';
  if (lead(lex.yes) || covers(tokens, lex.yes, lex.filler)) return 'yes';
  return null;
}

function declines(lex: Lexicon, text: string): boolean {
  const raw = text.trim();
  if (/^[-–—.?]+$/u.test(raw)) return true;
  return covers(tokenize(raw), lex.declined, lex.filler);
}

function noError(lex: Lexicon, text: string): boolean {
  const tokens = tokenize(text);
  // At the start, after at most a "nee" or "non": "Nee, geen foutmelding; het blijft gewoon laden".
  const afterNo = lex.no.some((n) => startsAt(tokens, n, 0));
  return lex.noError.some((p) => startsAt(tokens, p, 0) || (afterNo && startsAt(tokens, p, 1)));
}

function onlyCourtesy(lex: Lexicon, text: string, phrases: Tokens[]): boolean {
  const tokens = tokenize(text);
  return covers(tokens, phrases, lex.filler) && tokens.length <= 12;
}

/** "Bedankt voor de snelle hulp gisteren!": short, no question, no "maar" turning it into a report. */
function thanksForSomething(lex: Lexicon, text: string): boolean {
  const tokens = tokenize(text);
  if (tokens.length > 16 || text.includes('?')) return false;
  if (tokens.some((w) => BUT.has(w))) return false;
  if (tokens.length <= 10 && lex.thanksFor.some((p) => startsAt(tokens, p, 0))) return true;
  // "De rapporten zijn goed afgedrukt, bedankt voor de snelle hulp": good news, then thanks; never with
  // a negation ("niet afgedrukt") or without the good news ("de export is leeg, bedankt voor het kijken").
  const clauses = text
    .split(/[,.;!]+/u)
    .map(tokenize)
    .filter((c) => c.length > 0);
  const last = clauses.at(-1) ?? [];
  const news = clauses.slice(0, -1).flat();
  if (!lex.thanksFor.some((p) => startsAt(last, p, 0)) || news.some((w) => lex.negations.has(w))) return false;
  return mentions(news, [...lex.thanks, ...lex.solved]);
}

/** The text without the greetings and thanks that open it ("Hallo, dank je. Mijn scherm..."). */
function withoutGreeting(lex: Lexicon, text: string): string {
  let rest = text;
  for (let changed = true; changed; ) {
    changed = false;
    const first = /^([^\n.!?,:;]{1,40})([\n.!?,:;]+|\s*$)\s*/u.exec(rest);
    if (first?.[1] && rest.length > first[0].length && covers(tokenize(first[1]), lex.courtesy, lex.filler)) {
      rest = rest.slice(first[0].length);
      changed = true;
    }
  }
  return rest;
}

/** The text without a sign-off line or sentence at its end ("Groetjes, Els", "Merci d'avance"). */
function withoutSignoff(lex: Lexicon, text: string): string {
  const lines = text.split(/\n+/);
  while (lines.length > 1) {
    const tokens = tokenize(lines[lines.length - 1]!);
    const first = tokens[0] ?? '';
    if (tokens.length <= 6 && lex.signoffs.some((p) => p[0] === first)) lines.pop();
    else break;
  }
  return lines.join('\n').trim();
}

/** The text's clauses without their wrong values, or null when the text corrects nothing. */
function correction(lex: Lexicon, text: string): string | null {
  const { cues, wrong, contrast } = lex.correction;
  let named = false;
  const kept = clauses(text, contrast).map((clause) => {
    const found = clause.words.findIndex((_, i) => wrong.some((p) => startsAt(clause.folded, p, i)));
    if (found < 0) return clause.raw.trim();
    named = true;
    return clause.raw.slice(0, clause.words[found]!.index).trim();
  });
  if (!named && !mentions(tokenize(text), cues)) return null;
  return kept.filter(Boolean).join(', ');
}

/** A text's clauses (between punctuation and contrast words), each with its words and their places. */
function clauses(
  text: string,
  contrast: ReadonlySet<string>,
): { raw: string; words: RegExpMatchArray[]; folded: string[] }[] {
  const out: { raw: string; words: RegExpMatchArray[]; folded: string[] }[] = [];
  for (const part of text.split(/[,;.!?\n]+/u)) {
    let words: RegExpMatchArray[] = [];
    let start = 0;
    const flush = (end: number) => {
      const raw = part.slice(start, end);
      const offset = start;
      const local = words.map((w) => Object.assign([...w], { index: w.index! - offset }) as RegExpMatchArray);
      if (raw.trim()) out.push({ raw, words: local, folded: local.map((w) => fold(w[0])) });
      words = [];
    };
    for (const w of part.matchAll(WORD)) {
      if (contrast.has(fold(w[0]))) {
        flush(w.index);
        start = w.index + w[0].length;
      } else words.push(w);
    }
    flush(part.length);
  }
  return out;
}

function negated(lex: Lexicon, tokens: Tokens, at: number): boolean {
  for (let i = Math.max(0, at - 4); i < at; i++) if (lex.negations.has(tokens[i]!)) return true;
  return false;
}

/** A "solved" phrase with no negation just before or right after it ("werkt weer niet", "nog niet opgelost"). */
function solved(lex: Lexicon, text: string): boolean {
  const tokens = tokenize(text);
  return lex.solved.some((phrase) => {
    for (let i = indexOf(tokens, phrase); i >= 0; i = indexOf(tokens, phrase, i + 1)) {
      const near = [...tokens.slice(Math.max(0, i - 1), i), ...tokens.slice(i + phrase.length, i + phrase.length + 2)];
      if (!near.some((w) => lex.negations.has(w))) return true;
    }
    return false;
  });
}

function asksForPerson(lex: Lexicon, text: string): boolean {
  const tokens = tokenize(text);
  if (tokens.length <= 4 && covers(tokens, [...lex.personAlone, ...lex.person], lex.filler)) return true;
  for (const phrase of lex.person) {
    for (let i = indexOf(tokens, phrase); i >= 0; i = indexOf(tokens, phrase, i + 1)) {
      if (!negated(lex, tokens, i)) return true;
    }
  }
  return false;
}

function namedColleague(lex: Lexicon, text: string): { name: string; rest: string } | null {
  for (const pattern of lex.named) {
    const m = pattern.exec(text);
    const name = m?.groups?.name;
    if (!m || !name) continue;
    if (tokenize(name).some((w) => lex.neverNames.has(w))) continue;
    const rest = `${text.slice(0, m.index)} ${text.slice(m.index + m[0].length)}`.replace(/^[\s?!.,;:]+/u, '').trim();
    return { name, rest };
  }
  return null;
}

function asksStatus(lex: Lexicon, text: string, numbered: boolean): boolean {
  const tokens = tokenize(text);
  // A status question is short: a longer message that names a status word tells a new story; with a
  // ticket number it may say more ("Ik heb vorige week HD-004512 ingediend, is daar al iets mee gebeurd?").
  if (tokens.length > (numbered ? 24 : 12)) return false;
  return mentions(tokens, lex.status);
}

function label(lex: Lexicon, text: string, choiceLabels: Record<InScopeLabel, string[]>): InScopeLabel | null {
  const folded = fold(text).trim();
  if ((IN_SCOPE_LABELS as readonly string[]).includes(folded)) return folded as InScopeLabel;
  const tokens = tokenize(text);
  return (
    labelByNumber(lex, folded, tokens) ??
    labelByWording(folded, choiceLabels) ??
    IN_SCOPE_LABELS.find((kind) => mentions(tokens, lex.labelWords[kind])) ??
    null
  );
}

/** "2", "optie 2", "deux", "de derde": the menu's choice by its number. */
function labelByNumber(lex: Lexicon, folded: string, tokens: Tokens): InScopeLabel | null {
  const digit = /^\s*([1-4])\b/.exec(folded);
  if (digit) return IN_SCOPE_LABELS[Number(digit[1]) - 1] ?? null;
  // A number word alone ("deux", "de derde"): with other words around it, "een" is an article.
  const bareNumber = tokens.filter((w) => !lex.filler.has(w) && !MENU_WORDS.has(w));
  if (bareNumber.length !== 1) return null;
  for (const [i, word] of lex.numberWords.entries()) {
    if (word.some((w) => fold(w) === bareNumber[0])) return IN_SCOPE_LABELS[i] ?? null;
  }
  return null;
}

/** The menu's choice by its wording, whole or begun ("Een probleem mel"). */
function labelByWording(folded: string, choiceLabels: Record<InScopeLabel, string[]>): InScopeLabel | null {
  const f = lettersAndDigits(folded);
  if (f.length < 4) return null;
  for (const kind of IN_SCOPE_LABELS) {
    for (const wording of choiceLabels[kind]) {
      const w = lettersAndDigits(fold(wording));
      if (w === f || w.startsWith(f) || f.startsWith(w)) return kind;
    }
  }
  return null;
}

function lettersAndDigits(folded: string): string {
  return folded
    .replace(/[^\p{L}\p{N} ]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

function areSteps(lex: Lexicon, items: string[]): boolean {
  if (items.length < 2) return false;
  const steps = items.filter((item) => lex.stepCues.some((cue) => startsAt(tokenize(item), cue, 0))).length;
  return steps * 2 >= items.length + 1;
}

function newSubject(lex: Lexicon, text: string): string | null {
  const rest = opensWith(lex, tokenize(text), lex.another);
  if (!rest || rest.length < 3) return null;
  // The rest in the person's own words: past the phrase's words and the punctuation after them
  // (folding keeps the length of Latin text, so word positions carry over).
  const all = tokenize(text).length;
  const ends = [...fold(text).matchAll(WORD)].map((m) => m.index + m[0].length);
  const cut = ends[all - rest.length - 1] ?? 0;
  return text.slice(cut).replace(/^[\s,;:.!?-]+/u, '');
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
