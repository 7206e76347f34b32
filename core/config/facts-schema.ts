import { z } from 'zod';

// The bot's own answers (config/facts.yaml): facts about the helpdesk answered at once, and the word
// lists of the recognizers for lists of questions, promised dates, personal addresses and "is it fixed
// yet?". Kept apart from schema.ts, which imports it; this file imports nothing from there (no cycle).

const nonEmpty = z.string().trim().min(1, 'must not be empty');
const word = z.union([nonEmpty, z.number().transform(String)]);
const localized = z.object({ nl: nonEmpty, fr: nonEmpty, en: nonEmpty }).strict();
/** Phrases per language; a language may be left empty (the others still match: people mix languages). */
const phrases = z
  .object({ nl: z.array(word).default([]), fr: z.array(word).default([]), en: z.array(word).default([]) })
  .strict()
  .prefault({});
export type PhraseLists = z.infer<typeof phrases>;

/** The messages of the self-service answers, merged into `messages:` (every key in nl, fr and en). */
export const SELF_SERVICE_MESSAGE_KEYS = [
  'list_by_email',
  'list_choice_tickets',
  'list_choice_email',
  'list_email',
  'list_split',
  'date_no_promise',
  'date_release',
  'personal_address',
  'complaint_followup',
  'urgent_by_phone',
  'progress_own',
  'progress_colleague',
  'progress_changelog',
  'progress_none',
  'fact_more',
] as const;

/** The helpdesk's own details that only the facts use (the rest of `helpdesk:` is in schema.ts). */
export const helpdeskFactFields = {
  /** The FAQ / support pages, when apart from the manual. */
  faq_url: z.url().optional(),
  /** Where fixes and new versions are announced. */
  changelog_url: z.url().optional(),
  /** How fast the helpdesk answers, as a phrase ("within 4 working hours"). */
  reply_time: localized.optional(),
  /** Who may ask the helpdesk, as a phrase ("content editors, at most three per site"). */
  who_may_ask: localized.optional(),
};

/**
 * The situations an hours answer can be worded for; the bot picks one from the day and time the
 * message names (none: now) and falls back on the fact's `answer` when the fact has no text for it.
 */
export const HOURS_VARIANTS = [
  'now_open',
  'now_closed',
  'today_open',
  'today_closed',
  'day_open',
  'day_closed',
  'time_open',
  'time_closed',
] as const;
export type HoursVariant = (typeof HOURS_VARIANTS)[number];

/** Placeholders the bot fills in every fact answer (see docs/self-service.md). */
export const FACT_PLACEHOLDERS = [
  'helpdesk',
  'phone',
  'phone_nl',
  'phone_fr',
  'phone_en',
  'email',
  'manual',
  'faq',
  'changelog',
  'reply_time',
  'who_may_ask',
  'open',
  'close',
  'first_day',
  'last_day',
  'days',
  'next_opening',
  'day',
  'time',
  'close_after_workdays',
  'max_per_unit',
  'ticket_example',
] as const;

const factText = localized.superRefine((text, ctx) => {
  for (const [lang, value] of Object.entries(text)) {
    for (const [, name] of value.matchAll(/\{(\w+)\}/g)) {
      if (!(FACT_PLACEHOLDERS as readonly string[]).includes(name!)) {
        ctx.addIssue({
          code: 'custom',
          path: [lang],
          message: `unknown placeholder {${name}} (known: ${FACT_PLACEHOLDERS.join(', ')})`,
        });
      }
    }
  }
});

const fact = z
  .object({
    /** Questions people ask about this fact, as they ask them (any number, per language). */
    phrases: phrases,
    /** When given, a message must hold one of these words (or a word starting with one) to get this fact. */
    keywords: phrases.optional(),
    /** The answer, with placeholders the bot fills in. */
    answer: factText,
    /** Hours answers per situation (optional; the `answer` otherwise). */
    when: z
      .object(Object.fromEntries(HOURS_VARIANTS.map((v) => [v, factText.optional()])))
      .strict()
      .optional(),
    /** Least score for this fact (0-1); the section's `min_score` otherwise. */
    min_score: z.number().min(0).max(1).optional(),
    /** Said rather than asked ("ik heb een lijst met vragen"): a statement needs no more than `min_score`. */
    statement: z.boolean().optional(),
  })
  .strict()
  .superRefine((f, ctx) => {
    if (f.phrases.nl.length + f.phrases.fr.length + f.phrases.en.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['phrases'], message: 'a fact needs at least one phrase' });
    }
  });
