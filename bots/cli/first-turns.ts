// What the conversation does with a labelled message as its first turn: the classifier's score says
// nothing about a request that never reached triage (taken for a handoff, a named colleague, a status
// question, or closed at once).
import type { TriageCore } from '../../core/engine.ts';
import type { LabelledLine } from './evaluate.ts';

/** A first turn that did not start triage, and what took it. */
export interface Hijacked {
  id: string;
  profile: string;
  label: string;
  took: 'handoff' | 'named_colleague' | 'status' | 'closed' | 'answered';
  text: string;
}

export interface FirstTurnReport {
  total: number;
  hijacked: Hijacked[];
}

/** A Tuesday morning in contact hours: the first turn as people meet it most. */
const NOW = new Date('2026-11-24T09:00:00Z');

/** Run each line as the first message of its own conversation through the core and see what it started. */
export function firstTurns(lines: LabelledLine[], coreFor: (profile: string) => TriageCore): FirstTurnReport {
  const hijacked: Hijacked[] = [];
  for (const line of lines) {
    const core = coreFor(line.profile);
    const conversation = `eval-${line.id}`;
    const outcome = core.handle(
      null,
      { type: 'message', turn: { conversation, user: { id: 'eval' }, text: line.text } },
      { now: NOW },
    );
    const took = tookBy(
      outcome.effects.map((e) => e.type),
      outcome.state.phase,
      outcome.status,
    );
    if (took) {
      hijacked.push({ id: line.id, profile: line.profile, label: line.label, took, text: line.text });
    }
  }
  return { total: lines.length, hijacked };
}

function tookBy(effects: string[], phase: string, status: string): Hijacked['took'] | null {
  if (effects.includes('handoff')) return 'handoff';
  if (effects.includes('answered_fact')) return 'answered';
  if (effects.includes('ticket_status')) return 'status';
  if (phase === 'opening') return 'named_colleague';
  // Triage began: a ticket filed, or the open tickets of the academy looked up (the host's turn comes next).
  if (effects.includes('file_ticket') || effects.includes('find_tickets')) return null;
  if (status === 'done') return 'closed';
  return null;
}

/** The report's lines: the count, and with `errors` each hijacked first turn. */
export function formatFirstTurns(report: FirstTurnReport, options: { errors: boolean }): string {
  const answered = report.hijacked.filter((h) => h.took === 'answered').length;
  const out = [
    `first turns that did not start triage: ${report.hijacked.length - answered} of ${report.total}` +
      ` (besides ${answered} answered at once: a fact about the helpdesk or the no-date rule)`,
  ];
  if (options.errors || report.hijacked.length <= 20) {
    for (const h of report.hijacked)
      out.push(`  ${h.id} (${h.profile}, ${h.label}) taken as ${h.took}: ${h.text.slice(0, 120)}`);
  }
  return out.join('\n');
}
