// Reading a message as a person does: the greeting and the signature are not the request.
import { escapeRegExp, fold } from './normalize.ts';

/** A message split into what it asks (the body) and the signature under it (name, academy, phone...). */
export interface MessageParts {
  body: string;
  signature: string;
}

/** The words that open and close a message, in the three languages (from `classifier.greetings` / `closings`). */
export interface Salutations {
  greetings: readonly string[];
  closings: readonly string[];
}

const PHONE_OR_EMAIL_LINE = /^[\s+()\d./-]{7,}$|^\S+@\S+\.\S+$/u;

function cuePattern(cues: readonly string[]): string {
  const parts = cues
    .map((c) => fold(c).trim())
    .filter(Boolean)
    .sort((a, b) => b.length - a.length)
    .map((c) => escapeRegExp(c).replace(/\s+/g, '\\s+'));
  return parts.length > 0 ? `(?:${parts.join('|')})` : '(?!)';
}

/** Splits greetings and signatures off messages; pure, compiled once per configuration. */
export class MessageReader {
  private readonly greeting: RegExp;
  private readonly closingLine: RegExp;
  private readonly closingTail: RegExp;

  constructor(salutations: Salutations) {
    const g = cuePattern(salutations.greetings);
    const c = cuePattern(salutations.closings);
    // "Dag,", "Hallo servicedesk,", "Bonjour à tous !", "Hi team" + new line: up to two words of address.
    this.greeting = new RegExp(
      `^\\s*${g}(?![\\p{L}\\p{N}])(?:[ \\t]+[\\p{L}'-]+){0,2}?[ \\t]*(?:[,!.]+[ \\t]*|(?=\\n))`,
      'u',
    );
    // A line that opens with a closing word and is short: "Groeten,", "Merci d'avance !", "Kind regards, Tom".
    this.closingLine = new RegExp(`^\\s*${c}(?![\\p{L}\\p{N}])`, 'u');
    // A closing at the end of a one-line message, after the last sentence: "... ? Alvast bedankt, An".
    this.closingTail = new RegExp(`(?<=[.!?)]\\s{0,3}|^)${c}(?![\\p{L}\\p{N}])[^.!?\\n]{0,60}$`, 'u');
  }

  /** The body and signature of a message (the signature may be empty). */
  split(text: string): MessageParts {
    const lines = text.split('\n');
    const folded = lines.map((l) => fold(l));
    // A closing line in the last five non-empty lines starts the signature.
    const content = lines.map((l, i) => ({ l, i })).filter(({ l }) => l.trim());
    const tail = content.slice(Math.max(1, content.length - 5));
    for (const { l, i } of tail) {
      const m = this.closingLine.exec(folded[i]!);
      // "Merci de corriger la facture." is a request, "Merci pour votre aide !" a closing.
      const rest = m ? (folded[i]!.slice(m[0].length).match(/[\p{L}\p{N}]+/gu) ?? []) : [];
      if (m && rest.length <= 3 && !/\?\s*$/.test(l)) {
        return { body: lines.slice(0, i).join('\n').trimEnd(), signature: lines.slice(i).join('\n').trim() };
      }
    }
    // No closing word: contact lines (a phone number, an address) at the very end are still a signature.
    let cut = lines.length;
    while (cut > 1) {
      const l = lines[cut - 1]!.trim();
      if (l === '' || PHONE_OR_EMAIL_LINE.test(l)) cut--;
      else break;
    }
    if (cut < lines.length && cut > 0) {
      return { body: lines.slice(0, cut).join('\n').trimEnd(), signature: lines.slice(cut).join('\n').trim() };
    }
    const m = this.closingTail.exec(fold(text));
    if (m && m.index > 20) return { body: text.slice(0, m.index).trimEnd(), signature: text.slice(m.index).trim() };
    return { body: text, signature: '' };
  }

  /** The body without its opening greeting ("Dag,", "Bonjour à tous,"), as the request reads. */
  focus(text: string): string {
    const { body } = this.split(text);
    const m = this.greeting.exec(fold(body));
    // Folding keeps the length of Latin text, so the greeting's end maps back onto the original.
    const rest = m ? body.slice(m[0].length).trimStart() : body;
    return rest.trim() ? rest : body;
  }
}
