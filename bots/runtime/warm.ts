import type { TriageCore } from '../../core/engine.ts';

/** Sentences that walk the core's other paths (a question, a list, a named colleague, shouting, a greeting). */
const EXTRA = [
  'Hallo',
  'Hoe kan ik een extra vak toevoegen aan het rapport?',
  'Kan ik Sandra spreken?',
  '1. De fiche opent niet\n2. Het rapport is leeg',
  'DRINGEND ALLES PLAT, binnen een kwartier moet het rapport weg!',
  'Bonjour, comment ajouter un cours au bulletin ?',
  'Hello, the program crashes when I save. Also, unrelated: can I get a new password?',
  'Is HD-000001 al opgelost?',
];

/**
 * Run the core once over sentences of every kind before the first person comes: the first use of each
 * large phrase matcher compiles it (V8 compiles a regular expression on its first run: the cue lists of
 * urgency and several subjects took 60 ms), and the first turns of the knowledge base and the dialog pay
 * for the code's first optimisation. Pure: fresh conversations, nothing stored, nothing filed.
 * Returns the milliseconds it took; stops after `budgetMs`.
 */
export function warmUp(core: TriageCore, budgetMs = 1500): number {
  const start = performance.now();
  const now = new Date();
  // One example of each kind (and out-of-scope reason): every model class and its word lists once.
  const kinds = new Map<string, string>();
  for (const intent of Object.values(core.config.intents)) {
    const key = `${intent.label}:${intent.reason ?? ''}`;
    if (!kinds.has(key)) kinds.set(key, intent.examples[0]!);
  }
  const firsts = [...kinds.values()];
  for (const [i, text] of [...EXTRA, ...firsts].entries()) {
    if (performance.now() - start > budgetMs) break;
    const turn = {
      conversation: `warm-up:${i}`,
      user: { id: 'warm-up', name: 'Warm Up', email: 'warm-up@example.invalid' },
      text,
      attachments: [],
      interactive: true,
    };
    try {
      core.handle(null, { type: 'message', turn }, { now, desk: true });
    } catch {
      // A sentence the core refuses warms nothing; the first person would meet the same error anyway.
    }
  }
  return performance.now() - start;
}
