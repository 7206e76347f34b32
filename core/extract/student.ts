import { FUNCTION_WORD_SET } from '../text/lang.ts';
import { fold, words } from '../text/normalize.ts';
import { maskLinks, type Token, tokenize } from './directory.ts';

// Name particles that may stand between first and last name (Van, De, El...), folded.
export const PARTICLES = new Set([
  'van',
  'de',
  'der',
  'den',
  'het',
  'ter',
  'ten',
  'el',
  'le',
  'la',
  'du',
  'des',
  'di',
  'da',
  'dos',
  'vanden',
  'vander',
  'd',
]);

// Capitalised words that start sentences or name things, never a person (folded).
const NOT_NAMES = new Set(
  words(
    fold(`dag hallo hoi hey hi hello dear beste goeiemorgen goedemorgen goeiemiddag goedemiddag goeiedag goedendag goedenavond bonjour bonsoir salut
    merci thanks bedankt groetjes groeten mvg vriendelijke kind regards cordialement alvast met
    januari februari maart april mei juni juli augustus september oktober november december
    janvier fevrier mars avril juin juillet aout septembre octobre novembre decembre
    january february march may june july august october
    maandag dinsdag woensdag donderdag vrijdag zaterdag zondag lundi mardi mercredi jeudi vendredi samedi dimanche
    monday tuesday wednesday thursday friday saturday sunday
    excel word windows mac macos chrome firefox edge safari teams slack smartschool discimus drupal cms pdf csv outlook gmail
    urgent dringend vraag vraagje question probleem problem ticket helpdesk academie academy site afdeling graad
    secretariaat directie directeur leerling leerlingen eleve student students school klas klassen groep`),
  ),
);

// Words after which the student's name follows in an answer ("het gaat over", "c'est", "her name is").
const LEAD_INS = new Set([
  'over',
  'betreft',
  'heet',
  'is',
  'est',
  'appelle',
  'leerling',
  'leerlinge',
  'eleve',
  'student',
  'pupil',
  'named',
  'called',
  'about',
  'concerne',
  'genaamd',
  'nomme',
]);

/** Recognises the student a message is about: a person's name after a cue, not a staff member's. */
export class StudentMatcher {
  private readonly cues: string[][];
  private readonly staff: Set<string>;

  constructor(
    cues: string[],
    staffTitles: string[],
    private readonly vocabulary: Set<string>,
    notStudents: string[] = [],
  ) {
    for (const product of notStudents) for (const w of words(fold(product))) this.vocabulary.add(w);
    this.cues = cues.map((c) => tokenize(c).map((t) => t.folded)).filter((c) => c.length > 0);
    this.staff = new Set(staffTitles.map((t) => fold(t)));
  }

  private isNameWord(t: Token | undefined): boolean {
    if (!t) return false;
    return (
      /^\p{Lu}\p{Ll}/u.test(t.raw) &&
      !NOT_NAMES.has(t.folded) &&
      !this.vocabulary.has(t.folded) &&
      !this.staff.has(t.folded)
    );
  }

  private isStaffTitle(t: Token | undefined): boolean {
    if (!t) return false;
    if (this.staff.has(t.folded)) return true;
    // Compounds: secretariaatsmedewerker, pianoleerkracht.
    for (const title of this.staff) if (title.length >= 6 && t.folded.endsWith(title)) return true;
    return false;
  }

  /** Read a capitalised name starting at i: First [particles] Last [Last]. Returns the end index or -1. */
  private readName(tokens: Token[], i: number, text: string): number {
    const first = tokens[i];
    if (!this.isNameWord(first) || PARTICLES.has(first!.folded) || FUNCTION_WORD_SET.has(first!.folded)) return -1;
    let j = i + 1;
    let lastNames = 0;
    while (j < tokens.length && j - i < 5) {
      const t = tokens[j]!;
      // Name words follow each other with one space or hyphen, not across punctuation or lines.
      if (!/^[ -]$/u.test(text.slice(tokens[j - 1]!.end, t.start))) break;
      // One or more particles before a last name: "Van den Broeck", "de la Cruz".
      let k = j;
      while (k < tokens.length && k - j < 3 && PARTICLES.has(tokens[k]!.folded)) k++;
      if (k > j && this.isNameWord(tokens[k])) {
        j = k;
        continue;
      }
      if (this.isNameWord(t) || (PARTICLES.has(t.folded) && /^\p{Lu}/u.test(t.raw) && this.isNameWord(tokens[j + 1]))) {
        lastNames++;
        j++;
        continue;
      }
      break;
    }
    return lastNames > 0 ? j : -1;
  }

