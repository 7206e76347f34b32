import type { Config } from '../../core/config/schema.ts';
import { buildExtractor } from '../../core/extract/index.ts';
import { findEmails, findPhones } from '../../core/extract/patterns.ts';
import { fold, words } from '../../core/text/normalize.ts';

/** What replaces personal data in a learned example. */
export const MASKS = { name: '[name]', email: '[email]', phone: '[phone]', student: '[student]' } as const;

const PARTICLE = '[Vv]an|[Dd]e|[Dd]er|[Dd]en|[Tt]er|[Tt]en|[Ll]e|[Ll]a|[Ee]l|[Dd]u|[Dd]es|[Vv]anden|[Vv]ander';
/** A particle alone ("Van", "de"): it may start a surname ("De Smet"), so it is never cut off a name. */
const PARTICLE_WORD = new RegExp(`^(?:${PARTICLE})$`, 'u');

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Removes personal data from a message before it is kept: e-mail addresses and phone numbers (the
 * extractor's patterns), the student a message is about (the extractor's student reading, repeated
 * until none is left), the names of the people on the ticket wherever they appear (whole and each
 * part), the name after a staff title (`juf Sarah`) and the name that signs the message (after a
 * configured sign-off: `Groeten, An Peeters`). Capitalised common words are not names (see {@link NameWords}).
 */
export function scrubber(config: Config): (text: string, people?: string[]) => string {
  const extractor = buildExtractor(config);
  const names = NameWords.of(config);
  const patterns = namePatterns(config);
  return (text: string, people: string[] = []) => {
    let out = text;
    for (const email of findEmails(out)) out = out.split(email).join(MASKS.email);
    for (const phone of findPhones(out)) out = out.split(phone).join(MASKS.phone);
    out = maskPeople(out, people, names);
    out = names.mask(out, patterns.signature, MASKS.name, true);
    if (patterns.titled) out = names.mask(out, patterns.titled, MASKS.name, false);
    if (patterns.cuedStudent) out = names.mask(out, patterns.cuedStudent, MASKS.student, false);
    for (let i = 0; i < 10; i++) {
      const student = extractor.extract(out).student;
      if (!student || !out.includes(student)) break;
      out = out.split(student).join(MASKS.student);
    }
    return out;
  };
}

/** Patterns whose group 1 is what comes before a name, group 2 the capitalised words that may be one. */
function namePatterns(config: Config): { signature: RegExp; titled: RegExp | null; cuedStudent: RegExp | null } {
  // Sign-offs in any case, the name after them capitalised (no `i` flag: it would let \p{Lu} match any letter).
  const anyCase = (w: string) =>
    escapeRegex(w).replace(/\p{L}/gu, (c) =>
      c.toLowerCase() === c.toUpperCase() ? c : `[${c.toLowerCase()}${c.toUpperCase()}]`,
    );
  const signoffs = config.learning.signoffs.map(anyCase).join('|');
  // "Groeten,\nAn Peeters" / "mvg An": a sign-off, then up to three capitalised words.
  const signature = new RegExp(
    `((?:^|[\\s,.!])(?:${signoffs})[\\s,.!:]*)(\\p{Lu}[\\p{L}'-]+(?:[ ](?:(?:${PARTICLE})[ ])*\\p{Lu}[\\p{L}'-]+){0,2})`,
    'gu',
  );
  const titles = config.directories.staff_titles.map(escapeRegex).join('|');
  const titled = titles
    ? new RegExp(`(\\b(?:${titles})[ ]+)(\\p{Lu}[\\p{L}'-]+(?:[ ]\\p{Lu}[\\p{L}'-]+)?)`, 'gu')
    : null;
  // "leerling Lotte Van den Broeck": after a word that names a student (the longer student cues), the
  // capitalised name with its particles; the extractor reads one name per message and misses some particles.
  const studentWords = config.directories.student_cues.filter((c) => /^\p{L}{5,}$/u.test(c)).map(anyCase);
  const cuedStudent = studentWords.length
    ? new RegExp(
        `((?<![\\p{L}])(?:${studentWords.join('|')})[ :]+)(\\p{Lu}[\\p{L}'-]+(?:[ ](?:(?:${PARTICLE})[ ])*\\p{Lu}[\\p{L}'-]+){0,3})`,
        'gu',
      )
    : null;
  return { signature, titled, cuedStudent };
}

