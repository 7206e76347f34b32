import type { Config, Label, OosReason } from '../../core/config/schema.ts';
import type { TicketDraft } from '../../core/types.ts';
import { parseKind, stableId, withExamples } from './examples.ts';
import { type ExportFormat, readExport } from './formats.ts';
import { scrubber } from './scrub.ts';
import { isExpired, type LearnedExample, type LearnedStore } from './store.ts';

/** A helpdesk category to a kind through `learning.categories` (case ignored); the bot's own kind names map to themselves. */
export function mapCategory(config: Config, categories: string[]): Kind | null {
  const mapping = new Map(Object.entries(config.learning.categories).map(([k, v]) => [k.trim().toLowerCase(), v]));
  for (const c of categories) {
    const mapped = mapping.get(c.trim().toLowerCase());
    const kind = parseKind(mapped ?? c);
    if (kind) return kind;
  }
  return null;
}

export interface Kind {
  label: Label;
  oos_reason: OosReason | null;
}

/** What an import found: the examples to keep, and the tickets it could not use, with why. */
export interface ImportResult {
  format: ExportFormat;
  examples: LearnedExample[];
  /** Categories no mapping knows, with how many tickets had them. */
  unmapped: Record<string, number>;
  /** Tickets without any text. */
  empty: number;
  /** Labelled lines of another profile. */
  otherProfile: number;
}

/** Read an export, map its categories to kinds and scrub its texts: the examples ready to keep. */
export function importExport(
  config: Config,
  content: string,
  fileName: string,
  options: { format?: ExportFormat; now: Date },
): ImportResult {
  const { format, rows } = readExport(content, fileName, options.format);
  const scrub = scrubber(config);
  const unmapped: Record<string, number> = {};
  const examples = new Map<string, LearnedExample>();
  let empty = 0;
  let otherProfile = 0;
  for (const row of rows) {
    if (row.profile !== undefined && row.profile !== config.profile) {
      otherProfile++;
      continue;
    }
    if (!row.text.trim()) {
      empty++;
      continue;
    }
    const kind = mapCategory(config, row.categories);
    if (!kind) {
      const name = row.categories.join(' | ') || '(no category)';
      unmapped[name] = (unmapped[name] ?? 0) + 1;
      continue;
    }
    const text = scrub(row.text, row.people);
    const source = `import:${format}`;
    const id = stableId(config.profile, source, row.ref || text);
    examples.set(id, {
      id,
      profile: config.profile,
      text,
      ...kind,
      source,
      ...(row.ref ? { ref: row.ref } : {}),
      status: config.learning.approve_imports ? 'approved' : 'pending',
      created_at: options.now.toISOString(),
      ...(config.learning.approve_imports ? { approved_at: options.now.toISOString() } : {}),
    });
  }
  return { format, examples: [...examples.values()], unmapped, empty, otherProfile };
}

/** An agent's correction of a ticket's kind as a learned example (scrubbed); a later correction of the same ticket replaces it. */
export function correction(
  config: Config,
  input: { text: string; kind: Kind; channel: string; ref: string; by?: string; people?: string[]; now: Date },
): LearnedExample {
  const approved = config.learning.approve_corrections;
  const source = `correction:${input.channel}`;
  return {
    id: stableId(config.profile, 'correction', input.ref),
    profile: config.profile,
    text: scrubber(config)(input.text, input.people ?? []),
    ...input.kind,
    source,
    ref: input.ref,
    ...(input.by ? { by: input.by } : {}),
    status: approved ? 'approved' : 'pending',
    created_at: input.now.toISOString(),
    ...(approved ? { approved_at: input.now.toISOString() } : {}),
  };
}

/**
 * An agent's correction of a filed ticket (CLI, or a desk card's button): the person's first message
 * becomes a learned example of the new kind, the requester's name and address scrubbed with the rest.
 */
export async function learnFromTicket(
  config: Config,
  store: LearnedStore,
  input: { ticket: string; draft: TicketDraft; kind: Kind; channel: string; by?: string; now: Date },
): Promise<LearnedExample> {
  const first = input.draft.transcript.find((t) => t.from === 'user')?.text ?? input.draft.description;
  const example = correction(config, {
    text: first,
    kind: input.kind,
    channel: input.channel,
    ref: input.ticket,
    ...(input.by ? { by: input.by } : {}),
    people: [input.draft.requester.name ?? '', input.draft.requester.email ?? ''],
    now: input.now,
  });
  await store.put([example]);
  return example;
}

/** The examples a profile trains on: approved, of that profile, within the retention period. */
export function trainingSet(config: Config, all: LearnedExample[], now: Date): LearnedExample[] {
  return all.filter(
    (e) =>
      e.status === 'approved' && e.profile === config.profile && !isExpired(e, now, config.learning.retention_days),
  );
}

/** The configuration with the approved learned examples added to its training phrases, at the configured weight. */
export async function configWithLearned(config: Config, store: LearnedStore, now: Date): Promise<Config> {
  return withExamples(config, trainingSet(config, await store.list(), now), config.learning.weight);
}
