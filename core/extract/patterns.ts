// Details with a fixed shape: URLs, e-mail addresses, phone numbers, error texts.

const TRAILING = /[.,;:!?)\]}'"»›”’]+$/u;

// Bounded parts (RFC 5321: 64 characters before the @, 63 per label): unbounded ones made a long run of
// letters without an @ cost quadratic time, ~50 ms for 4,000 characters.
const EMAIL = /[\p{L}\p{N}._%+-]{1,64}@[\p{L}\p{N}-]{1,63}(?:\.[\p{L}\p{N}-]{1,63}){0,8}\.[a-z]{2,24}/giu;
const URL_WITH_SCHEME = /\bhttps?:\/\/[^\s<>"'«»]+/giu;
const BARE_DOMAIN =
  /(?<![@\w./-])(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:be|com|org|net|eu|nl|fr|io|gov|info|vlaanderen|brussels)(?:\/[^\s<>"'«»]*)?(?![\w@-])/giu;

/** E-mail addresses in order of appearance. */
export function findEmails(text: string): string[] {
  return [...text.matchAll(EMAIL)].map((m) => m[0].replace(TRAILING, ''));
}

/** URLs (with or without scheme), not e-mail domains, in order of appearance. */
export function findUrls(text: string): string[] {
  const withoutEmails = text.replace(EMAIL, (m) => ' '.repeat(m.length));
  const found: { at: number; url: string }[] = [];
  const taken: [number, number][] = [];
  for (const m of withoutEmails.matchAll(URL_WITH_SCHEME)) {
    found.push({ at: m.index, url: m[0].replace(TRAILING, '') });
    taken.push([m.index, m.index + m[0].length]);
  }
  for (const m of withoutEmails.matchAll(BARE_DOMAIN)) {
    if (taken.some(([from, to]) => m.index >= from && m.index < to)) continue;
    found.push({ at: m.index, url: m[0].replace(TRAILING, '') });
  }
  return found.sort((a, b) => a.at - b.at).map((f) => f.url);
}

/** The host name of a URL written with or without scheme, lower case. */
export function hostOf(url: string): { host: string; path: string } {
  const m = /^(?:https?:\/\/)?([^/?#]+)([^?#]*)/i.exec(url.trim());
  return { host: (m?.[1] ?? '').toLowerCase().replace(/^www\./, ''), path: (m?.[2] ?? '').replace(/\/+$/, '') };
}

const PHONE = /(?<!\d|\d[/.,-])(\+32[\s.]?|0)\d(?:[\s.-]?\d){6,9}(?!\d|[/.,-]\d)/g;

/** Belgian phone numbers as written (landline and mobile, national or +32). */
export function findPhones(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(PHONE)) {
    const digits = m[0].replace(/\D/g, '');
    const national = m[0].startsWith('+') ? digits.slice(2) : digits.slice(1);
    // 8 digits after the trunk 0 for landlines, 9 for mobiles; a date like 04.07.2012 has 7.
    if (national.length === 8 || national.length === 9) out.push(m[0].trim());
  }
  return out;
}

// Quotes people use around an error text: "..", '..', «..», “..”, ‘..’, „..”, ‹..›.
const QUOTED =
  /"([^"\n]{2,200})"|“([^”\n]{2,200})”|„([^”“\n]{2,200})[”“]|«\s?([^»\n]{2,200}?)\s?»|‘([^’\n]{2,200})’|‹([^›\n]{2,200})›|(?<![\p{L}\p{N}])'([^'\n]{2,200}?)'(?![\p{L}\p{N}])/gu;

// Words that say an error is shown, shortly before the text (folded, any of the three languages).
const ERROR_CUE =
  /\b(krijg|krijgen|kreeg|kregen|melding|foutmelding|foutboodschap|fout|error|errors|erreur|message|boodschap|geeft|geven|gaf|toont|tonen|verschijnt|staat|shows?|showing|says|returns?|returning|displays?|get|gets|getting|got|affiche|indique|dit|j'ai|obtiens|zegt|meldt|zien|zie|ziet|crasht|crashes|plante)\b[^.!?\n]{0,40}$/u;

// Cues that say an error is shown, not only that something is written there ("er staat 'Beste ouder'",
// "j'ai supprimé « Tarifs »"): a quoted text that does not read like an error needs one of these.
const STRONG_CUE =
  /\b(krijg|krijgen|kreeg|kregen|melding|foutmelding|foutboodschap|fout|error|errors|erreur|message|boodschap|geeft|geven|gaf|toont|tonen|verschijnt|shows?|showing|returns?|returning|displays?|get|gets|getting|got|affiche|obtiens|meldt|crasht|crashes|plante)\b[^.!?\n]{0,40}$/u;

// "par erreur", "per ongeluk", "by mistake": how something was done, not an error shown.
const NOT_A_CUE = /\b(par erreur|per ongeluk|per vergissing|by mistake|in error)\b/giu;

// The text itself reads like an error (so a quoted label like 'receptie' is not taken).
const ERROR_WORDS =
  /\b(error|fout|erreur|failed|fails|mislukt|echec|échec|denied|geweigerd|refus[ée]|expired?|verlopen|expir[ée]|ongeldig|invalid|not found|niet gevonden|introuvable|unavailable|onbeschikbaar|indisponible|forbidden|exception|unexpected|onverwacht|inattendu|bestaat al|already exists|existe d[ée]j[àa]|kan niet|cannot|can't|impossible|geblokkeerd|blocked|bloqu[ée]|timeout|time-out|vol(?!\p{L})|full(?!\p{L})|niet privé|not private|kon niet|could not|unable|geen toegang|no access|pas d.acc[eè]s|niet toegestaan|not allowed|non autoris[ée]|niet mogelijk|not possible|geen gegevens|no data|aucun|code \d+|\b\d{3}\b|0x[0-9a-f]+|e-\d+)/iu;

const UNQUOTED_AFTER_COLON =
  /\b(?:foutmelding|melding|error|erreur|fout|message d'erreur|krijg ik|i get|j'ai)\s*:\s*([^\n"“«']{3,160}?)(?=\s*(?:[\n]|\.\s|$|\s\/\s))/iu;

// A status written in lower case, as people type it: "502 bad gateway", "500 error", "erreur 503".
const STATUS_PLAIN =
  /\b(?:(?:4\d\d|5\d\d)\s(?:bad gateway|not found|internal server error|service unavailable|gateway time-?out|forbidden|unauthorized|bad request|error|fout|erreur)|(?:erreur|error|fout)\s(?:4\d\d|5\d\d))\b/iu;

const HTTP_STATUS =
  /\b((?:(?:fout|erreur|error|http)\s)?(?:4\d\d|5\d\d)(?:\s?[-–]\s?|\s)(?:[A-Z][\p{L}]+(?:\s[A-Z\p{Ll}][\p{L}]+){0,3})|(?:erreur|error|fout)\s(?:4\d\d|5\d\d)\b)/u;

const STATUS_WORDS = /^(?:fout|erreur|error|http)?\s?(4\d\d|5\d\d)\b/iu;

/** The error text a message quotes or states, as written; null when there is none. */
export function findErrorMessage(text: string): string | null {
  for (const m of text.matchAll(QUOTED)) {
    const quoted = (m.slice(1).find((g) => g !== undefined) ?? '').trim();
    if (quoted.length < 2) continue;
    const before = text
      .slice(Math.max(0, m.index - 60), m.index)
      .toLowerCase()
      .replace(NOT_A_CUE, ' ');
    const strongCue = STRONG_CUE.test(before);
    const cued = ERROR_CUE.test(before) || /:\s*$/.test(before);
    const looksLikeError = ERROR_WORDS.test(quoted);
    const wordCount = quoted.split(/\s+/).length;
    if (looksLikeError && (cued || wordCount >= 2)) return quoted;
    // A name in quotes after a colon ("samenvoegen: 'Voordracht 1A'") or after "er staat" is no error text.
    if (strongCue && wordCount >= 2 && /^\p{Lu}/u.test(quoted)) return quoted;
  }
  const colon = UNQUOTED_AFTER_COLON.exec(text);
  if (colon?.[1]) {
    const value = colon[1].trim().replace(/[.\s]+$/, '');
    // An error text is short; a whole sentence after "Error:" is the person's own account of it.
    const count = value.split(/\s+/).length;
    if (count >= 2 && count <= 12) return value;
  }
  const plain = STATUS_PLAIN.exec(text);
  const status = HTTP_STATUS.exec(text);
  if (plain && (!status || plain.index <= status.index)) return plain[0];
  if (status?.[1]) {
    const value = status[1].trim();
    // "502 Bad Gateway", "Fout 500 - Interne serverfout", "erreur 404": the status with its words.
    if (STATUS_WORDS.test(value) || /\d{3}\s?[-–]?\s?\p{Lu}/u.test(value)) return value;
  }
  return null;
}
