import type { Config, Slot } from '../config/schema.ts';
import { FUNCTION_WORD_SET } from '../text/lang.ts';
import { MessageReader } from '../text/message.ts';
import { fold, words } from '../text/normalize.ts';
import type { Attachment, Slots } from '../types.ts';
import { AcademyMatcher, ScreenMatcher, SiteMatcher } from './directory.ts';
import { findEmails, findErrorMessage, findPhones, findUrls } from './patterns.ts';
import { PARTICLES, StudentMatcher } from './student.ts';

/** True for attachments that are pictures (screenshots). */
export function isImage(a: Attachment): boolean {
  return a.contentType.startsWith('image/') || /\.(png|jpe?g|gif|bmp|webp|heic)$/i.test(a.name);
}

/** Reads every detail a message holds, and the answer to one asked detail. */
export interface Extractor {
  /** Every detail in a message, canonical values; details not present are left out. */
  extract(text: string): Slots;
  /** The value of one asked detail in an answer (lenient: the person was asked exactly this); null if absent. */
  answer(slot: Slot, text: string, attachments: Attachment[]): string | null;
  /**
   * "Jef Peeters, jef@example.be, 02 553 12 34": an answer made of contact details only (an e-mail
   * address or a phone number, and at most a name beside them); null for anything else.
   */
  contact(text: string): Pick<Slots, 'name' | 'email' | 'phone'> | null;
}

