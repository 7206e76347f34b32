// Ticket titles and subject names: a request's first sentence, without the greeting.

const GREETING =
  /^(dag|hallo|hoi|hey|hi|hello|dear|beste|goeie?(morgen|middag|dag|avond)|goede(morgen|middag|navond)|bonjour|bonsoir|salut)\b[\s,!.:-]*/iu;

/** A ticket title: the first sentence of the request without greeting, at most ~90 characters. */
export function summarise(text: string): string {
  let s = text.replace(/\s+/g, ' ').trim();
  for (let i = 0; i < 2; i++) s = s.replace(GREETING, '').replace(/^(helpdesk|team)\b[\s,!.:-]*/i, '');
  // Skip a short opening that only says who is writing ("AKW hier.", "Hier KA Kortrijk.").
  for (let i = 0; i < 2; i++) {
    const opening = /^([^.!?]{0,40}[.!?])\s+(?=\S)/u.exec(s);
    if (!opening || opening[1]!.split(/\s+/).length > 3) break;
    s = s.slice(opening[0].length);
  }
  const sentence = /^(.{12,}?[.!?])(\s|$)/u.exec(s)?.[1] ?? s;
  const clipped = sentence.length <= 90 ? sentence : `${sentence.slice(0, 87).replace(/\s+\S*$/, '')}...`;
  return clipped.charAt(0).toUpperCase() + clipped.slice(1);
}

/** A subject named inside a message: its summary without the closing full stop (a cut stays marked "..."). */
export function subjectOf(text: string): string {
  const summary = summarise(withoutPreamble(text));
  return summary.endsWith('...') ? summary : summary.replace(/[.!]+$/u, '');
}

/**
 * The text without a short announcing clause ("Twee vragen:", "Deux demandes :", "Quick question -") or a
 * first sentence that only says who is writing ("Hier de academie van Lier.", "Ici l'Académie X.").
 */
export function withoutPreamble(text: string): string {
  let s = text.trim();
  const announce = /^([^.!?:\n]{1,40}?)\s*[:–-]\s+(?=\S)/u.exec(s);
  if (announce && announce[1]!.trim().split(/\s+/).length <= 4 && s.length > announce[0].length + 12) {
    s = s.slice(announce[0].length);
  }
  const intro = /^(?:hier|ici|this is|c'est|met)\b[^.!?\n]{0,80}[.!?\n]\s*(?=\S)/iu.exec(s);
  if (intro && s.length > intro[0].length + 12) s = s.slice(intro[0].length);
  return s.charAt(0).toUpperCase() + s.slice(1);
}
