import { z } from 'zod';
import { factsSection, helpdeskFactFields, SELF_SERVICE_MESSAGE_KEYS, selfServiceSection } from './facts-schema.ts';
import { learningSection } from './learning.ts';

export * from './labels.ts';

import { IN_SCOPE_LABELS, type InScopeLabel, LABELS, LANGS, OOS_REASONS, type OosReason } from './labels.ts';

/** Details a message itself can hold, with canonical values (the labelled data's `slots`). */
export const MESSAGE_SLOTS = [
  'academy',
  'site_id',
  'screen',
  'student',
  'url',
  'error_message',
  'email',
  'phone',
] as const;

/** Details the bot can gather; the names are the CLI contract's slot names. */
export const SLOTS = [...MESSAGE_SLOTS, 'name', 'screenshot', 'description'] as const;
export type Slot = (typeof SLOTS)[number];

const nonEmpty = z.string().trim().min(1, 'must not be empty');
/** A word or phrase in a list; YAML reads `404` as a number, which is meant as the word "404". */
const word = z.union([nonEmpty, z.number().transform(String)]);

/** A text in every language the bot speaks. */
const localized = z.object({ nl: nonEmpty, fr: nonEmpty, en: nonEmpty }).strict();
export type Localized = z.infer<typeof localized>;

const academy = z
  .object({
    code: nonEmpty,
    name: nonEmpty,
    town: nonEmpty,
    town_fr: nonEmpty.optional(),
    aliases: z.array(nonEmpty).default([]),
  })
  .strict();

const screen = z
  .object({
    id: nonEmpty,
    name: nonEmpty,
    aliases: z.array(word).default([]),
    /** Words that name this screen only weakly (e.g. "leerkrachten"): used when nothing stronger is said. */
    weak_aliases: z.array(word).default([]),
  })
  .strict();

const site = z
  .object({
    id: z.string().regex(/^\d{4}$/, 'a site id has exactly 4 digits'),
    name: nonEmpty,
    url: z.url(),
    aliases: z.array(nonEmpty).default([]),
  })
  .strict();

const intent = z
  .object({
    label: z.enum(LABELS),
    reason: z.enum(OOS_REASONS).optional(),
    /** Example phrases in any of the bot's languages; the classifier learns from them. */
    examples: z.array(nonEmpty).min(1, 'an intent needs at least one example phrase'),
    /**
     * Messages from the helpdesk's own tickets (added by `triage learn` and `--history`, not typed in YAML):
     * the classifier also re-estimates its class priors from them (`classifier.history_priors`).
     */
    learned: z.boolean().optional(),
    /** How much each example weighs against one configured phrase (`learning.weight` for learned ones). */
    weight: z.number().positive().max(10).optional(),
  })
  .strict();

const detailRule = z
  .object({
    slot: z.enum(SLOTS),
    /** Required details are asked again once when not answered; optional ones accept "I don't know". */
    required: z.boolean().default(true),
    /** The rule is satisfied when any of these other details is known too (e.g. an error text instead of a screenshot). */
    alternatives: z.array(z.enum(SLOTS)).default([]),
    /** Only ask when the screen is one of these. */
    when_screen: z.array(nonEmpty).optional(),
    /**
     * Not asked when the request says one of these, in any language (a login problem has no screen; "all
     * students" names no one student); matched on folded words like the lexicon's cues.
     */
    unless: z.array(nonEmpty).optional(),
    /** Only ask for these kinds of out-of-scope override etc.; reserved for urgency. */
    when_urgent: z.boolean().optional(),
  })
  .strict();
export type DetailRule = z.infer<typeof detailRule>;

/** Phrases per language; `a|b` either word, `..` a short gap without a negation. */
const signalPhrases = z
  .object({ nl: z.array(nonEmpty).default([]), fr: z.array(nonEmpty).default([]), en: z.array(nonEmpty).default([]) })
  .strict();

