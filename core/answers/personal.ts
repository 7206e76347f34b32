import type { Config, Lang } from '../config/schema.ts';
import { FUNCTION_WORD_SET } from '../text/lang.ts';
import { fold } from '../text/normalize.ts';
import { Cues, cueText, sentences } from './text.ts';

export interface PersonalMail {
  /** The agent named ("Jan", or the address written), when the message names one. */
  agent: string | null;
}

export interface Personal {
  /**
   * The person says they mailed (or wrote) an agent's own address: "ik had Jan al gemaild op zijn eigen
   * adres", "j'ai envoyé un mail directement à Sophie". Null for mails to the helpdesk, to parents, etc.
   */
  mailedPersonalAddress(text: string, lang: Lang): PersonalMail | null;
}

const EMAIL = /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g;
/** A capitalised word that may be a first name (two letters or more, not all capitals). */
const NAME = /(?<![\p{L}\p{N}@.])\p{Lu}\p{Ll}+(?:-\p{Lu}\p{Ll}+)?(?![\p{L}@])/gu;

export function buildPersonal(config: Config): Personal {
  const p = config.self_service.personal;
  const mailed = new Cues(p.mailed);
  const own = new Cues(p.own_address);
  const directly = new Cues(p.directly);
  const agentWords = new Cues(p.agent);
  const firstPerson = new Cues(p.first_person);
  const helpdesk = config.helpdesk.email.toLowerCase();
  const domain = helpdesk.split('@')[1] ?? '';
  const helpdeskWords = new Set(Object.values(config.helpdesk.name).flatMap((n) => fold(n).split(/\s+/)));

  /** A first name in the sentence that is not its first word and not a function or helpdesk word. */
  const nameIn = (sentence: string): string | null => {
    for (const m of sentence.matchAll(NAME)) {
      const before = sentence.slice(0, m.index ?? 0).trim();
      if (before === '' || /[.!?:]$/.test(before)) continue;
      const w = fold(m[0]);
      if (FUNCTION_WORD_SET.has(w) || helpdeskWords.has(w) || w === 'helpdesk') continue;
      return m[0];
    }
    return null;
  };

  return {
    mailedPersonalAddress(text, lang) {
      for (const sentence of sentences(text)) {
        const folded = cueText(sentence);
        if (!mailed.has(folded, lang) || !firstPerson.has(folded, lang)) continue;
        // An address written out: the helpdesk's own is fine; another at the helpdesk's domain is an agent's.
        const addresses = (sentence.match(EMAIL) ?? []).map((a) => a.toLowerCase());
        const agentAddress = addresses.find((a) => a !== helpdesk && domain !== '' && a.endsWith(`@${domain}`));
        if (agentAddress) return { agent: agentAddress };
        if (addresses.includes(helpdesk)) continue;
        const name = nameIn(sentence);
        if (own.has(folded, lang)) return { agent: name };
        if (agentWords.has(folded, lang)) return { agent: name };
        if (directly.has(folded, lang) && name) return { agent: name };
      }
      return null;
    },
  };
}

/** The `{agent}` of the `personal_address` message: " (Jan)" when a name or address was given, else "". */
export function agentSuffix(mail: PersonalMail): string {
  return mail.agent ? ` (${mail.agent})` : '';
}
