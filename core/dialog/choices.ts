// Buttons and words shared by several questions: yes / no, join / new, the unit's name.
import type { Lang } from '../config/schema.ts';
import { say } from '../messages.ts';
import type { Reply, Turn } from '../types.ts';
import type { Dialog } from './context.ts';

/** The yes / no buttons, worded in the conversation's language. */
export function yesNo(d: Dialog, lang: Lang): Reply['choices'] {
  return [
    { value: 'yes', label: d.config.answers.yes[lang][0] ?? 'yes' },
    { value: 'no', label: d.config.answers.no[lang][0] ?? 'no' },
  ];
}

/** A yes / no answer: the button pressed, or the words typed in any language; null when neither. */
export function yesOrNo(d: Dialog, input: Turn): 'yes' | 'no' | null {
  if (input.choice === 'yes' || input.choice === 'no') return input.choice;
  return d.kit.yesNo(input.text);
}

/** Add my details to that ticket, or a new one: the buttons of every offer of an open ticket. */
export function joinChoices(d: Dialog, lang: Lang): Reply['choices'] {
  return [
    { value: 'add', label: say(d.config, lang, 'duplicate_add') },
    { value: 'new', label: say(d.config, lang, 'duplicate_new') },
  ];
}

/** "academie" / "site": what the person's organisation is called in this profile, as a word in a sentence. */
export function unitWord(d: Dialog, lang: Lang, site: boolean): string {
  return d.config.vocabulary.slots[site ? 'site_id' : 'academy'][lang].toLowerCase();
}
