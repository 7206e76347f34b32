import type { Attachment, Person, Turn } from '../types.ts';

/**
 * Terminal escape sequences (ANSI / ECMA-48), removed whole so no `[31m` is left behind: CSI (`ESC [`
 * or the C1 byte 0x9B, parameters, a final byte), OSC / DCS / SOS / PM / APC strings (up to BEL or ST,
 * or to the end of the text when unterminated), and two-character escapes (`ESC c`, `ESC 7`...).
 */
const ESCAPES = new RegExp(
  [
    '(?:\\u001b\\[|\\u009b)[0-?]*[ -/]*[@-~]?',
    '(?:\\u001b[\\]PX^_]|[\\u0090\\u0098\\u009d-\\u009f])[^\\u0007\\u001b\\u009c]*(?:\\u0007|\\u001b\\\\|\\u009c)?',
    '\\u001b[ -/]*[0-~]?',
  ].join('|'),
  'g',
);

/**
 * Characters that are not text but change how text shows: C0 controls but tab and line feed, DEL, C1
 * controls, the bidirectional embeddings, overrides, isolates and marks (U+202E makes `gpj.exe` of
 * `exe.jpg`), the byte order mark and the interlinear annotation marks.
 */
// biome-ignore lint/complexity/useRegexLiterals: as a literal it would be flagged for its control characters
const INVISIBLE = new RegExp(
  '[\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069\\ufeff\\ufff9-\\ufffb]',
  'g',
);

/**
 * Text as it may be stored and shown (tickets, previews, cards, the operator's terminal): escape
 * sequences and invisible control characters removed, line ends made `\n`. Tabs and line breaks stay.
 */
export function visibleText(text: string): string {
  return text
    .replace(/\r\n?|[\u2028\u2029\u0085]/g, '\n')
    .replace(ESCAPES, '')
    .replace(INVISIBLE, '');
}

/** {@link visibleText} on one line (a name, a title in a list): tabs and line breaks become spaces, ends trimmed. */
export function visibleLine(text: string): string {
  return visibleText(text)
    .replace(/[\t\n]+/g, ' ')
    .trim();
}

/** Whether a text holds anything {@link visibleText} would remove or change. */
export function hasInvisible(text: string): boolean {
  return visibleText(text) !== text;
}

function visiblePerson(person: Person): Person {
  return {
    ...person,
    ...(person.name !== undefined ? { name: visibleLine(person.name) } : {}),
    ...(person.email !== undefined ? { email: visibleLine(person.email) } : {}),
  };
}

function visibleAttachment(attachment: Attachment): Attachment {
  return { ...attachment, name: visibleLine(attachment.name), contentType: visibleLine(attachment.contentType) };
}

/**
 * A turn as a channel hands it to the core, made visible: what the person wrote, their name and e-mail
 * as the platform gives them, the files' names and a chosen value. Channels apply it where they build
 * the turn from a platform message, so nothing invisible reaches the state, a ticket or a card.
 */
export function visibleTurn(turn: Turn): Turn {
  return {
    ...turn,
    user: visiblePerson(turn.user),
    text: visibleText(turn.text),
    ...(turn.attachments ? { attachments: turn.attachments.map(visibleAttachment) } : {}),
    ...(turn.choice !== undefined ? { choice: visibleLine(turn.choice) } : {}),
  };
}

/**
 * A value as one JSON line safe for a terminal: what {@link visibleText} would remove is written as a
 * `\uXXXX` escape instead (JSON.stringify leaves DEL, C1 controls and bidi overrides as they are), so
 * the line keeps every character and a terminal shows it as text.
 */
export function jsonLine(value: unknown): string {
  return JSON.stringify(value).replace(
    /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff\ufff9-\ufffb]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
