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

/** Everything `triage eval` reports, as data (the CLI prints it; tests read it). */
export interface EvalReport {
  n: number;
  accuracy: number;
  macroF1: number;
  perLabel: Record<string, { precision: number; recall: number; f1: number; support: number }>;
  confusion: Record<string, Record<string, number>>;
  oosRecall: number;
  falseRejectRate: number;
  reasonAccuracy: number;
  slots: Record<string, { precision: number; recall: number; f1: number }>;
  slotMicroF1: number;
  urgentF1: number;
  multiSubjectF1: number;
  ece: number;
  misclassified: { id: string; text: string; want: string; got: string; confidence: number; reasons: string[] }[];
  slotErrors: { id: string; slot: string; want?: string; got?: string }[];
}

/** Score a core on labelled lines: classification, scope, details, urgency, calibration. */
export function evaluate(lines: LabelledLine[], coreFor: (profile: string) => TriageCore): EvalReport {
  const labelCounts = Object.fromEntries(LABELS.map((l) => [l, { tp: 0, fp: 0, fn: 0 }])) as Record<string, Counts>;
  const confusion = Object.fromEntries(LABELS.map((l) => [l, Object.fromEntries(LABELS.map((m) => [m, 0]))]));
  const slotCounts = Object.fromEntries(EVAL_SLOTS.map((s) => [s, { tp: 0, fp: 0, fn: 0 }])) as Record<string, Counts>;
  const urgent: Counts = { tp: 0, fp: 0, fn: 0 };
  const multi: Counts = { tp: 0, fp: 0, fn: 0 };
  let correct = 0;
  let oosTotal = 0;
  let oosCaught = 0;
  let inScopeTotal = 0;
  let falseRejects = 0;
  let reasonTotal = 0;
  let reasonRight = 0;
  const bins = Array.from({ length: 10 }, () => ({ n: 0, conf: 0, right: 0 }));
  const misclassified: EvalReport['misclassified'] = [];
  const slotErrors: EvalReport['slotErrors'] = [];

  for (const line of lines) {
    const core = coreFor(line.profile);
    const v = core.classifier.classify(line.text, undefined, { explain: true });
    const got = v.label;
    confusion[line.label]![got]!++;
    if (got === line.label) {
      correct++;
      labelCounts[got]!.tp++;
    } else {
      labelCounts[got]!.fp++;
      labelCounts[line.label]!.fn++;
      misclassified.push({
        id: line.id,
        text: line.text,
        want: line.label,
        got,
        confidence: v.confidence,
        reasons: v.reasons,
      });
    }
    if (line.label === 'out_of_scope') {
      oosTotal++;
      if (got === 'out_of_scope') {
        oosCaught++;
        reasonTotal++;
        if (v.oosReason === line.oos_reason) reasonRight++;
        else
          misclassified.push({
            id: line.id,
            text: line.text,
            want: `out_of_scope/${line.oos_reason}`,
            got: `out_of_scope/${v.oosReason}`,
            confidence: v.confidence,
            reasons: v.reasons,
          });
      }
    } else {
      inScopeTotal++;
      if (got === 'out_of_scope') falseRejects++;
    }
    const bin = bins[Math.min(9, Math.floor(v.confidence * 10))]!;
    bin.n++;
    bin.conf += v.confidence;
    bin.right += got === line.label ? 1 : 0;
    tally(urgent, v.urgent, line.urgent);
    tally(multi, v.multiSubject, line.multi_subject);
    const slots = core.extractor.extract(line.text) as Record<string, string | undefined>;
    for (const slot of EVAL_SLOTS) {
      const want = line.slots[slot];
      const have = slots[slot];
      const c = slotCounts[slot]!;
      if (want !== undefined && have !== undefined && want === have) c.tp++;
      else {
        if (have !== undefined) c.fp++;
        if (want !== undefined) c.fn++;
        if (have !== undefined || want !== undefined) slotErrors.push({ id: line.id, slot, want, got: have });
      }
    }
  }
  const micro = Object.values(slotCounts).reduce((a, c) => ({ tp: a.tp + c.tp, fp: a.fp + c.fp, fn: a.fn + c.fn }), {
    tp: 0,
    fp: 0,
    fn: 0,
  });
  const perLabel = Object.fromEntries(
    LABELS.map((l) => {
      const c = labelCounts[l]!;
      return [l, { precision: precision(c), recall: recall(c), f1: f1(c), support: c.tp + c.fn }];
    }),
  );
  const present = LABELS.filter((l) => perLabel[l]!.support > 0);
  return {
    n: lines.length,
    accuracy: lines.length ? correct / lines.length : 0,
    macroF1: present.reduce((s, l) => s + perLabel[l]!.f1, 0) / Math.max(1, present.length),
    perLabel,
    confusion,
    oosRecall: oosTotal ? oosCaught / oosTotal : 0,
    falseRejectRate: inScopeTotal ? falseRejects / inScopeTotal : 0,
    reasonAccuracy: reasonTotal ? reasonRight / reasonTotal : 0,
    // Details neither labelled nor found in this set (a site id among academy lines) say nothing: left out.
    slots: Object.fromEntries(
      EVAL_SLOTS.filter((s) => slotCounts[s]!.tp + slotCounts[s]!.fp + slotCounts[s]!.fn > 0).map((s) => [
        s,
        { precision: precision(slotCounts[s]!), recall: recall(slotCounts[s]!), f1: f1(slotCounts[s]!) },
      ]),
    ),
    slotMicroF1: f1(micro),
    urgentF1: f1(urgent),
    multiSubjectF1: f1(multi),
    ece: bins.reduce((s, b) => s + (b.n ? (b.n / lines.length) * Math.abs(b.right / b.n - b.conf / b.n) : 0), 0),
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
