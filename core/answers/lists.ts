import type { Config } from '../config/schema.ts';
import { Cues, cueText } from './text.ts';

export interface Lists {
  /**
   * The questions of a message that holds a list of questions (at least `self_service.lists.min_items`
   * numbered or bulleted items, or lines that are each a question), in order; null for anything else,
   * such as the numbered reproduction steps of one incident.
   */
  questionList(text: string): string[] | null;
}

/** An item marker at the start of a line or after a space: "1." "1)" "a)" "-" "•" "*". */
const MARKER = /(?:^|\n|\s)(?:(\d{1,2})[.)]|([a-z])\)|([-•*·▪–]))\s+/gu;

interface Item {
  /** The marker's kind and value: a number, a letter, or a bullet. */
  kind: 'number' | 'letter' | 'bullet';
  value: number;
  start: number;
  text: string;
}

/** Items split at their markers; numbers and letters must count up 1, 2, 3 / a, b, c. */
function items(text: string): Item[] {
  const marks: Omit<Item, 'text'>[] = [];
  for (const m of text.matchAll(MARKER)) {
    const start = (m.index ?? 0) + m[0].length;
    if (m[1] !== undefined) marks.push({ kind: 'number', value: Number(m[1]), start });
    else if (m[2] !== undefined) marks.push({ kind: 'letter', value: m[2].charCodeAt(0) - 96, start });
    else {
      // A bullet counts only at the start of a line (a dash inside a sentence is punctuation).
      const before = text.slice(0, m.index ?? 0);
      if (m[0].startsWith('\n') || before.trim() === '' || before.endsWith('\n')) {
        marks.push({ kind: 'bullet', value: 0, start });
      }
    }
  }
  // The longest run of one kind counting up from 1 (bullets: any run).
  let best: Omit<Item, 'text'>[] = [];
  for (let i = 0; i < marks.length; i++) {
    const first = marks[i]!;
    if (first.kind !== 'bullet' && first.value !== 1) continue;
    const run = [first];
    for (let j = i + 1; j < marks.length; j++) {
      const m = marks[j]!;
      if (m.kind !== first.kind) continue;
      if (m.kind === 'bullet' || m.value === run[run.length - 1]!.value + 1) run.push(m);
    }
    if (run.length > best.length) best = run;
  }
  // A list written one item per line: each item ends with its line (a closing greeting is not an item).
  const byLine = best.length > 0 && best.every((m) => /(?:^|\n)\s*$/.test(text.slice(0, markerStart(text, m.start))));
  return best.map((m, i) => {
    const next = best[i + 1];
    let raw = text.slice(m.start, next ? markerStart(text, next.start) : text.length);
    if (byLine) raw = raw.split('\n')[0]!;
    return { ...m, text: raw.replace(/\s+/g, ' ').trim() };
  });
}

/** Where the marker that ends at `start` begins (its digits, letter or bullet, and the space before). */
function markerStart(text: string, start: number): number {
  const head = text.slice(0, start);
  const m = /(?:\d{1,2}[.)]|[a-z]\)|[-•*·▪–])\s+$/u.exec(head);
  return m ? (m.index ?? start) : start;
}

export function buildLists(config: Config): Lists {
  const section = config.self_service.lists;
  const intro = new Cues(section.intro);
  const starts = new Cues(section.question_starts);
  const isQuestion = (item: string) => {
    if (item.includes('?')) return true;
    const folded = cueText(item);
    const hit = starts.find(folded);
    return hit !== null && hit.start === 0;
  };
  return {
    questionList(text) {
      const found = items(text).filter((i) => i.text.length > 0);
      let list = found.map((i) => i.text);
      if (list.length < section.min_items) {
        // Lines that are each a question, without markers.
        const lines = text
          .split('\n')
          .map((l) => l.trim())
          .filter(Boolean);
        const questions = lines.filter((l) => l.endsWith('?'));
        if (questions.length < section.min_items || questions.length < lines.length - 1) return null;
        list = questions;
      }
      // A list of questions, not the steps of one incident: most items ask, or the message says it is a list.
      const asking = list.filter(isQuestion).length;
      const announced = intro.has(cueText(text));
      return asking >= section.min_items || (announced && list.length >= section.min_items) ? list : null;
    },
  };
}

/** The questions numbered one per line, as `list_by_email` quotes them ({items}). */
export function numbered(items: readonly string[]): string {
  return items.map((item, i) => `${i + 1}. ${item}`).join('\n');
}
