import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Config, Intent, Label, OosReason } from '../../core/config/schema.ts';
import { LABELS, OOS_REASONS } from '../../core/config/schema.ts';

/** A message with the kind a person gave it: the unit the bot learns from. */
export interface Labelled {
  text: string;
  label: Label;
  oos_reason: OosReason | null;
}

/** An error with a code, for bad input the admin must fix (the file and line are in the message). */
export class LearnError extends Error {
  constructor(
    readonly code: 'BAD_LINE' | 'BAD_FORMAT' | 'NOT_FOUND' | 'BAD_KIND',
    message: string,
  ) {
    super(message);
  }
}

/** `incident` or `out_of_scope/hardware` as a label and reason; null when it names no kind. */
export function parseKind(kind: string): { label: Label; oos_reason: OosReason | null } | null {
  const [label, reason, ...rest] = kind.trim().toLowerCase().split('/');
  if (rest.length > 0 || !(LABELS as readonly string[]).includes(label ?? '')) return null;
  if (label === 'out_of_scope') {
    if (!reason || !(OOS_REASONS as readonly string[]).includes(reason)) return null;
    return { label, oos_reason: reason as OosReason };
  }
  return reason === undefined ? { label: label as Label, oos_reason: null } : null;
}

/** The kind as `parseKind` reads it. */
export function kindName(l: Pick<Labelled, 'label' | 'oos_reason'>): string {
  return l.label === 'out_of_scope' ? `out_of_scope/${l.oos_reason ?? 'other'}` : l.label;
}

/** A short stable id from parts (the same ticket from the same source is the same example). */
export function stableId(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 12);
}

/**
 * The configuration with labelled messages added to its training phrases: one extra intent per kind
 * (and per out-of-scope reason), marked `learned` and weighing `weight` configured phrases each. The
 * classifier gives every kind the same total weight, so the weight sets how much a learned message
 * counts against a configured phrase; it also re-estimates its class priors on the learned ones.
 */
export function withExamples(config: Config, examples: Labelled[], weight = 1): Config {
  if (examples.length === 0) return config;
  const extra: Record<string, Intent> = {};
  for (const e of examples) {
    const text = e.text.trim();
    if (!text) continue;
    const reason = e.label === 'out_of_scope' ? (e.oos_reason ?? 'other') : undefined;
    const name = `learned:${reason ? `out_of_scope:${reason}` : e.label}`;
    let intent = extra[name];
    if (!intent) {
      intent = { label: e.label, ...(reason ? { reason } : {}), examples: [], learned: true, weight };
      extra[name] = intent;
    }
    intent.examples.push(text);
  }
  return { ...config, intents: { ...config.intents, ...extra } };
}

/** One line of a history file: FORMAT.md's fields, of which text, label and (out of scope) the reason count. */
export interface HistoryLine extends Labelled {
  profile?: string;
}

/** Read labelled JSON lines (`text`, `label`, `oos_reason`, optional `profile`); a bad line is an error naming it. */
export function parseHistory(content: string, source: string): HistoryLine[] {
  const out: HistoryLine[] = [];
  content.split('\n').forEach((raw, i) => {
    if (!raw.trim()) return;
    const where = `${source}:${i + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (error) {
      throw new LearnError('BAD_LINE', `${where}: invalid JSON (${(error as Error).message})`);
    }
    const line = value as { text?: unknown; label?: unknown; oos_reason?: unknown; profile?: unknown };
    if (typeof line.text !== 'string' || !line.text.trim())
      throw new LearnError('BAD_LINE', `${where}: "text" must be a non-empty string`);
    const kind = parseKind(
      line.label === 'out_of_scope' ? `out_of_scope/${line.oos_reason ?? 'other'}` : String(line.label ?? ''),
    );
    if (!kind)
      throw new LearnError(
        'BAD_LINE',
        `${where}: "label" must be one of ${LABELS.join(', ')} (out_of_scope with an "oos_reason" of ${OOS_REASONS.join(', ')})`,
      );
    out.push({
      text: line.text,
      ...kind,
      ...(typeof line.profile === 'string' ? { profile: line.profile } : {}),
    });
  });
  return out;
}

/** A history file's lines for one profile (lines without a profile belong to every profile). */
export function readHistory(file: string, profile: string): HistoryLine[] {
  let content: string;
  try {
    content = readFileSync(file, 'utf8');
  } catch (error) {
    throw new LearnError('NOT_FOUND', `cannot read ${file}: ${(error as NodeJS.ErrnoException).code}`);
  }
  return parseHistory(content, file).filter((l) => l.profile === undefined || l.profile === profile);
}
