import { LABELS } from './schema.ts';

/** A problem found by a rule that spans several values (the schema checks each value alone). */
export interface SemanticProblem {
  path: string;
  message: string;
}

type Loose = Record<string, unknown>;

const obj = (v: unknown): Loose => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Loose) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/**
 * Rules across values, checked on the raw (possibly otherwise invalid) config so that an admin sees
 * every problem in one run: intent reasons, screens named in details, directories the details need.
 */
export function semanticProblems(raw: unknown): SemanticProblem[] {
  const cfg = obj(raw);
  const problems: SemanticProblem[] = [];
  const intents = obj(cfg.intents);
  const labels = new Set<unknown>();
  for (const [name, value] of Object.entries(intents)) {
    const intent = obj(value);
    labels.add(intent.label);
    if (intent.label === 'out_of_scope' && intent.reason === undefined) {
      problems.push({ path: `intents.${name}.reason`, message: 'an out_of_scope intent needs a reason' });
    }
    if (intent.label !== 'out_of_scope' && intent.reason !== undefined) {
      problems.push({ path: `intents.${name}.reason`, message: 'only out_of_scope intents take a reason' });
    }
  }
  if (cfg.intents !== undefined) {
    for (const label of LABELS) {
      if (!labels.has(label)) problems.push({ path: 'intents', message: `no intent has label "${label}"` });
    }
  }
  const lexicon = obj(cfg.lexicon);
  for (const [reason, value] of Object.entries(obj(obj(cfg.scope).reasons))) {
    arr(obj(obj(value).signals).needs).forEach((name, i) => {
      if (cfg.lexicon !== undefined && !(String(name) in lexicon)) {
        problems.push({
          path: `scope.reasons.${reason}.signals.needs[${i}]`,
          message: `unknown lexicon "${String(name)}" (not in lexicon)`,
        });
      }
    });
  }
  const dirs = obj(cfg.directories);
  const screens = new Set(arr(dirs.screens).map((s) => obj(s).id));
  for (const [kind, rules] of Object.entries(obj(cfg.details))) {
    arr(rules).forEach((r, i) => {
      const rule = obj(r);
      for (const id of arr(rule.when_screen)) {
        if (!screens.has(id)) {
          problems.push({
            path: `details.${kind}[${i}].when_screen`,
            message: `unknown screen "${String(id)}" (not in directories.screens)`,
          });
        }
      }
      if (rule.slot === 'academy' && arr(dirs.academies).length === 0) {
        problems.push({
          path: `details.${kind}[${i}].slot`,
          message: 'asks for an academy but directories.academies is empty',
        });
      }
      if (rule.slot === 'site_id' && arr(dirs.sites).length === 0) {
        problems.push({
          path: `details.${kind}[${i}].slot`,
          message: 'asks for a site but directories.sites is empty',
        });
      }
    });
  }
  const codes = new Set<unknown>();
  arr(dirs.academies).forEach((a, i) => {
    const code = obj(a).code;
    if (codes.has(code))
      problems.push({
        path: `directories.academies[${i}].code`,
        message: `academy code "${String(code)}" appears twice`,
      });
    codes.add(code);
  });
  // Who may ask: each list belongs to a known academy or site, and stays within the agreed number.
  const registry = obj(cfg.registry);
  const siteIds = new Set(arr(dirs.sites).map((s) => String(obj(s).id)));
  for (const [unit, people] of Object.entries(obj(registry.people))) {
    if (!codes.has(unit) && !siteIds.has(unit)) {
      problems.push({ path: `registry.people.${unit}`, message: `"${unit}" is neither an academy code nor a site id` });
    }
    const max = registry.max_per_unit;
    if (typeof max === 'number' && arr(people).length > max) {
      problems.push({
        path: `registry.people.${unit}`,
        message: `${arr(people).length} people registered, at most ${max} allowed (registry.max_per_unit)`,
      });
    }
  }
  // Page ids are what tickets record as proposed: they must tell pages apart.
  const pageIds = new Set<unknown>();
  const knowledge = obj(cfg.knowledge);
  for (const list of ['articles', 'changelog'] as const) {
    arr(knowledge[list]).forEach((p, i) => {
      const id = obj(p).id;
      if (pageIds.has(id)) {
        problems.push({ path: `knowledge.${list}[${i}].id`, message: `page id "${String(id)}" appears twice` });
      }
      pageIds.add(id);
    });
  }
  return problems;
}