const scopeReason = z
  .object({
    /** Why the helpdesk does not handle it, one or two sentences. */
    explain: localized,
    /** What to do instead. */
    referral: localized,
    /** The kind of request when the person says it is not this after all (default: the classifier's best guess). */
    resume_as: z.enum(IN_SCOPE_LABELS).optional(),
    /**
     * Near the boundary (out of scope, but not sure), ask this yes/no question instead of refusing;
     * `out_of_scope_if` says which answer confirms the refusal.
     */
    clarify: z
      .object({ question: localized, out_of_scope_if: z.enum(['yes', 'no']) })
      .strict()
      .optional(),
    /**
     * What people say that puts the cause on one side (see core/classify/scope.ts): `ours` lifts this
     * refusal ("it types fine in Notepad"), `theirs` makes an in-scope verdict this refusal ("same in
     * Word since I spilled coffee on it") when the text also names a word of each lexicon in `needs`.
     */
    signals: z
      .object({
        ours: signalPhrases.optional(),
        theirs: signalPhrases.optional(),
        needs: z.array(nonEmpty).default([]),
        /** Phrases that stand in for `needs` (a consequence the lexicons do not hold: "field not found"). */
        needs_or: signalPhrases.optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

/** A manual / FAQ page the bot may propose before filing a question. */
const article = z
  .object({
    id: nonEmpty,
    title: nonEmpty,
    url: z.url(),
    /** The language the page is written in (`any`: proposed whatever the person speaks). */
    lang: z.enum([...LANGS, 'any']).default('any'),
    /** Words and phrases that name the page's subject (matched on stems, accents ignored). */
    keywords: z.array(word).default([]),
    /** Questions the page answers, as people ask them. */
    phrases: z.array(nonEmpty).default([]),
  })
  .strict();

const changelogEntry = article.extend({
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'use YYYY-MM-DD'),
});

const person = z.object({ name: nonEmpty, email: z.email().optional() }).strict();

const weekday = z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']);
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'use HH:MM (24 hours)');

const hours = z
  .object({
    timezone: nonEmpty.default('Europe/Brussels'),
    days: z.array(weekday).default(['mon', 'tue', 'wed', 'thu', 'fri']),
    open: hhmm.default('08:30'),
    close: hhmm.default('17:00'),
    /** Public holidays and closing days, as YYYY-MM-DD. */
    closed: z.array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'use YYYY-MM-DD')).default([]),
  })
  .strict();

const MESSAGE_KEYS = [
  'acknowledged',
  'nothing_to_file',
  'named_agent_go_on',
  'thanks_reply',
  'greeting_reply',
  'status_waiting',
  'status_which',
  'unmatched_kept',
  'unmatched_note',
  'filed_urgent_closed',
  'filed_by_mail',
  'ask_academy',
  'ask_site_id',
  'ask_screen',
  'ask_student',
  'ask_url',
  'ask_error_message',
  'ask_email',
  'ask_phone',
  'ask_name',
  'ask_screenshot',
  'ask_description',
  'ask_description_question',
  'ask_url_change',
  'ask_description_complaint',
  'retry',
  'retry_noted',
  'corrected',
  'status_not_yet',
  'fact_go_on',
  'resolved_noted',
  'ask_unknown',
  'ask_label',
  'label_choice_question',
  'label_choice_incident',
  'label_choice_change',
  'label_choice_complaint',
  'label_retry',
  'rejected',
  'rejected_again',
  'override_resumed',
  'filed',
  'filed_urgent',
  'filed_outside_hours',
  'filed_partial',
  'multi_subject',
  'handoff',
  'handoff_outside_hours',
  'skip_ack',
  'cancelled',
  'empty',
  'ticket_failed',
  'ticket_queued',
  'ticket_late',
  'preview',
  'preview_send',
  'preview_intro',
  'preview_question',
  'turn_failed',
  'not_saved',
  'welcome',
  'preview_edit',
  'ask_edit',
  'multi_split',
  'multi_next',
  'multi_kept',
  'addendum_added',
  'subject_later',
  'addendum_failed',
  'addendum_wait',
  'filed_subject',
  'cancelled_rest',
  'closed_rest',
  'multi_list',
  'clarify_retry',
  'kb_proposal',
  'kb_resolved',
  'kb_go_on',
  'changelog_known',
  'not_registered',
  'not_registered_refused',
  'billable_warning',
  'billable_declined',
  'duplicate_found',
  'duplicate_same_person',
  'duplicate_added',
  'named_agent',
  'handoff_claimed',
  'agent_says',
  'handoff_queue',
  'handoff_resolved',
  'handoff_returned',
  'status_open',
  'status_pending',
  'status_resolved',
  'status_closed',
  'status_unknown',
  'status_not_found',
  'duplicate_retry',
  'duplicate_colleague',
  'duplicate_add',
  'duplicate_new',
  'reminder',
  'closed_no_reaction',
  'opens_at',
  // The agent desk's card and hints (agents read them, in the default language).
  'desk_card',
  'desk_requester',
  'desk_kind',
  'desk_urgency',
  'desk_urgent',
  'desk_normal',
  'desk_ticket',
  'desk_bot',
  'desk_transcript',
  'desk_transcript_in_thread',
  'desk_claim',
  'desk_resolve',
  'desk_return',
  'desk_claimed',
  'desk_resolved',
  'desk_returned',
  'desk_claim_first',
  'desk_not_yours',
  'desk_already_claimed',
  'desk_ended',
  'desk_reminder',
  'desk_files_not_sent',
  'desk_mention_bot',
  'desk_correct_kind',
  'desk_kind_corrected',
  'desk_kind_not_found',
  'desk_out_of_scope',
  'desk_oos_hardware',
  'desk_oos_os',
  'desk_oos_network',
  'desk_oos_backup',
  'desk_oos_training',
  'desk_oos_onsite',
  'desk_oos_own_modification',
  'desk_oos_other',
  'limit_text',
  'limit_attachments',
  'limit_attachment_size',
  'limit_attachment_type',
  ...SELF_SERVICE_MESSAGE_KEYS,
] as const;
export type MessageKey = (typeof MESSAGE_KEYS)[number];

