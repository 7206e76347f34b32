import type { Config } from '../../core/config/schema.ts';
import { buildExtractor } from '../../core/extract/index.ts';
import { findEmails, findPhones } from '../../core/extract/patterns.ts';

/** What replaces personal data in a learned example. */
export const MASKS = { name: '[name]', email: '[email]', phone: '[phone]', student: '[student]' } as const;

const PARTICLE = '[Vv]an|[Dd]e|[Dd]er|[Dd]en|[Tt]er|[Tt]en|[Ll]e|[Ll]a|[Ee]l|[Dd]u|[Dd]es|[Vv]anden|[Vv]ander';

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Removes personal data from a message before it is kept: e-mail addresses and phone numbers (the
 * extractor's patterns), the student a message is about (the extractor's student reading, repeated
 * until none is left), the names of the people on the ticket wherever they appear (whole and each
 * part), the name after a staff title (`juf Sarah`) and the name that signs the message (after a
 * configured sign-off: `Groeten, An Peeters`).
 */
export function scrubber(config: Config): (text: string, people?: string[]) => string {
  const extractor = buildExtractor(config);
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

  return (text: string, people: string[] = []) => {
    let out = text;
    for (const email of findEmails(out)) out = out.split(email).join(MASKS.email);
    for (const phone of findPhones(out)) out = out.split(phone).join(MASKS.phone);
    out = maskPeople(out, people);
    out = out.replace(signature, (_m, before: string) => `${before}${MASKS.name}`);
    if (titled) out = out.replace(titled, (_m, before: string) => `${before}${MASKS.name}`);
    if (cuedStudent) out = out.replace(cuedStudent, (_m, before: string) => `${before}${MASKS.student}`);
    for (let i = 0; i < 10; i++) {
      const student = extractor.extract(out).student;
      if (!student || !out.includes(student)) break;
      out = out.split(student).join(MASKS.student);
    }
    return out;
  };
}

/** The people's names (whole, then each part of three letters or more) and addresses, as whole words. */
function maskPeople(text: string, people: string[]): string {
  const names = new Set<string>();
  for (const p of people.flatMap((p) => p.split('\n'))) {
    const name = p.trim();
    if (!name) continue;
    if (name.includes('@')) {
      names.add(name);
      continue;
    }
    names.add(name);
    for (const part of name.split(/[\s,]+/)) if (part.length >= 3 && /^\p{L}/u.test(part)) names.add(part);
  }
  let out = text;
  for (const name of [...names].sort((a, b) => b.length - a.length)) {
    const mask = name.includes('@') ? MASKS.email : MASKS.name;
    out = out.replace(new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegex(name)}(?![\\p{L}\\p{N}])`, 'giu'), mask);
  }
  return out;
}
