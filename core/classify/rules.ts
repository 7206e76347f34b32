import { escapeRegExp, fold } from '../text/normalize.ts';

/** Compile a list of cue phrases into one case- and accent-insensitive matcher on folded text. */
export function cueMatcher(cues: readonly string[]): RegExp {
  const parts = cues
    .map((c) => fold(c).trim())
    .filter(Boolean)
    .sort((a, b) => b.length - a.length)
    .map((c) => {
      const body = escapeRegExp(c).replace(/\s+/g, '\\s+');
      // Word boundaries only where the cue starts or ends with a letter or digit ("!!!" has none).
      const start = /^[\p{L}\p{N}]/u.test(c) ? '(?<![\\p{L}\\p{N}])' : '';
      const end = /[\p{L}\p{N}]$/u.test(c) ? '(?![\\p{L}\\p{N}])' : '';
      return `${start}${body}${end}`;
    });
  return new RegExp(parts.length > 0 ? parts.join('|') : '(?!)', 'u');
}

/** Urgency: the sender says or clearly shows it is urgent (cue words, or shouting in capitals). */
export function isUrgent(text: string, cues: RegExp): boolean {
  const folded = fold(text);
  if (cues.test(folded)) return true;
  // Two or more fully capitalised words of 4+ letters ("ALLES PLAT", "URGENT") read as alarm.
  const shouted = text.match(/(?<![\p{L}])\p{Lu}{4,}(?![\p{L}])/gu) ?? [];
  return shouted.filter((w) => !/^(HTTP|HTML|JSON|CSV|PDF|SMTP|URL|HTTPS)$/.test(w)).length >= 2;
}

/**
 * More than one unrelated subject: a cue that opens a new clause ("En los daarvan", "Autre chose",
 * "Also, unrelated"), or a numbered list of two or more items.
 */
export function isMultiSubject(text: string, cues: RegExp): boolean {
  const lines = text
    .split(/\n+/)
    .map((l) => l.trim())
    .filter(Boolean);
  const numbered = lines.filter((l) => /^(\d{1,2}[).]|[-*•])\s+\S/u.test(l));
  if (numbered.length >= 2) return true;
  // Cues count where a clause starts: the text start, a new line, or after . ! ? : ( or a comma.
  const clauses = fold(text).split(/(?<=[.!?:;\n(])\s*|\s\/\s/u);
  for (const clause of clauses) {
    const m = cues.exec(clause.trim());
    if (m && m.index <= 3) return true;
  }
  return false;
}
