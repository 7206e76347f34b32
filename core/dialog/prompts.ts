// One recognizer for the answer to every detail the bot asks: a value, "I can't / don't know", or
// not understood. The engine decides what happens next (ask again once, skip, keep what was said).
import type { Slot } from '../config/schema.ts';
import type { Extractor } from '../extract/index.ts';
import { fold, words } from '../text/normalize.ts';
import type { Attachment } from '../types.ts';
import type { LanguageKit } from './language.ts';

export type Heard =
  /** The detail itself (canonical); for a screenshot, "yes" when an image came along. */
  | { kind: 'value'; value: string }
  /** The person cannot or will not give it ("weet ik niet", "heb ik niet", "liever niet", "nope"). */
  | { kind: 'declined' }
  /** Not recognised as this detail. */
  | { kind: 'unclear' };

/**
 * Read the answer to one asked detail. Structured details (academy, screen, student, e-mail...) are looked
 * for first, so "Nee, Emma Peeters uit 3B" is a name and not a "no"; a refusal must be the whole answer,
 * so "Geen rechten voor deze actie" is an error text and not "geen".
 */
export function hearDetail(
  slot: Slot,
  text: string,
  attachments: Attachment[],
  deps: { extractor: Extractor; kit: LanguageKit },
): Heard {
  const trimmed = text.trim();
  // A refusal is the whole answer ("weet ik niet", "n.v.t."); a value beside a "nee" is still a value.
  // A screenshot sent without a word is the screenshot, not a refusal.
  if ((!trimmed && attachments.length === 0) || (trimmed && deps.kit.declines(trimmed))) return { kind: 'declined' };
  // "Merci", "bonjour" are never a name, an error text or a description.
  if (deps.kit.thanks(trimmed) || deps.kit.greetingOnly(trimmed)) return { kind: 'unclear' };
  // "Ja", "oui", "ok" alone are no name and no error text.
  if (FREE_TEXT.has(slot) && deps.kit.yesNo(trimmed) && deps.kit.contentWords(trimmed) === 0)
    return { kind: 'unclear' };
  // Free text is the answer unless it is plainly another detail (an e-mail address at the error question).
  if (FREE_TEXT.has(slot) && slot !== 'description' && isOtherDetail(trimmed, deps.extractor)) {
    return { kind: 'unclear' };
  }
  const value = deps.extractor.answer(slot, trimmed, attachments);
  if (value !== null) return { kind: 'value', value };
  // "Gaat niet over een pagina, het is een nieuw sjabloon": "not about one" opening the answer, where
  // the detail may not apply (a page, a student, a screen), and the rest is no value of it.
  const first = trimmed.split(/[,.;:!]/u)[0]!;
  if (MAY_NOT_APPLY.has(slot) && first !== trimmed && deps.kit.declines(first)) return { kind: 'declined' };
  return { kind: 'unclear' };
}

/** Details that may not apply to a request at all (it is about no one page, student or screen). */
const MAY_NOT_APPLY: ReadonlySet<Slot> = new Set(['url', 'student', 'screen']);

/** Details taken as free text; the others are recognised by their directory or pattern. */
const FREE_TEXT: ReadonlySet<Slot> = new Set(['error_message', 'name', 'description']);

/** Whether the answer is nothing but a detail of another kind: an e-mail address, a URL, a phone number. */
function isOtherDetail(text: string, extractor: Extractor): boolean {
  const found = extractor.extract(text);
  const other = [found.email, found.url, found.phone].find((v) => v !== undefined);
  if (other === undefined) return false;
  return text.replace(other, '').replace(/[\s.,;:!?()-]+/g, '').length < 4;
}

/** Whether an unrecognised answer reads as more of the story (several words) rather than a short try. */
export function tellsMore(text: string, minWords: number): boolean {
  return words(fold(text)).length >= Math.max(minWords, 4);
}