export type Fact = z.infer<typeof fact>;

const dayWords = z
  .object({
    mon: phrases,
    tue: phrases,
    wed: phrases,
    thu: phrases,
    fri: phrases,
    sat: phrases,
    sun: phrases,
  })
  .strict()
  .prefault({});

const monthDay = z.string().regex(/^(\d{4}-)?\d{2}-\d{2}$/, 'use MM-DD (every year) or YYYY-MM-DD');

/** Words for days and times, so "morgen", "op zaterdag", "met Kerstmis", "na 17u" name a day or time. */
const calendar = z
  .object({
    today: phrases,
    tomorrow: phrases,
    day_after_tomorrow: phrases,
    weekdays: dayWords,
    /** Month names in order, January first (12 entries per language, or none). */
    months: z
      .object({
        nl: z.array(z.array(nonEmpty)).default([]),
        fr: z.array(z.array(nonEmpty)).default([]),
        en: z.array(z.array(nonEmpty)).default([]),
      })
      .strict()
      .prefault({}),
    /** Words before a clock time meaning later / earlier than it ("na 17u", "avant 8h"). */
    after: phrases,
    before: phrases,
    /** Other words that name a moment but not a day (next week, this evening): neutral for the scoring. */
    other: phrases,
    holidays: z
      .array(z.object({ names: z.array(nonEmpty).min(1), dates: z.array(monthDay).min(1) }).strict())
      .default([]),
  })
  .strict()
  .prefault({});
export type Calendar = z.infer<typeof calendar>;

export const factsSection = z
  .object({
    /** Least score (0-1) of a message against a fact's phrases for the fact to answer it. */
    min_score: z.number().min(0).max(1).default(0.5),
    /**
     * Least score of one sentence of a longer message ("Kan ik iemand bellen? Ik snap er niks van."): a
     * short sentence matches loosely, so it must ask (a question mark) and be this close to a fact's phrase.
     */
    sentence_min_score: z.number().min(0).max(1).default(0.85),
    /** A message must ask (a question mark, or one of these) to get a fact. */
    question_cues: phrases,
    /** Words of a request (breakage, "werkt niet"): a message with one never gets a fact. */
    not_when: phrases,
    /** Words that neither help nor hurt the scoring (greetings, politeness). */
    neutral: phrases,
    calendar,
    items: z.record(z.string().regex(/^[a-z][a-z0-9_]*$/, 'use lower case, digits and _'), fact).default({}),
  })
  .strict()
  .prefault({});
export type FactsConfig = z.infer<typeof factsSection>;

export const selfServiceSection = z
  .object({
    /** A list of questions: words that announce one ("ik heb een paar vragen:"), and words a question starts with. */
    lists: z
      .object({ intro: phrases, question_starts: phrases, min_items: z.number().int().min(2).default(3) })
      .strict()
      .prefault({}),
    /** A promised date: "wanneer ... klaar?", "tegen vrijdag klaar?". */
    dates: z
      .object({
        when: phrases,
        done: phrases,
        by: phrases,
        ask: phrases,
        /** Whole phrases that ask for a date by themselves ("release date"). */
        phrases: phrases,
        not_when: phrases,
      })
      .strict()
      .prefault({}),
    /** "I mailed Jan on his own address". */
    personal: z
      .object({
        mailed: phrases,
        /** Strong: the person's own address said in words. */
        own_address: phrases,
        /** Weak: "directly": only with a name or an agent word. */
        directly: phrases,
        /** Words for one of the helpdesk's people ("jullie collega", "votre collègue"). */
        agent: phrases,
        /** The person speaks of themselves (first person), so the mail is theirs. */
        first_person: phrases,
      })
      .strict()
      .prefault({}),
    /** "Is it fixed yet?" / "nog nieuws over ...?" */
    progress: z
      .object({
        cues: phrases,
        /** Breakage words: with one (and no word of persistence) the message is a new incident. */
        new_incident: phrases,
        /** "nog altijd", "still": the breakage is the known one. */
        persistence: phrases,
        /** Words dropped at the start and end of the subject ("over", "concernant", "about"). */
        lead_words: phrases,
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .prefault({});
export type SelfServiceConfig = z.infer<typeof selfServiceSection>;
