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

const DEADLINE_SOON =
  /\b(in|binnen|within|dans|d'ici)\s+(\d{1,3}|een|een half|a|an|half an|une|une demi)\s*(min|minuten|minutes|kwartier|uur|hour|heure)\b(?!\s+(ago|geleden|plus tot|earlier|eerder))/u;

/** Urgency: the sender says or clearly shows it is urgent (cue words, or shouting in capitals). */
export function isUrgent(text: string, cues: RegExp, acronyms: ReadonlySet<string> = new Set()): boolean {
  const folded = fold(text);
  if (cues.test(folded)) return true;
  // Minutes to go: "going out in 30 minutes", "binnen een kwartier", "dans 20 minutes".
  if (DEADLINE_SOON.test(folded)) return true;
  // Two or more fully capitalised words of 4+ letters ("ALLES PLAT", "URGENT") read as alarm.
  const shouted = text.match(/(?<![\p{L}])\p{Lu}{4,}(?![\p{L}])/gu) ?? [];
  return shouted.filter((w) => !acronyms.has(w.toLowerCase())).length >= 2;
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
  if (numbered.length >= 2 || inlineItems(text)) return true;
  // Cues count where a clause starts: the text start, a new line, or after . ! ? : ( or a comma.
  const clauses = fold(text).split(/(?<=[.!?:;\n(])\s*|\s\/\s/u);
  for (const clause of clauses) {
    const m = cues.exec(clause.trim());
    if (m && m.index <= 3) return true;
  }
  return false;
}

const LIST_ITEM = /^(\d{1,2}[).]|[-*•])\s+(?=\S)/u;

/**
 * "Twee dingen: 1) ... 2) ..." on one line: the items, numbered 1, 2, ... in order (the words before
 * "1)" announce them and are dropped); null when the text has no such numbering.
 */
function inlineItems(text: string): string[] | null {
  const markers = [...text.matchAll(/(?<![\p{L}\p{N}])([1-9])\)\s+/gu)];
  if (markers.length < 2 || markers.some((m, i) => Number(m[1]) !== i + 1)) return null;
  return markers.map((m, i) => text.slice(m.index + m[0].length, markers[i + 1]?.index ?? text.length).trim());
}

/**
 * The subjects of a message, in order: the items of a numbered or bulleted list, or the parts a
 * cue opens ("Los daarvan: ..."); one element when the message has one subject. A part too short to
 * be a request on its own (fewer than three words) stays with the one before it.
 */
export function splitSubjects(text: string, cues: RegExp, joins?: RegExp): string[] {
  const lines = text
    .split(/\n+/)
    .map((l) => l.trim())
    .filter(Boolean);
  const items = lines.filter((l) => LIST_ITEM.test(l));
  const inline = items.length < 2 ? inlineItems(text) : null;
  if (inline) return mergeShort(inline);
  if (items.length >= 2) {
    // A list: each item is a subject; a line that follows an item without a marker continues it.
    const subjects: string[] = [];
    let seenItem = false;
    for (const line of lines) {
      if (LIST_ITEM.test(line)) {
        subjects.push(line.replace(LIST_ITEM, ''));
        seenItem = true;
      } else if (seenItem) {
        subjects[subjects.length - 1] += ` ${line}`;
      }
    }
    return mergeShort(subjects);
  }
  // Clauses as `isMultiSubject` reads them, but on the original text so the subjects keep their words.
  const clauses = text.split(/(?<=[.!?:;\n])\s+/u).filter((c) => c.trim());
  const subjects: string[] = [];
  for (const clause of clauses) {
    const m = cues.exec(fold(clause).trim());
    if (m && m.index <= 3 && subjects.length > 0) subjects.push(clause.trim());
    else if (subjects.length === 0) subjects.push(clause.trim());
    else subjects[subjects.length - 1] += ` ${clause.trim()}`;
  }
  const split = mergeShort(subjects.map(stripCue(cues)));
  return split.length === 1 && joins ? announced(split[0]!, clauses[0]!, cues, joins) : split;
}

/**
 * "Twee dingen: de afwezigheden zijn weg en kunnen jullie ook een kolom toevoegen?": a message that
 * announced several subjects at its start but has one sentence after it is split at its sentences, or
 * else at the first join ("en kunnen jullie"), the join's conjunction dropped.
 */
function announced(subject: string, first: string, cues: RegExp, joins: RegExp): string[] {
  const m = cues.exec(fold(first).trim());
  if (!m || m.index > 3) return [subject];
  // A closing "Academie Vierlinden" or "Merci." is no subject of its own: a sentence needs four words.
  const sentences = mergeShort(
    subject.split(/(?<=[.!?])\s+/u).filter((c) => c.trim()),
    4,
  );
  if (sentences.length > 1) return sentences;
  const join = joins.exec(fold(subject));
  if (!join || join.index === 0) return [subject];
  const conjunction = join[0].split(/\s+/)[0]!.length;
  const second = subject.slice(join.index + conjunction).trim();
  const parts = [
    subject.slice(0, join.index).replace(/[\s,;]+$/u, ''),
    second.charAt(0).toUpperCase() + second.slice(1),
  ];
  return parts.every((p) => words(p) >= 3) ? parts : [subject];
}

/** Drop a leading cue ("Los daarvan,", "Autre chose :") from a subject, keeping the request itself. */
function stripCue(cues: RegExp): (subject: string) => string {
  return (subject) => {
    const folded = fold(subject);
    const m = cues.exec(folded);
    if (!m || m.index > 3) return subject;
    // Folding keeps length for Latin text, so the cue's end maps back onto the original.
    const rest = subject.slice(m.index + m[0].length).replace(/^[\s,:;.!-]+/u, '');
    return words(rest) >= 3 ? rest.charAt(0).toUpperCase() + rest.slice(1) : subject;
  };
}

function words(text: string): number {
  return text.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w)).length;
}

function mergeShort(subjects: string[], least = 3): string[] {
  const out: string[] = [];
  for (const s of subjects) {
    if (out.length > 0 && words(s) < least) out[out.length - 1] += ` ${s}`;
    else out.push(s);
  }
  if (out.length > 1 && words(out[0]!) < least) out.splice(0, 2, `${out[0]} ${out[1]}`);
  return out;
}
