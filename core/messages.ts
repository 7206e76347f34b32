import type { Config, Lang, MessageKey } from './config/schema.ts';

/** Fill `{name}` placeholders; unknown placeholders stay as written so a config typo is visible. */
export function fill(template: string, params: Record<string, string | number | undefined>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    return value === undefined ? whole : String(value);
  });
}

/** The helpdesk's own details, available to every message and referral as placeholders. */
export function helpdeskParams(config: Config, lang: Lang): Record<string, string> {
  const h = config.helpdesk;
  return {
    helpdesk: h.name[lang],
    phone: h.phone[lang],
    phone_nl: h.phone.nl,
    phone_fr: h.phone.fr,
    phone_en: h.phone.en,
    email: h.email,
    manual: h.manual_url ?? h.email,
    faq: h.faq_url ?? h.manual_url ?? h.email,
    changelog: h.changelog_url ?? h.manual_url ?? h.email,
  };
}

/** Render a configured message in a language, with the helpdesk's own details always available. */
export function say(
  config: Config,
  lang: Lang,
  key: MessageKey,
  params: Record<string, string | number | undefined> = {},
): string {
  return fill(config.messages[key][lang], { ...helpdeskParams(config, lang), ...params });
}