const messages = z.object(
  Object.fromEntries(MESSAGE_KEYS.map((key) => [key, localized])) as Record<MessageKey, typeof localized>,
);

/** Phrase lists per language, used to recognise short answers and commands. */
const phraseList = z.object({ nl: z.array(word), fr: z.array(word), en: z.array(word) }).strict();

/** The ticket systems the bot can file into (see README "Ticket systems"). */
export const TICKET_ADAPTERS = ['local', 'email', 'webhook', 'freshdesk', 'jira', 'topdesk'] as const;
export type TicketAdapter = (typeof TICKET_ADAPTERS)[number];

/** Secrets are never in the config: only the name of the environment variable that holds one. */
const envName = z
  .string()
  .regex(/^[A-Z_][A-Z0-9_]*$/, 'the name of an environment variable (capitals, digits, _), not the secret itself');

/** One value per kind of request, each optional. */
const perKind = <T extends z.ZodType>(value: T) =>
  z
    .object({
      question: value.optional(),
      incident: value.optional(),
      change: value.optional(),
      complaint: value.optional(),
    })
    .strict();

/** Detail (slot) -> a field of the ticket system. */
const slotFields = (field: z.ZodString) =>
  z.object(Object.fromEntries([...MESSAGE_SLOTS, 'name'].map((s) => [s, field.optional()]))).strict();

const priorityNames = z.object({ high: nonEmpty, normal: nonEmpty }).strict();

