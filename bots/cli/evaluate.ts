import { z } from 'zod';
import { LABELS, LANGS, MESSAGE_SLOTS, OOS_REASONS } from '../../core/config/schema.ts';
import type { TriageCore } from '../../core/engine.ts';

/** One labelled message (the format `triage eval --help` and docs/admin-guide.md describe). */
export const labelledLine = z.object({
  id: z.string(),
  profile: z.string().default('academy'),
  lang: z.enum(LANGS).optional(),
  text: z.string(),
  label: z.enum(LABELS),
  oos_reason: z.enum(OOS_REASONS).nullable().default(null),
  urgent: z.boolean().default(false),
  multi_subject: z.boolean().default(false),
  slots: z.record(z.string(), z.string()).default({}),
});
export type LabelledLine = z.infer<typeof labelledLine>;

export const EVAL_SLOTS = MESSAGE_SLOTS;

interface Counts {
  tp: number;
  fp: number;
  fn: number;
}

const f1 = (c: Counts) => (c.tp === 0 ? 0 : (2 * c.tp) / (2 * c.tp + c.fp + c.fn));
const precision = (c: Counts) => (c.tp + c.fp === 0 ? 0 : c.tp / (c.tp + c.fp));
const recall = (c: Counts) => (c.tp + c.fn === 0 ? 0 : c.tp / (c.tp + c.fn));

/** The headline figures of a group of lines (all of them, one language, one profile). */
export interface EvalSummary {
  n: number;
  accuracy: number;
  macroF1: number;
  oosRecall: number;
  falseRejectRate: number;
  slotMicroF1: number;
  urgentF1: number;
  multiSubjectF1: number;
  /** Share of lines the bot would ask the kind for (in scope, confidence below `classifier.ask_threshold`). */
  askRate: number;
  /** Accuracy on the lines it would not ask about. */
  accuracyNotAsked: number;
}

/** One confidence bin of the reliability curve: how often the classifier is right at that confidence. */
export interface ReliabilityBin {
  from: number;
  to: number;
  n: number;
  confidence: number;
  accuracy: number;
}

/** Everything `triage eval` reports, as data (the CLI prints it; tests read it). */
export interface EvalReport extends EvalSummary {
  perLabel: Record<string, { precision: number; recall: number; f1: number; support: number }>;
  confusion: Record<string, Record<string, number>>;
  reasonAccuracy: number;
  slots: Record<string, { precision: number; recall: number; f1: number }>;
  ece: number;
  reliability: ReliabilityBin[];
  byLanguage: Record<string, EvalSummary>;
  byProfile: Record<string, EvalSummary>;
  misclassified: {
    id: string;
    text: string;
    want: string;
    got: string;
    confidence: number;
    reasons: string[];
  }[];
  slotErrors: { id: string; slot: string; want?: string; got?: string }[];
}

/** What the evaluation needs of a core: its settings, classifier and extractor. */
export type EvalCore = Pick<TriageCore, 'config' | 'classifier' | 'extractor'>;

/** One line read by the bot. */
interface Row {
  line: LabelledLine;
  lang: string;
  got: string;
  reason: string | null;
  confidence: number;
  asked: boolean;
  reasons: string[];
  urgent: boolean;
  multi: boolean;
  slots: Record<string, string | undefined>;
}