// "Mijn naam is", "c'est", "dat heb ik al gezegd: ": words before the name itself.
const NAME_LEAD =
  /^(?:ik ben|ik heet|mijn naam is|je suis|je m'appelle|moi c'est|c'est|i am|i'm|my name is|this is|it's|it is)\s+/i;

/**
 * A person's name as typed at the name question: one to five words of letters, none of them a word
 * no name holds ("zie hierboven", "her name is Sarah" are no name); null otherwise.
 */
export function personName(text: string): string | null {
  const afterColon = text.includes(':') ? text.slice(text.lastIndexOf(':') + 1) : text;
  const name = afterColon
    .trim()
    .replace(NAME_LEAD, '')
    .replace(/[.!]+$/, '')
    .trim();
  const tokens = name.split(/\s+/).filter(Boolean);
  if (tokens.length === 0 || tokens.length > 5) return null;
  // Written as a name (every word but the particles capitalised), "An" or "Will" may be one.
  const capitalised = tokens.every((t) => PARTICLES.has(fold(t)) || /^\p{Lu}/u.test(t));
  const ok = tokens.every((t) => {
    if (!/^\p{L}[\p{L}'’-]*$/u.test(t)) return false;
    const f = fold(t);
    return PARTICLES.has(f) || capitalised || !FUNCTION_WORD_SET.has(f);
  });
  return ok && !PARTICLES.has(fold(tokens[0]!)) ? name : null;
}

/**
 * Only a name, written as one: two to four capitalised words, no colon, quote or other punctuation
 * ("Forbidden: Access Denied" is an error text).
 */
export function writtenName(text: string): string | null {
  const name = /^[\p{L}'’ -]+$/u.test(text.trim()) ? personName(text) : null;
  const parts = name?.split(/\s+/) ?? [];
  return name && parts.length >= 2 && parts.length <= 4 && parts.every((p) => /^\p{Lu}/u.test(p)) ? name : null;
}

/** Build the extractor for a configuration's directories. */
export function buildExtractor(config: Config): Extractor {
  const dirs = config.directories;
  const academies = dirs.academies.length > 0 ? new AcademyMatcher(dirs.academies) : null;
  const sites = dirs.sites.length > 0 ? new SiteMatcher(dirs.sites) : null;
  const screenWords = new Set(dirs.screen_words.flatMap((w) => words(fold(w))));
  const screens = dirs.screens.length > 0 ? new ScreenMatcher(dirs.screens, screenWords) : null;
  const vocabulary = new Set<string>();
  for (const a of dirs.academies)
    for (const w of words(fold(`${a.name} ${a.town} ${a.aliases.join(' ')}`))) vocabulary.add(w);
  for (const s of dirs.sites) for (const w of words(fold(`${s.name} ${s.aliases.join(' ')}`))) vocabulary.add(w);
  for (const s of dirs.screens) for (const w of words(fold(`${s.name} ${s.aliases.join(' ')}`))) vocabulary.add(w);
  // "Scherm rapporten" at the student question names a screen, not a student.
  for (const w of screenWords) vocabulary.add(w);
  const students =
    dirs.student_cues.length > 0
      ? new StudentMatcher(dirs.student_cues, dirs.staff_titles, vocabulary, dirs.not_students)
      : null;

  const reader = new MessageReader(config.classifier);

  function extract(text: string): Slots {
    const slots: Slots = {};
    // The sender's own name signs the message: a student is named in the body, never in the signature.
    const { body } = reader.split(text);
    const academy = academies?.find(text);
    if (academy) slots.academy = academy;
    const site = sites?.find(text);
    if (site) slots.site_id = site;
    const screen = screens?.find(text);
    if (screen) slots.screen = screen;
    const student = students?.find(body);
    if (student) slots.student = student;
    const url = findUrls(text)[0];
    if (url) slots.url = url;
    const error = findErrorMessage(text);
    if (error) slots.error_message = error;
    const email = findEmails(text)[0];
    if (email) slots.email = email;
    const phone = findPhones(text)[0];
    if (phone) slots.phone = phone;
    const name = senderName(text, email ?? phone);
    if (name) slots.name = name;
    return slots;
  }

  // Words of someone else's account ("account voor Tom"), and of a closing ("Met Vriendelijke Groeten").
  const someoneElse = new Set(dirs.staff_titles.flatMap((p) => words(fold(p))));
  const notSender = new Set([
    ...someoneElse,
    ...[...config.classifier.closings, ...config.classifier.greetings].flatMap((p) => words(fold(p))),
  ]);
  const written = (piece: string) => {
    const name = piece.trim().replace(/[.!]+$/, '');
    const tokens = name.split(/\s+/);
    if (tokens.length < 2 || tokens.length > 4 || tokens.some((t) => notSender.has(fold(t)))) return null;
    return tokens.every((t, i) => /^\p{Lu}[\p{L}'’-]+$/u.test(t) || (i > 0 && PARTICLES.has(fold(t)))) ? name : null;
  };

  /**
   * The sender's own name, written as a name (two to four capitalised words): a line of the signature
   * ("Groetjes,\nHilde Verbruggen"), or right before the sender's e-mail address or phone number
   * ("Site 5063, Koen Peeters, koen@..."; not "een account voor Tom Claes, tom@...").
   */
  function senderName(text: string, address: string | undefined): string | null {
    for (const line of reader.split(text).signature.split('\n').slice(0, 3)) {
      for (const piece of line.split(',')) {
        const name = written(piece);
        if (name) return name;
      }
    }
    const at = address ? text.indexOf(address) : -1;
    if (at < 0) return null;
    const before = text.slice(0, at);
    const sentence = before.split(/[.:;!?\n]/u).at(-1) ?? '';
    if (words(fold(sentence)).some((w) => someoneElse.has(w))) return null;
    // The name is the last piece before the address that is not a number ("Jan Maes, 02 553 12 34, jan@...").
    const pieces = sentence.split(/,|\s[-–]\s/u).filter((p) => p.trim() && !/\d/.test(p));
    return pieces.length > 0 ? written(pieces.at(-1)!) : null;
  }

  function answer(slot: Slot, text: string, attachments: Attachment[]): string | null {
    const trimmed = text.trim();
    switch (slot) {
      case 'academy': {
        // "Ik werk voor 2 academies: Lier en Mol": two named as strongly is no answer yet.
        const hits = academies?.hits(trimmed) ?? [];
        const top = hits.filter((h) => h.weight === hits[0]?.weight);
        return new Set(top.map((h) => h.value)).size > 1 ? null : (hits[0]?.value ?? null);
      }
      case 'site_id':
        return sites?.find(trimmed, true) ?? null;
      case 'screen':
        return screens?.findLenient(trimmed) ?? null;
      case 'student':
        return students?.findLenient(trimmed) ?? null;
      case 'url':
        return findUrls(trimmed)[0] ?? null;
      case 'email':
        return findEmails(trimmed)[0] ?? null;
      case 'phone':
        return findPhones(trimmed)[0] ?? null;
      case 'error_message':
        return (
          findErrorMessage(trimmed) ??
          quotation(trimmed) ??
          (trimmed.length >= 3 ? trimmed.replace(/^["'«“‘]|["'»”’]$/gu, '') : null)
        );
      case 'screenshot':
        return attachments.some(isImage) ? 'yes' : null;
      case 'name':
        return contact(trimmed)?.name ?? personName(trimmed);
      case 'description':
        return trimmed.length >= 3 ? trimmed : null;
    }
  }

  function contact(text: string): Pick<Slots, 'name' | 'email' | 'phone'> | null {
    const email = findEmails(text)[0];
    const phone = findPhones(text)[0];
    if (!email && !phone) return null;
    // "... en mijn mail is", "et mon numéro est", "and my e-mail is": connectors, not part of a name.
    let rest = text.replace(
      /\b(?:en|et|and)?\s*(?:mijn|mon|ma|my)\s+(?:e-?mail(?:adres)?|mailadres|mail|gsm|telefoon(?:nummer)?|nummer|num[ée]ro|adresse|number|phone)\s+(?:is|est)\b/giu,
      ',',
    );
    for (const v of [email, phone]) if (v) rest = rest.replace(v, ' ');
    // What is left is separators ("-", ",", "tel:") and at most a name.
    const pieces = rest
      .split(/[,;|/\n]|\s[-–]\s|\b(?:tel|tél|gsm|phone|e-?mail|mail)\b\s*:?/iu)
      .map((p) =>
        p
          .trim()
          .replace(/^[-–:]+|[-–:]+$/g, '')
          .trim(),
      )
      .filter((p) => /\p{L}/u.test(p));
    if (pieces.length > 1) return null;
    const name = pieces[0] ? personName(pieces[0]) : null;
    if (pieces[0] && !name) return null;
    return { ...(name ? { name } : {}), ...(email ? { email } : {}), ...(phone ? { phone } : {}) };
  }

  return { extract, answer, contact };
}

/** The one quotation in double quotes or guillemets in an answer ('nee, er staat "Geen toegang"'), if any. */
function quotation(text: string): string | null {
  const found = [...text.matchAll(/["“«]\s*([^"“”«»]{3,}?)\s*["”»]/gu)];
  return found.length === 1 ? found[0]![1]! : null;
}