/**
 * Tells a name from capitalised words that are not one: the common words of `learning.not_names`
 * ("Bij", "Sinds", "Depuis", "Since") and the names of the software's screens ("Evaluaties"). Of the
 * capitalised words a pattern took, common words before and after the name stay; a single word that
 * opens a sentence and runs on in lower case ("Bedankt! Sinds gisteren...") is the sentence's first word.
 */
export class NameWords {
  constructor(
    /** Folded common words: never a name, cut off the capitalised words around one. */
    private readonly common: ReadonlySet<string>,
    /** Folded words of the software's own vocabulary: never a name on their own. */
    private readonly things: ReadonlySet<string>,
  ) {}

  static of(config: Config): NameWords {
    const lists = config.learning.not_names;
    const common = new Set([...lists.nl, ...lists.fr, ...lists.en].map((w) => fold(w).trim()));
    const things = new Set<string>();
    for (const s of config.directories.screens)
      for (const w of words(fold(`${s.name} ${s.aliases.join(' ')}`))) things.add(w);
    return new NameWords(common, things);
  }

  isCommon(word: string): boolean {
    return this.common.has(fold(word));
  }

  /** Every match of `pattern` with its name masked, the words that are not a name kept. */
  mask(text: string, pattern: RegExp, mask: string, afterSignoff: boolean): string {
    return text.replace(pattern, (match: string, before: string, taken: string, offset: number) => {
      const following = text.slice(offset + match.length);
      const opens = afterSignoff && /[.!?:\n]\s*$/u.test(before);
      const name = this.nameIn(taken.split(' '), opens, following);
      if (!name) return match;
      return [
        before,
        name.lead.join(' '),
        name.lead.length ? ' ' : '',
        mask,
        name.trail.length ? ' ' : '',
        name.trail.join(' '),
      ].join('');
    });
  }

  /** The name among capitalised words, with the common words before and after it; null when none is. */
  nameIn(taken: string[], opensSentence: boolean, following: string): { lead: string[]; trail: string[] } | null {
    let start = 0;
    let end = taken.length;
    while (end > start && this.isCommon(taken[end - 1]!)) end--;
    while (start < end - 1 && this.isCommon(taken[start]!) && !PARTICLE_WORD.test(taken[start]!)) start++;
    if (end === start) return null;
    if (end - start === 1) {
      const word = fold(taken[start]!);
      if (this.common.has(word) || this.things.has(word)) return null;
      // The first word of a sentence, not followed by another name word: "Bedankt! Sinds gisteren kan ik...".
      const runsOn = end < taken.length || /^[ \t]+\p{Ll}/u.test(following);
      if (opensSentence && runsOn) return null;
    }
    return { lead: taken.slice(0, start), trail: taken.slice(end) };
  }
}

/**
 * The people's names (whole, then each part of three letters or more that is not a particle or a common
 * word: "Lotte Van Damme" masks "Lotte" and "Damme", not every "van") and addresses, as whole words.
 */
function maskPeople(text: string, people: string[], nameWords: NameWords): string {
  const names = new Set<string>();
  for (const p of people.flatMap((p) => p.split('\n'))) {
    const name = p.trim();
    if (!name) continue;
    names.add(name);
    if (name.includes('@')) continue;
    for (const part of name.split(/[\s,]+/)) {
      if (part.length < 3 || !/^\p{L}/u.test(part) || PARTICLE_WORD.test(part) || nameWords.isCommon(part)) continue;
      names.add(part);
    }
  }
  let out = text;
  for (const name of [...names].sort((a, b) => b.length - a.length)) {
    const mask = name.includes('@') ? MASKS.email : MASKS.name;
    out = out.replace(new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegex(name)}(?![\\p{L}\\p{N}])`, 'giu'), mask);
  }
  return out;
}