/** Slot values compared as a person would: case, accents, a URL's scheme, a phone's spacing, quotes. */
export function sameSlot(slot: string, a: string, b: string): boolean {
  const norm = (v: string) => {
    let x = v
      .trim()
      .toLowerCase()
      .normalize('NFKD')
      .replace(/\p{M}+/gu, '');
    if (slot === 'url') x = x.replace(/^https?:\/\//, '').replace(/\/+$/, '');
    if (slot === 'phone') x = x.replace(/[^0-9+]/g, '');
    if (slot === 'error_message') x = x.replace(/^["'“”‘’«»\s]+|["'“”‘’«».\s]+$/gu, '').replace(/\s+/g, ' ');
    return x;
  };
  return norm(a) === norm(b);
}

function summarise(rows: Row[]): EvalSummary {
  const labelCounts = Object.fromEntries(LABELS.map((l) => [l, { tp: 0, fp: 0, fn: 0 }])) as Record<string, Counts>;
  const slotMicro: Counts = { tp: 0, fp: 0, fn: 0 };
  const urgent: Counts = { tp: 0, fp: 0, fn: 0 };
  const multi: Counts = { tp: 0, fp: 0, fn: 0 };
  let correct = 0;
  let oos = 0;
  let oosCaught = 0;
  let inScope = 0;
  let falseRejects = 0;
  let asked = 0;
  let notAskedRight = 0;
  for (const r of rows) {
    const want = r.line.label;
    if (r.got === want) {
      correct++;
      labelCounts[want]!.tp++;
    } else {
      labelCounts[r.got]!.fp++;
      labelCounts[want]!.fn++;
    }
    if (want === 'out_of_scope') {
      oos++;
      if (r.got === 'out_of_scope') oosCaught++;
    } else {
      inScope++;
      if (r.got === 'out_of_scope') falseRejects++;
    }
    if (r.asked) asked++;
    else if (r.got === want) notAskedRight++;
    tally(urgent, r.urgent, r.line.urgent);
    tally(multi, r.multi, r.line.multi_subject);
    for (const slot of EVAL_SLOTS) {
      const w = r.line.slots[slot];
      const h = r.slots[slot];
      if (w !== undefined && h !== undefined && sameSlot(slot, w, h)) slotMicro.tp++;
      else {
        if (h !== undefined) slotMicro.fp++;
        if (w !== undefined) slotMicro.fn++;
      }
    }
  }
  const present = LABELS.filter((l) => labelCounts[l]!.tp + labelCounts[l]!.fn > 0);
  return {
    n: rows.length,
    accuracy: rows.length ? correct / rows.length : 0,
    macroF1: present.reduce((s, l) => s + f1(labelCounts[l]!), 0) / Math.max(1, present.length),
    oosRecall: oos ? oosCaught / oos : 0,
    falseRejectRate: inScope ? falseRejects / inScope : 0,
    slotMicroF1: f1(slotMicro),
    urgentF1: f1(urgent),
    multiSubjectF1: f1(multi),
    askRate: rows.length ? asked / rows.length : 0,
    accuracyNotAsked: rows.length - asked ? notAskedRight / (rows.length - asked) : 0,
  };
}

function groupBy(rows: Row[], key: (r: Row) => string): Record<string, EvalSummary> {
  const groups = new Map<string, Row[]>();
  for (const r of rows) groups.set(key(r), [...(groups.get(key(r)) ?? []), r]);
  return Object.fromEntries(
    [...groups.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, g]) => [k, summarise(g)]),
  );
}

/** Score a core on labelled lines: classification, scope, details, urgency, calibration, per language and profile. */
export function evaluate(lines: LabelledLine[], coreFor: (profile: string) => EvalCore): EvalReport {
  const rows: Row[] = lines.map((line) => {
    const core = coreFor(line.profile);
    const v = core.classifier.classify(line.text, undefined, { explain: true });
    return {
      line,
      lang: line.lang ?? v.lang,
      got: v.label,
      reason: v.oosReason,
      confidence: v.confidence,
      asked: v.label !== 'out_of_scope' && v.confidence < core.config.classifier.ask_threshold,
      reasons: v.reasons,
      urgent: v.urgent,
      multi: v.multiSubject,
      slots: core.extractor.extract(line.text) as Record<string, string | undefined>,
    };
  });
  const labelCounts = Object.fromEntries(LABELS.map((l) => [l, { tp: 0, fp: 0, fn: 0 }])) as Record<string, Counts>;
  const confusion = Object.fromEntries(LABELS.map((l) => [l, Object.fromEntries(LABELS.map((m) => [m, 0]))]));
  const slotCounts = Object.fromEntries(EVAL_SLOTS.map((s) => [s, { tp: 0, fp: 0, fn: 0 }])) as Record<string, Counts>;
  let reasonTotal = 0;
  let reasonRight = 0;
  const bins = Array.from({ length: 10 }, () => ({ n: 0, conf: 0, right: 0 }));
  const misclassified: EvalReport['misclassified'] = [];
  const slotErrors: EvalReport['slotErrors'] = [];
  for (const r of rows) {
    const { line, got } = r;
    confusion[line.label]![got]!++;
    const miss = (want: string, have: string) =>
      misclassified.push({
        id: line.id,
        text: line.text,
        want,
        got: have,
        confidence: r.confidence,
        reasons: r.reasons,
      });
    if (got === line.label) labelCounts[got]!.tp++;
    else {
      labelCounts[got]!.fp++;
      labelCounts[line.label]!.fn++;
      miss(line.label, got);
    }
    if (line.label === 'out_of_scope' && got === 'out_of_scope') {
      reasonTotal++;
      if (r.reason === line.oos_reason) reasonRight++;
      else miss(`out_of_scope/${line.oos_reason}`, `out_of_scope/${r.reason}`);
    }
    const bin = bins[Math.min(9, Math.floor(r.confidence * 10))]!;
    bin.n++;
    bin.conf += r.confidence;
    bin.right += got === line.label ? 1 : 0;
    for (const slot of EVAL_SLOTS) {
      const want = line.slots[slot];
      const have = r.slots[slot];
      const c = slotCounts[slot]!;
      if (want !== undefined && have !== undefined && sameSlot(slot, want, have)) c.tp++;
      else {
        if (have !== undefined) c.fp++;
        if (want !== undefined) c.fn++;
        if (have !== undefined || want !== undefined) slotErrors.push({ id: line.id, slot, want, got: have });
      }
    }
  }
  const perLabel = Object.fromEntries(
    LABELS.map((l) => {
      const c = labelCounts[l]!;
      return [l, { precision: precision(c), recall: recall(c), f1: f1(c), support: c.tp + c.fn }];
    }),
  );
  return {
    ...summarise(rows),
    perLabel,
    confusion,
    reasonAccuracy: reasonTotal ? reasonRight / reasonTotal : 0,
    // Details neither labelled nor found in this set (a site id among academy lines) say nothing: left out.
    slots: Object.fromEntries(
      EVAL_SLOTS.filter((s) => slotCounts[s]!.tp + slotCounts[s]!.fp + slotCounts[s]!.fn > 0).map((s) => [
        s,
        { precision: precision(slotCounts[s]!), recall: recall(slotCounts[s]!), f1: f1(slotCounts[s]!) },
      ]),
    ),
    ece: bins.reduce((s, b) => s + (b.n ? (b.n / lines.length) * Math.abs(b.right / b.n - b.conf / b.n) : 0), 0),
    reliability: bins.map((b, i) => ({
      from: i / 10,
      to: (i + 1) / 10,
      n: b.n,
      confidence: b.n ? b.conf / b.n : 0,
      accuracy: b.n ? b.right / b.n : 0,
    })),
    byLanguage: groupBy(rows, (r) => r.lang),
    byProfile: groupBy(rows, (r) => r.line.profile),
    misclassified,
    slotErrors,
  };
}

function tally(c: Counts, got: boolean, want: boolean): void {
  if (got && want) c.tp++;
  else if (got) c.fp++;
  else if (want) c.fn++;
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const num = (x: number) => x.toFixed(3);

function summaryHeader(): string {
  const cols = ['n', 'acc', 'macroF1', 'oosR', 'falseRej', 'slots', 'urgent', 'multi', 'asks'];
  return `${''.padEnd(16)}${cols.map((c) => c.padStart(9)).join('')}`;
}

function summaryRow(name: string, s: EvalSummary): string {
  const cells = [
    String(s.n),
    pct(s.accuracy),
    num(s.macroF1),
    pct(s.oosRecall),
    pct(s.falseRejectRate),
    num(s.slotMicroF1),
    num(s.urgentF1),
    num(s.multiSubjectF1),
    pct(s.askRate),
  ];
  return `${name.padEnd(16)}${cells.map((c) => c.padStart(9)).join('')}`;
}

/** The report as a person reads it in a terminal. */
export function formatReport(r: EvalReport, options: { errors: boolean }): string {
  const out: string[] = [];
  out.push(`messages: ${r.n}`);
  out.push(`accuracy: ${pct(r.accuracy)}   macro-F1: ${num(r.macroF1)}   calibration error (ECE): ${num(r.ece)}`);
  out.push(
    `out-of-scope recall: ${pct(r.oosRecall)}   false rejects: ${pct(r.falseRejectRate)}   reason accuracy: ${pct(r.reasonAccuracy)}`,
  );
  out.push(
    `urgent F1: ${num(r.urgentF1)}   multi-subject F1: ${num(r.multiSubjectF1)}   slot micro-F1: ${num(r.slotMicroF1)}`,
  );
  out.push(`asks for the kind: ${pct(r.askRate)} of lines   accuracy on the rest: ${pct(r.accuracyNotAsked)}`);
  out.push('');
  out.push(summaryHeader());
  for (const [name, s] of Object.entries(r.byLanguage)) out.push(summaryRow(`lang ${name}`, s));
  for (const [name, s] of Object.entries(r.byProfile)) out.push(summaryRow(`profile ${name}`, s));
  out.push('');
  out.push('reliability (confidence bin: lines, mean confidence, accuracy)');
  for (const b of r.reliability.filter((x) => x.n > 0))
    out.push(
      `  ${b.from.toFixed(1)}-${b.to.toFixed(1)} ${String(b.n).padStart(5)} ${num(b.confidence).padStart(7)} ${num(b.accuracy).padStart(7)}`,
    );
  out.push('');
  out.push(
    `${'label'.padEnd(14)} ${'prec'.padStart(6)} ${'recall'.padStart(6)} ${'F1'.padStart(6)} ${'n'.padStart(4)}`,
  );
  for (const [l, m] of Object.entries(r.perLabel)) {
    out.push(
      `${l.padEnd(14)} ${num(m.precision).padStart(6)} ${num(m.recall).padStart(6)} ${num(m.f1).padStart(6)} ${String(m.support).padStart(4)}`,
    );
  }
  out.push('');
  const short = (l: string) => l.slice(0, 8);
  out.push(`confusion (rows: labelled, columns: predicted)`);
  out.push(`${''.padEnd(14)}${LABELS.map((l) => short(l).padStart(9)).join('')}`);
  for (const l of LABELS)
    out.push(`${l.padEnd(14)}${LABELS.map((m) => String(r.confusion[l]![m]).padStart(9)).join('')}`);
  out.push('');
  out.push(`${'slot'.padEnd(14)} ${'prec'.padStart(6)} ${'recall'.padStart(6)} ${'F1'.padStart(6)}`);
  for (const [s, m] of Object.entries(r.slots)) {
    out.push(`${s.padEnd(14)} ${num(m.precision).padStart(6)} ${num(m.recall).padStart(6)} ${num(m.f1).padStart(6)}`);
  }
  if (options.errors) {
    out.push('', `misclassified (${r.misclassified.length}):`);
    for (const m of r.misclassified) {
      out.push(
        `  ${m.id} want ${m.want}, got ${m.got} (${m.confidence.toFixed(2)}): ${m.text.replace(/\s+/g, ' ').slice(0, 110)}`,
      );
      if (m.reasons.length) out.push(`      decided by: ${m.reasons.join(', ')}`);
    }
    out.push('', `slot errors (${r.slotErrors.length}):`);
    for (const e of r.slotErrors)
      out.push(`  ${e.id} ${e.slot}: want ${JSON.stringify(e.want)}, got ${JSON.stringify(e.got)}`);
  }
  return out.join('\n');
}
