import { z } from 'zod';
import { LABELS, OOS_REASONS } from './labels.ts';

/**
 * The `learning:` section: how the bot learns from the helpdesk's own tickets and its agents'
 * corrections (`triage learn ...`, `triage tickets relabel`, `--history`).
 */

const LABEL_NAMES = LABELS;
const REASON_NAMES = OOS_REASONS;

/** `incident`, or `out_of_scope/hardware`: a kind, or out of scope with its reason. */
export const KIND_PATTERN = new RegExp(`^(?:${LABEL_NAMES.join('|')})$|^out_of_scope/(?:${REASON_NAMES.join('|')})$`);

const kind = z
  .string()
  .trim()
  .regex(KIND_PATTERN, `use one of ${LABEL_NAMES.join(', ')}, or out_of_scope/<reason> (${REASON_NAMES.join(', ')})`)
  .refine((k) => k !== 'out_of_scope', 'out_of_scope needs its reason: out_of_scope/<reason>');

const nonEmpty = z.string().trim().min(1, 'must not be empty');

export const learningSection = z
  .object({
    /**
     * How much one learned example weighs against one configured phrase (it is shown that many times per
     * training pass). Each kind of request keeps the same total weight, so learned examples shift the
     * balance within a kind; the class priors are re-estimated on them as well (`classifier.history_priors`).
     * 2 measured best: with half of a realistic set as history, the other half's macro-F1 rose by 0.025
     * on average over two splits and both directions (0.019 without the priors; 0.011 at weight 3); with
     * four ensemble members, 0.977 on average against 0.971 at weight 3 and 0.972 at weight 4.
     */
    weight: z.number().int().min(1).max(10).default(2),
    /** Learned examples older than this are dropped (and never trained on); 0 keeps them for ever. */
    retention_days: z.number().int().min(0).default(730),
    /** Imported tickets join training without `triage learn approve` (the admin ran the import). */
    approve_imports: z.boolean().default(false),
    /** Agents' corrections join training without `triage learn approve`. */
    approve_corrections: z.boolean().default(false),
    /**
     * The helpdesk's own categories (ticket type, request type, call type...) to the bot's kinds:
     * `Storing: incident`, `Printer: out_of_scope/hardware`. Matched without regard to case.
     * The bot's own names (incident, question...) map to themselves unless given here.
     */
    categories: z.record(nonEmpty, kind).default({}),
    /** Words after which a signature's name follows (`Groeten, An Peeters`): that name is scrubbed. */
    signoffs: z
      .array(nonEmpty)
      .default([
        'groeten',
        'groetjes',
        'mvg',
        'met vriendelijke groeten',
        'vriendelijke groeten',
        'met vriendelijke groet',
        'alvast bedankt',
        'bedankt',
        'dank u',
        'cordialement',
        'bien à vous',
        'merci',
        'salutations',
        'regards',
        'kind regards',
        'best regards',
        'thanks',
        'thank you',
      ]),
    /**
     * Capitalised words that are not a name to scrub, per language: the common words that open a
     * sentence (`Bedankt! Sinds gisteren...`, `Merci. Depuis hier...`) or follow a student cue
     * (`de leerlingen Kunnen...`). Leave out words that are also first names (An, Will, May).
     */
    not_names: z
      .object({ nl: z.array(nonEmpty), fr: z.array(nonEmpty), en: z.array(nonEmpty) })
      .strict()
      .prefault({ nl: [], fr: [], en: [] }),
  })
  .strict();

export type LearningConfig = z.infer<typeof learningSection>;
