import type { Config, Lang } from '../config/schema.ts';
import { Cues, cueText, sentences } from './text.ts';

export interface ProgressAsk {
  /** The rest of the message (the cue and filler words taken off): what to match against open tickets and the changelog. Empty when the message names nothing ("is het al opgelost?"). */
  subject: string;
  /** A ticket number quoted in the message (prefix-digits), if any. */
  ticket: string | null;
}

export interface Progress {
  /**
   * "Is het al opgelost?", "nog nieuws over de rapporten?", "is it fixed yet?": the person asks how far a
   * known problem or earlier request is. Null for anything else, and for a new incident that happens to
   * hold such words ("het rapport is nog niet opgelost en nu crasht ook de export").
   */
  asksProgress(text: string, lang: Lang): ProgressAsk | null;
}

export function buildProgress(config: Config): Progress {
  const p = config.self_service.progress;
  const cues = new Cues(p.cues);
  const incident = new Cues(p.new_incident);
  const persistence = new Cues(p.persistence);
  const lead = new Cues(p.lead_words);
  const ticketPattern = new RegExp(`\\b${config.ticket_prefix}-[0-9A-Z]{4,10}\\b`, 'i');

  /** Filler words off both ends of the subject, repeatedly ("over het probleem met de rapporten"). */
  const trimLead = (subject: string, lang: Lang): string => {
    let s = subject;
    for (let changed = true; changed; ) {
      changed = false;
      const folded = cueText(s);
      for (const w of lead.all(lang)) {
        if (folded.startsWith(`${w} `) || folded === w) {
          s = s.trimStart().slice(w.length).trimStart();
          changed = true;
          break;
        }
        if (folded.endsWith(` ${w}`)) {
          s = s.trimEnd().slice(0, -w.length).trimEnd();
          changed = true;
          break;
        }
      }
    }
    return s;
  };

  return {
    asksProgress(text, lang) {
      const folded = cueText(text);
      const hits = cues.findAll(folded, lang);
      if (hits.length === 0) return null;
      const ticket = text.match(ticketPattern)?.[0]?.toUpperCase() ?? null;
      // The message without its cues: a breakage there is new, unless said to persist ("crasht nog altijd").
      let rest = folded;
      for (const h of [...hits].reverse()) rest = `${rest.slice(0, h.start)} ${rest.slice(h.end)}`;
      if (!ticket && incident.has(rest, lang) && !persistence.has(rest, lang)) return null;
      // The subject: the asking sentence without its cues, ticket number, punctuation and filler words;
      // when that leaves nothing ("Is het al opgelost? De rapporten crashen nog altijd"), the other sentences.
      const parts = sentences(text);
      const asking = parts.findIndex((p) => cues.has(cueText(p), lang));
      const subjectOf = (part: string) => {
        const written = part.replace(/\s+/g, ' ').trim();
        const folded = cueText(written);
        let rest = written.length === folded.length ? written : folded;
        for (const h of cues.findAll(folded, lang).reverse()) rest = `${rest.slice(0, h.start)} ${rest.slice(h.end)}`;
        rest = trimLead(rest.replace(ticketPattern, ' ').replace(/\s+/g, ' ').trim(), lang);
        return trimLead(
          rest
            .replace(/[?!.,;:()"«»]+/g, ' ')
            .replace(/\s+/g, ' ')
            .trim(),
          lang,
        );
      };
      let subject = asking >= 0 ? subjectOf(parts[asking]!) : '';
      if (!subject) subject = subjectOf(parts.filter((_, i) => i !== asking).join(' '));
      return { subject, ticket };
    },
  };
}