const ticketsSection = z
  .object({
    /** Where tickets go; `local` (JSON files under the data folder) needs no server. */
    adapter: z.enum(TICKET_ADAPTERS).default('local'),
    /** The ticket system mails the person their ticket number (the bot then says so; the local store does not). */
    requester_notified: z.boolean().default(false),
    delivery: z
      .object({
        /** How long a turn waits for the ticket system before saying "registered, the number follows". */
        wait_seconds: z.number().min(0).max(60).default(4),
        /** Per request to the ticket system. */
        timeout_seconds: z.number().positive().max(300).default(15),
        /** Attempts in all before a ticket becomes a dead letter (`triage tickets failed`). */
        max_attempts: z.number().int().min(1).max(100).default(12),
        first_retry_seconds: z.number().positive().default(10),
        max_retry_seconds: z.number().positive().default(3600),
      })
      .strict()
      .prefault({}),
    email: z
      .object({
        /** The helpdesk's ticket address. */
        to: z.email(),
        from: z.email(),
        host: nonEmpty,
        port: z.number().int().min(1).max(65535).default(587),
        /** TLS from the start (port 465); otherwise STARTTLS. */
        secure: z.boolean().default(false),
        require_tls: z.boolean().default(true),
        /** When this variable is unset the server is used without login (a local relay). */
        user_env: envName.default('TRIAGE_SMTP_USER'),
        password_env: envName.default('TRIAGE_SMTP_PASSWORD'),
      })
      .strict()
      .optional(),
    webhook: z
      .object({
        url: z.url(),
        /** GET URL answering `{"status": ...}`; `{id}` is the ticket id. */
        status_url: nonEmpty.optional(),
        secret_env: envName.default('TRIAGE_WEBHOOK_SECRET'),
      })
      .strict()
      .optional(),
    freshdesk: z
      .object({
        /** `https://yourcompany.freshdesk.com` */
        url: z.url(),
        api_key_env: envName.default('FRESHDESK_API_KEY'),
        types: perKind(nonEmpty).default({ question: 'Question', incident: 'Incident', change: 'Feature Request' }),
        /** Freshdesk priorities: 1 low, 2 medium, 3 high, 4 urgent. */
        priority: z
          .object({ high: z.number().int().min(1).max(4), normal: z.number().int().min(1).max(4) })
          .strict()
          .default({ high: 3, normal: 2 }),
        /** Freshdesk source id of the ticket (7: chat). */
        source: z.number().int().min(1).default(7),
        tags: z.array(nonEmpty).default(['triage-bot']),
        group_id: z.number().int().optional(),
        custom_fields: slotFields(z.string().regex(/^cf_\w+$/, 'a Freshdesk custom field name (cf_...)')).default({}),
        /** Where the ticket's external reference goes, so a repeat finds it: a tag, a cf_ text field, or none. */
        external_ref: z
          .union([z.enum(['tag', 'none']), z.string().regex(/^cf_\w+$/, 'tag, none, or a custom field (cf_...)')])
          .default('tag'),
      })
      .strict()
      .optional(),
    jira: z
      .object({
        /** `https://yourcompany.atlassian.net` */
        url: z.url(),
        /** basic: Atlassian account e-mail + API token (Cloud); bearer: a personal access token (Data Center). */
        auth: z.enum(['basic', 'bearer']).default('basic'),
        email_env: envName.default('JIRA_EMAIL'),
        token_env: envName.default('JIRA_API_TOKEN'),
        service_desk_id: z.union([nonEmpty, z.number().int().transform(String)]),
        /** Request type id per kind of request. */
        request_types: z
          .object({
            question: z.union([nonEmpty, z.number().int().transform(String)]),
            incident: z.union([nonEmpty, z.number().int().transform(String)]),
            change: z.union([nonEmpty, z.number().int().transform(String)]),
            complaint: z.union([nonEmpty, z.number().int().transform(String)]),
          })
          .strict(),
        /** Priority names, when the request types show the priority field. */
        priority: priorityNames.optional(),
        custom_fields: slotFields(z.string().regex(/^customfield_\d+$/, 'a field id (customfield_10050)')).default({}),
        /** A text field on every request type holding the external reference; without it a repeat cannot be found. */
        external_ref_field: z
          .string()
          .regex(/^customfield_\d+$/, 'a field id (customfield_10050)')
          .optional(),
        /** Search API: Cloud (`/rest/api/3/search/jql`) or Data Center (`/rest/api/2/search`). */
        deployment: z.enum(['cloud', 'datacenter']).default('cloud'),
      })
      .strict()
      .optional(),
    topdesk: z
      .object({
        /** `https://yourcompany.topdesk.net` */
        url: z.url(),
        username_env: envName.default('TOPDESK_USERNAME'),
        /** An application password of that operator. */
        password_env: envName.default('TOPDESK_APP_PASSWORD'),
        categories: perKind(
          z.object({ category: nonEmpty.optional(), subcategory: nonEmpty.optional() }).strict(),
        ).default({}),
        call_types: perKind(nonEmpty).default({}),
        priority: priorityNames.optional(),
        entry_type: nonEmpty.optional(),
        operator_group: nonEmpty.optional(),
        /** Person id incidents fall back to when the requester's e-mail is not a registered person. */
        default_caller_id: nonEmpty.optional(),
        /** Detail -> free field of optionalFields1 (text1..text5). */
        optional_fields: slotFields(z.string().regex(/^text[1-5]$/, 'text1 .. text5')).default({}),
      })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((t, ctx) => {
    if (t.adapter !== 'local' && t[t.adapter] === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: [t.adapter],
        message: `tickets.adapter is ${t.adapter}: this section is required`,
      });
    }
  });
