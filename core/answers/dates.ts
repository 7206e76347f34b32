import type { Config, Lang } from '../config/schema.ts';
import { CalendarReader } from './calendar.ts';
import { Cues, cueText, sentences } from './text.ts';

/** The person asks the helpdesk for a date: when something will be ready, or that it be ready by a day. */
export interface DateAsk {
  /** `deadline`: "can you have it done by Friday?" (a wish to note on the ticket); `when`: "when will it be fixed?". */
  kind: 'deadline' | 'when';
  /** The sentence that asks, as written (to note on the ticket). */
  wish: string;
}

export interface Dates {
  /**
   * Whether the message asks for a promised date or deadline; null when it does not, also when it only
   * mentions one ("the deadline for the reports is Friday and the report crashes": an incident).
   */
  asksForDate(text: string, lang: Lang): DateAsk | null;
}

/** Words between a "by" word and the day it governs ("tegen eind volgende week"). */
const BY_REACH = 30;

export function buildDates(config: Config): Dates {
  const s = config.self_service.dates;
  const when = new Cues(s.when);
  const done = new Cues(s.done);
  const by = new Cues(s.by);
  const ask = new Cues(s.ask);
  const direct = new Cues(s.phrases);
  const calm = new Cues(s.not_when);
  const calendar = new CalendarReader(config.facts.calendar);
  const weeks = new Cues(config.facts.calendar.other);

  /** A "by" word followed closely by a day, a date or a period ("tegen vrijdag", "d'ici la fin du mois"). */
  const byDay = (folded: string, lang: Lang) =>
    by.findAll(folded, lang).some((hit) => {
      const after = folded.slice(hit.end, hit.end + BY_REACH);
      return calendar.namesMoment(after) || weeks.has(after.split(/[,.;!?]/)[0] ?? '', lang);
    });

  return {
    asksForDate(text, lang) {
      const whole = cueText(text);
      if (calm.has(whole, lang)) return null;
      for (const sentence of sentences(text)) {
        const folded = cueText(sentence);
        const question = sentence.includes('?');
        if (direct.has(folded, lang) && (question || ask.has(folded, lang))) return { kind: 'when', wish: sentence };
        const finished = done.has(folded, lang);
        if (!finished) continue;
        // "Wanneer is dit opgelost?": a question about when; "wanneer ik afdruk, valt het uit." is not one.
        if (when.has(folded, lang) && question) return { kind: 'when', wish: sentence };
        // "Kunnen jullie dat tegen vrijdag klaar hebben?": a day asked for.
        if (byDay(folded, lang) && (question || ask.has(folded, lang))) return { kind: 'deadline', wish: sentence };
      }
      return null;
    },
  };
}