  private cueBefore(tokens: Token[], i: number): boolean {
    for (const cue of this.cues) {
      const from = i - cue.length;
      if (from < 0) continue;
      if (!cue.every((w, k) => tokens[from + k]!.folded === w)) continue;
      // "de rechten van Wim Claes", "the account of", "le compte de": a user's name, not a student's.
      if (cue.length === 1 && this.isStaffTitle(tokens[from - 1])) return false;
      return true;
    }
    return false;
  }

  find(text: string): string | null {
    const masked = maskLinks(text);
    const tokens = tokenize(masked);
    for (let i = 0; i < tokens.length; i++) {
      const end = this.readName(tokens, i, masked);
      if (end < 0) continue;
      const prev = tokens[i - 1];
      if (this.isStaffTitle(prev)) {
        i = end - 1;
        continue;
      }
      const before = masked.slice(prev ? prev.end : 0, tokens[i]!.start);
      const sentenceStart =
        !prev ||
        /[.!?:\n]\s*$/u.test(before) ||
        /^(dag|hallo|hoi|hey|hi|hello|bonjour|goeiemorgen|goedemorgen)$/.test(prev.folded);
      const nextWord = tokens[end];
      // "Zoë Lambrecht staat dubbel": a name that opens a sentence and is followed by a verb-like lower-case word.
      const opensSentence =
        sentenceStart && nextWord !== undefined && /^\p{Ll}/u.test(nextWord.raw) && !/\(/.test(before);
      if (this.cueBefore(tokens, i) || opensSentence) {
        return masked.slice(tokens[i]!.start, tokens[end - 1]!.end);
      }
      i = end - 1;
    }
    // Lower-case names right after an explicit cue ("gaat over jonas peeters").
    for (let i = 0; i + 1 < tokens.length; i++) {
      if (!this.strongCueBefore(tokens, i)) continue;
      const a = tokens[i]!;
      const b = tokens[i + 1]!;
      if (/^\p{Ll}+$/u.test(a.raw) && /^\p{Ll}+$/u.test(b.raw) && a.raw.length > 2 && b.raw.length > 2) {
        const plain = (t: Token) =>
          NOT_NAMES.has(t.folded) || FUNCTION_WORD_SET.has(t.folded) || this.vocabulary.has(t.folded);
        if (!plain(a) && !plain(b)) {
          return masked.slice(a.start, b.end);
        }
      }
    }
    return null;
  }

  private strongCueBefore(tokens: Token[], i: number): boolean {
    const prev = tokens
      .slice(Math.max(0, i - 2), i)
      .map((t) => t.folded)
      .join(' ');
    return /(gaat over|gaat om|betreft|concerne|concerns|about)$/.test(prev);
  }

  /** Lenient reading of a direct answer to "which student": any name, or a short answer as written. */
  findLenient(text: string): string | null {
    const masked = maskLinks(text);
    const tokens = tokenize(masked);
    for (let i = 0; i < tokens.length; i++) {
      const end = this.readName(tokens, i, masked);
      if (end > 0) return text.slice(tokens[i]!.start, tokens[end - 1]!.end);
    }
    // "het gaat over sara el amrani", "l'eleve c'est marie dubois": the name follows the last lead-in.
    const lead = tokens.findLastIndex((t) => LEAD_INS.has(t.folded));
    if (lead >= 0 && lead < tokens.length - 1) {
      const rest = text.slice(tokens[lead + 1]!.start);
      return rest.trim() === text.trim() ? null : this.findLenient(rest);
    }
    const trimmed = text.trim().replace(/[.!]+$/, '');
    if (!trimmed || trimmed.split(/\s+/).length > 5 || !/\p{L}/u.test(trimmed)) return null;
    // A name written in lower case runs until the first word no name holds ("emma uit 3b" is emma;
    // "in het scherm rapporten" holds none): a preposition or article that is no name particle.
    const stop = tokens.findIndex(
      (t) => FUNCTION_WORD_SET.has(t.folded) && !PARTICLES.has(t.folded) && !/^\p{Lu}/u.test(t.raw),
    );
    const name = stop < 0 ? tokens : tokens.slice(0, stop);
    // A screen or an academy typed at the student question ("facturatie", "attendance") is not a name.
    const named =
      name.length > 0 &&
      !PARTICLES.has(name[0]!.folded) &&
      name.some((t) => !this.vocabulary.has(t.folded) && !NOT_NAMES.has(t.folded) && !FUNCTION_WORD_SET.has(t.folded));
    if (!named) return null;
    return stop < 0 ? trimmed : text.slice(name[0]!.start, name[name.length - 1]!.end).trim();
  }
}