export type TicketsConfig = z.infer<typeof ticketsSection>;

export const configSchema = z
  .object({
    profile: nonEmpty,
    /** Files whose content this one extends (merged first, this file on top). */
    extends: z.union([nonEmpty, z.array(nonEmpty)]).optional(),
    default_language: z.enum(LANGS).default('nl'),
    ticket_prefix: z
      .string()
      .regex(/^[A-Z]{1,6}$/, 'use 1 to 6 capital letters')
      .default('HD'),
    helpdesk: z
      .object({
        name: localized,
        phone: localized,
        email: nonEmpty,
        manual_url: z.url().optional(),
        hours,
        ...helpdeskFactFields,
      })
      .strict(),
    classifier: z
      .object({
        /** Below this confidence the bot asks the person to choose the kind of request. */
        ask_threshold: z.number().min(0).max(1).default(0.4),
        /** Out of scope only when at least this sure; otherwise triage goes on as in scope. */
        reject_threshold: z.number().min(0).max(1).default(0.5),
        /** Out of scope but below this: ask the reason's clarifying question (when it has one) instead of refusing. */
        clarify_threshold: z.number().min(0).max(1).default(0.7),
        /** Divides the model's logits before the softmax; fitted by `triage calibrate` so confidence means probability. */
        temperature: z.number().positive().default(1),
        /** Factor on the out-of-scope probability when the message names nothing from an out-of-scope word list. */
        oos_without_evidence: z.number().min(0).max(1).default(0.3),
        epochs: z.number().int().min(1).max(500).default(60),
        /** Models averaged, each trained on its own order of the phrases (steadier on borderline messages). */
        ensemble: z.number().int().min(1).max(9).default(1),
        l2: z.number().min(0).default(0.0005),
        learning_rate: z.number().positive().default(0.5),
        /**
         * With learned examples (the helpdesk's own tickets): how strongly the class priors are re-estimated
         * from them (0: not at all, 1: fully). Phrases are short and every kind weighs the same in training;
         * real tickets are longer and come in other proportions, so the phrase model leans towards some
         * kinds on them. That lean, measured on the tickets, is taken off the logits.
         */
        history_priors: z.number().min(0).max(2).default(1),
        /** Letter n-grams of this length inside longer words as features (0: none): compounds, typos, missing accents. */
        char_ngrams: z.number().int().min(0).max(6).default(0),
        /** Words that open a message ("Dag", "Bonjour à tous"): read past, not weighed. */
        greetings: z.array(word).default([]),
        /** Words that open a signature ("Groeten", "Merci d'avance", "Kind regards"): the rest is not the request. */
        closings: z.array(word).default([]),
      })
      .strict()
      .prefault({}),
    /** Named word lists; each becomes a feature the classifier weighs (e.g. breakage, request, dissatisfaction). */
    lexicon: z.record(z.string().regex(/^[a-z_]+$/, 'use lower case and _'), z.array(word)),
    intents: z.record(nonEmpty, intent),
    urgency: z
      .object({
        cues: z.array(word).min(1),
        /** Words written in capitals that are names of formats or systems, not shouting ("XLSX en DOCX"). */
        acronyms: z.array(word).default([]),
      })
      .strict(),
    multi_subject: z
      .object({
        cues: z.array(word).min(1),
        /**
         * Inside one sentence of a message that announced several subjects ("Twee dingen: ..."), where
         * the next one starts: "en kunnen jullie ook", "and could you also".
         */
        joins: z.array(word).default([]),
        /** Up to this many subjects, each becomes its own ticket; a longer list gets the e-mail advice. */
        max_split: z.number().int().min(1).max(10).default(3),
      })
      .strict(),
    /** The manual and FAQ, proposed before a question is filed; the changelog of fixed general problems. */
    knowledge: z
      .object({
        /** Least similarity (0-1) for an article to be proposed. */
        min_score: z.number().min(0).max(1).default(0.3),
        max_proposals: z.number().int().min(1).max(5).default(3),
        /** "Is it fixed yet?": with one of these, a changelog entry on the subject is proposed. */
        fixed_cues: z.array(word).default([]),
        articles: z.array(article).default([]),
        changelog: z.array(changelogEntry).default([]),
      })
      .strict()
      .prefault({}),
    /** Who may ask: the reference persons per academy code / editors per site id. */
    registry: z
      .object({
        /** off: anyone; mark: not listed still reaches the desk, marked; refuse: not listed is refused. */
        mode: z.enum(['off', 'mark', 'refuse']).default('off'),
        /** Most people one academy or site may register (the web desk: three editors). */
        max_per_unit: z.number().int().min(1).optional(),
        people: z.record(nonEmpty, z.array(person)).default({}),
      })
      .strict()
      .prefault({}),
    /** Requests outside the maintenance contract: warned before filing that they may be charged. */
    billing: z
      .object({
        rules: z
          .array(
            z
              .object({
                id: nonEmpty,
                labels: z.array(z.enum(IN_SCOPE_LABELS)).min(1).default(['change']),
                cues: z.array(word).min(1),
              })
              .strict(),
          )
          .default([]),
      })
      .strict()
      .prefault({}),
    /** Ask once: an open ticket on the same subject from the same academy or site is offered instead. */
    duplicates: z
      .object({
        window_days: z.number().int().min(0).default(14),
        /** Least text similarity (0-1) for two requests on the same screen to be one subject. */
        min_similarity: z.number().min(0).max(1).default(0.25),
      })
      .strict()
      .prefault({}),
    /** No reaction to a question: one reminder, then the helpdesk closes after some working days. */
    closing: z
      .object({
        remind_after_hours: z.number().positive().default(24),
        close_after_workdays: z.number().int().min(1).default(5),
      })
      .strict()
      .prefault({}),
    /** When a person takes over from the bot. */
    handoff: z
      .object({
        /** The person was not understood twice in a row (the kind of request): hand off. */
        on_misunderstood: z.boolean().default(true),
        /** Urgent incidents during contact hours go to a person at once. */
        urgent_incidents_in_hours: z.boolean().default(false),
        /** An unclaimed handoff reminds the agent desk after this many minutes. */
        remind_desk_after_minutes: z.number().int().min(1).default(10),
      })
      .strict()
      .prefault({}),
    /** How details and kinds are named to people (ticket preview), per language. */
    vocabulary: z
      .object({
        slots: z.object(Object.fromEntries(SLOTS.map((s) => [s, localized])) as Record<Slot, typeof localized>),
        kinds: z.object(
          Object.fromEntries(IN_SCOPE_LABELS.map((l) => [l, localized])) as Record<InScopeLabel, typeof localized>,
        ),
      })
      .strict(),
    /** What to ask, in order, per kind of request. */
    details: z
      .object({
        question: z.array(detailRule),
        incident: z.array(detailRule),
        change: z.array(detailRule),
        complaint: z.array(detailRule),
      })
      .strict(),
    /**
     * Phrases that make an in-scope request one kind whatever else it says (see core/classify/scope.ts):
     * a reproach about what the helpdesk did or said ("had ons wel mogen verwittigen") is a complaint.
     */
    kind_signals: z
      .object({
        question: signalPhrases.optional(),
        incident: signalPhrases.optional(),
        change: signalPhrases.optional(),
        complaint: signalPhrases.optional(),
      })
      .strict()
      .default({}),
    scope: z
      .object({
        reasons: z.object(
          Object.fromEntries(OOS_REASONS.map((r) => [r, scopeReason])) as Record<OosReason, typeof scopeReason>,
        ),
      })
      .strict(),
    answers: z
      .object({
        dont_know: phraseList,
        yes: phraseList,
        no: phraseList,
        /** "Klopt niet", "fout": a no to a proposal, but no "no" where an error text may start with it. */
        wrong: phraseList.optional(),
        human: phraseList,
        cancel: phraseList,
        /** "It is not a hardware problem after all": resumes triage after a refusal. */
        not_out_of_scope: phraseList,
        /** Send the previewed ticket / change something in it (besides the buttons). */
        send: phraseList,
        edit: phraseList,
        /** Add my details to the open ticket on the same subject / file a separate one after all. */
        join: phraseList,
        separate: phraseList,
        /** "Ik vergat te zeggen...", "hier is de screenshot": more for the ticket just filed. */
        addendum: phraseList.optional(),
        /**
         * "Sorry, niet Ieper maar Lier": a detail corrected. `cues` say it is a correction; after a `wrong`
         * word comes the wrong value, to the end of its clause (punctuation or a `contrast` word);
         * `renamed` words bring a student's corrected name ("ze heet eigenlijk ...").
         */
        correction: z
          .object({ cues: phraseList, wrong: phraseList, contrast: phraseList, renamed: phraseList.optional() })
          .strict()
          .optional(),
        /** "Nog iets anders: ..." opening an answer: another subject, not the detail asked. */
        new_subject: phraseList.optional(),
        /**
         * "Ik heb een vraag over ...", "une plainte au sujet de": phrases that name the kind of request.
         * When the classifier is unsure and the message names exactly one kind, that kind is taken
         * instead of asking the person to choose.
         */
        kind_named: z.record(z.enum(IN_SCOPE_LABELS), phraseList).optional(),
        /** "Zie hierboven", "déjà dit": the answer points at what was said before (no detail of its own). */
        see_above: phraseList.optional(),
        /** "Ik stuur zo een screenshot": a file announced for the ticket just filed. */
        announce_file: phraseList.optional(),
        /** "What is the status of HD-...": with a ticket number, a status look-up. */
        status: phraseList,
        /** "Kan ik {name} spreken": templates of a request for one named colleague; {name} is a capitalised name. */
        named_agent: phraseList,
        /** Words an answer may hold besides the phrase it gives ("dat lukt niet": "dat"; "sorry"). */
        filler: phraseList.default({ nl: [], fr: [], en: [] }),
        /** "Heb ik niet", "liever niet", "je n'en ai pas": the detail cannot or will not be given. */
        cannot: phraseList.default({ nl: [], fr: [], en: [] }),
        /** Thanks and acknowledgements, answered politely (never a new request). */
        thanks: phraseList.default({ nl: [], fr: [], en: [] }),
        /** Words for a screenshot: an answer at the screenshot question that names one is no error text. */
        screenshot_words: phraseList.default({ nl: [], fr: [], en: [] }),
        /** Words that name no subject ("ik heb een probleem"): an opening of only these asks what it is about. */
        vague: phraseList.default({ nl: [], fr: [], en: [] }),
        /** "Geen foutmelding": at the screenshot or error question, there is no error text to give. */
        no_error: phraseList.default({ nl: [], fr: [], en: [] }),
        /** "Het is al opgelost", "ça remarche" shortly after a ticket: noted on it, for an agent to close. */
        solved: phraseList.optional(),
        /** "Geen screenshot" in a first message: none will come, the error text is asked instead. */
        no_screenshot: phraseList.optional(),
        /** "Bedankt voor ...": a short message that starts so, without a question or a "but", is thanks. */
        thanks_for: phraseList.default({ nl: [], fr: [], en: [] }),
        /** Greetings: a message of greetings only asks what the request is about. */
        greetings: phraseList.default({ nl: [], fr: [], en: [] }),
        /** Sign-offs that close a message ("groetjes", "merci d'avance"), left out of titles. */
        signoffs: phraseList.default({ nl: [], fr: [], en: [] }),
        /** Words that ask for a person only as the whole message ("medewerker", "human"). */
        human_alone: phraseList.default({ nl: [], fr: [], en: [] }),
        /** Words that, just before a request for a person, turn it around ("niet", "pas", "not"). */
        negations: phraseList.default({ nl: [], fr: [], en: [] }),
        /** Capitalised words that are never a colleague's name ("Iemand", "Helpdesk", "Someone"). */
        never_names: phraseList.default({ nl: [], fr: [], en: [] }),
        /** Words that start a step of a reproduction ("open", "klik", "cliquez"): numbered steps are one subject. */
        step_cues: phraseList.default({ nl: [], fr: [], en: [] }),
        /** Number words for the kind menu, one list per choice in menu order (1-4), every language. */
        number_words: z.array(z.array(word)).default([]),
        /** Words that name a kind of request when the person is asked to choose one (any language). */
        label_words: z
          .object({
            question: z.array(word),
            incident: z.array(word),
            change: z.array(word),
            complaint: z.array(word),
          })
          .strict(),
      })
      .strict(),
    conversation: z
      .object({
        max_asks: z.number().int().min(1).max(5).default(2),
        idle_minutes: z
          .number()
          .int()
          .min(1)
          .default(60 * 24),
        min_description_words: z.number().int().min(0).default(4),
        /** Minutes after a ticket during which a file or "I forgot to say" is added to it (0: never). */
        addendum_minutes: z.number().int().min(0).default(60),
        /** "Status of HD-...?" also for tickets of the person's academy or site (else their own only). */
        status_of_organisation: z.boolean().default(false),
        /** On channels with buttons, show the ticket (every detail, Send / Edit) before filing it. */
        preview: z.boolean().default(true),
      })
      .strict()
      .prefault({}),
    directories: z
      .object({
        academies: z.array(academy).default([]),
        screens: z.array(screen).default([]),
        sites: z.array(site).default([]),
        /** Words that precede a staff member's name (so that name is not taken as a student's). */
        staff_titles: z.array(nonEmpty).default([]),
        /** Names of products and systems that are never a student ("van Google Classroom", "in Smartschool"). */
        not_students: z.array(nonEmpty).default([]),
        /** Words that precede a student's name. */
        student_cues: z.array(nonEmpty).default([]),
        /** Words for a screen: before or after a screen's own name it names that screen ("scherm leerlingen"). */
        screen_words: z.array(nonEmpty).default([]),
      })
      .strict(),
    /** What one message may hold; more gets a polite answer (the `limit_*` messages) instead of a turn. */
    limits: z
      .object({
        /** Longest message read, in characters (Slack allows 40,000; a request rarely needs 2,000). */
        text_chars: z.number().int().min(200).max(100_000).default(8000),
        /** Files taken from one message; the rest is named in the answer and left out. */
        attachments: z.number().int().min(0).max(100).default(10),
        /** Largest file taken, in megabytes. */
        attachment_mb: z.number().positive().max(1000).default(20),
        /** Content types taken (`type/*` for a whole family); others are named in the answer and left out. */
        attachment_types: z
          .array(nonEmpty)
          .default([
            'image/*',
            'video/*',
            'text/*',
            'application/pdf',
            'application/msword',
            'application/vnd.openxmlformats-officedocument.*',
            'application/vnd.ms-excel',
            'application/vnd.oasis.opendocument.*',
            'application/json',
            'application/zip',
          ]),
      })
      .strict()
      .prefault({}),
    messages,
    /** The bot's own answers: facts about the helpdesk, and the self-service recognizers' words. */
    facts: factsSection,
    self_service: selfServiceSection,
    /** Where tickets go and how they are delivered (default: the local store). */
    tickets: ticketsSection.prefault({}),
    /** Learning from the helpdesk's own tickets and its agents' corrections (see learning.ts). */
    learning: learningSection.prefault({}),
    /** The admin console (`/admin`): what it shows. */
    admin: z
      .object({
        /** Show names, e-mail addresses and phone numbers in transcripts and tickets (default: masked). */
        show_personal_data: z.boolean().default(false),
      })
      .strict()
      .prefault({}),
  })
  .strict();

/** A validated admin configuration: the single source of config types. */
export type Config = z.infer<typeof configSchema>;
export type Intent = z.infer<typeof intent>;
export type Academy = z.infer<typeof academy>;
export type Screen = z.infer<typeof screen>;
export type Site = z.infer<typeof site>;
export type ScopeReason = z.infer<typeof scopeReason>;
