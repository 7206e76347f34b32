import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { stringify } from 'yaml';
import { loadConfig, PROFILES, PROJECT_ROOT, readConfigFile } from '../../adapters/config/load.ts';
import { PRIVATE_DIR_MODE } from '../../adapters/files/private.ts';
import { scrubber } from '../../adapters/learn/scrub.ts';
import type { Config } from '../../core/config/schema.ts';
import { ConfigError, type ConfigProblem } from '../../core/config/validate.ts';
import { createCore, type TriageCore } from '../../core/engine.ts';
import type { ConversationState } from '../../core/types.ts';
import { type EvalReport, evaluate, type LabelledLine, labelledLine } from '../cli/evaluate.ts';
import { activeFile, type ConfigSource } from '../runtime/config-source.ts';
import { warmUp } from '../runtime/warm.ts';

/** The admin console's reading of the bot: pure where it can be, over the live core and the stores. */

/** A core per shipped profile: the live one for the running profile, others trained once when first asked. */
export class ProfileCores {
  private readonly others = new Map<string, TriageCore>();

  constructor(private readonly live: TriageCore) {}

  profiles(): string[] {
    return [...new Set([this.live.config.profile, ...PROFILES])];
  }

  get(profile: string | undefined): TriageCore {
    if (!profile || profile === this.live.config.profile) return this.live;
    if (!(PROFILES as readonly string[]).includes(profile)) throw new AdminError(400, `unknown profile: ${profile}`);
    let core = this.others.get(profile);
    if (!core) {
      core = createCore(loadConfig({ profile }));
      warmUp(core, 300);
      this.others.set(profile, core);
    }
    return core;
  }
}

export class AdminError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly problems?: ConfigProblem[],
  ) {
    super(message);
  }
}

/**
 * "Try a sentence": what the bot reads in it and what it would answer, on a fresh conversation. The core
 * is pure: nothing is stored, nothing filed (the effects it asks for are only listed).
 */
export function trySentence(core: TriageCore, text: string) {
  if (!text.trim()) throw new AdminError(400, 'type a sentence');
  if (text.length > 4000) throw new AdminError(400, 'at most 4000 characters');
  const verdict = core.classifier.classify(text, undefined, { explain: true });
  const slots = core.extractor.extract(text);
  const outcome = core.handle(
    null,
    {
      type: 'message',
      turn: {
        conversation: 'admin:try',
        user: { id: 'admin:try', name: 'Admin' },
        text,
        attachments: [],
        interactive: true,
      },
    },
    { now: new Date(), desk: true },
  );
  return {
    profile: core.config.profile,
    label: verdict.label,
    oosReason: verdict.oosReason,
    confidence: verdict.confidence,
    scores: verdict.scores,
    lang: verdict.lang,
    urgent: verdict.urgent,
    multiSubject: verdict.multiSubject,
    reasons: verdict.reasons,
    slots: Object.fromEntries(Object.entries(slots).filter(([, v]) => v !== undefined && v !== null && v !== '')),
    next: {
      phase: outcome.state.phase,
      awaiting: outcome.state.awaiting,
      status: outcome.status,
      replies: outcome.replies.map((r) => ({
        text: r.text,
        ...(r.choices?.length ? { choices: r.choices.map((c) => c.label) } : {}),
      })),
      effects: outcome.effects.map((e) => e.type),
    },
  };
}

// ---- evaluation ------------------------------------------------------------------------------------

const FIXTURES = join(PROJECT_ROOT, 'test', 'fixtures');

/** The labelled JSONL files shipped with the product (those whose lines `triage eval` reads). */
export function shippedEvalFiles(): string[] {
  if (!existsSync(FIXTURES)) return [];
  return readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.jsonl'))
    .filter((f) => {
      const first = readFileSync(join(FIXTURES, f), 'utf8')
        .split('\n')
        .find((l) => l.trim());
      try {
        return first !== undefined && labelledLine.safeParse(JSON.parse(first)).success;
      } catch {
        return false;
      }
    })
    .sort();
}

/** Labelled lines from JSONL text; a bad line is refused with its number. */
export function labelledLines(text: string, name: string): LabelledLine[] {
  const lines: LabelledLine[] = [];
  for (const [i, line] of text.split('\n').entries()) {
    if (!line.trim()) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new AdminError(400, `${name}:${i + 1}: not JSON`);
    }
    const parsed = labelledLine.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new AdminError(400, `${name}:${i + 1}: ${issue?.path.join('.') || '(line)'}: ${issue?.message}`);
    }
    lines.push(parsed.data);
  }
  if (lines.length === 0) throw new AdminError(400, `${name}: no labelled lines`);
  if (lines.length > 20_000) throw new AdminError(400, `${name}: more than 20,000 lines`);
  return lines;
}

/** `triage eval`'s report for a shipped file or uploaded lines, over the live core (and trained others). */
export function evaluateLines(
  lines: LabelledLine[],
  cores: ProfileCores,
): EvalReport & { ms: number; profiles: string[] } {
  const start = performance.now();
  const report = evaluate(lines, (profile) => cores.get(profile));
  return {
    ...report,
    misclassified: report.misclassified.slice(0, 200),
    slotErrors: report.slotErrors.slice(0, 200),
    ms: Math.round(performance.now() - start),
    profiles: [...new Set(lines.map((l) => l.profile))],
  };
}

export function readShippedEval(name: string): LabelledLine[] {
  if (!shippedEvalFiles().includes(name)) throw new AdminError(404, `no shipped labelled file ${name}`);
  return labelledLines(readFileSync(join(FIXTURES, name), 'utf8'), name);
}

// ---- personal data ---------------------------------------------------------------------------------

const scrubbers = new WeakMap<Config, ReturnType<typeof scrubber>>();

/**
 * Masks names, e-mail addresses, phone numbers and the students a text names, unless the configuration
 * allows showing them (`admin.show_personal_data`): the people named are masked wherever they appear.
 */
export function masker(config: Config): (text: string, people?: (string | undefined)[]) => string {
  if (config.admin.show_personal_data) return (text) => text;
  let scrub = scrubbers.get(config);
  if (!scrub) {
    scrub = scrubber(config);
    scrubbers.set(config, scrub);
  }
  const run = scrub;
  return (text, people = []) =>
    run(
      text,
      people.filter((p): p is string => Boolean(p)),
    );
}

/** The people a conversation names: its person, and the student, name, e-mail and phone details it found. */
export function peopleOf(state: ConversationState): string[] {
  const slots = (state.request?.slots ?? {}) as Record<string, unknown>;
  return [
    state.user?.name,
    state.user?.email,
    ...['student', 'name', 'email', 'phone'].map((k) => (typeof slots[k] === 'string' ? (slots[k] as string) : '')),
  ].filter((p): p is string => Boolean(p));
}

// ---- configuration ---------------------------------------------------------------------------------

const SECRET_KEY = /(secret|password|passwd|token|api_?key)$/i;

/** The configuration with every secret-looking value masked (the `*_env` names of variables stay). */
export function maskSecrets(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) return value.map((v) => maskSecrets(v));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskSecrets(v, k)]));
  if (typeof value === 'string' && SECRET_KEY.test(key)) return '••••••';
  return value;
}

export function configYaml(config: Config): string {
  return stringify(maskSecrets(config), { lineWidth: 0 });
}

/** The overlay's text: the admin's saved changes, or a starting point that extends the base. */
export async function overlayText(source: ConfigSource): Promise<string> {
  if (existsSync(source.overlay)) return readFile(source.overlay, 'utf8');
  return [
    `# Your changes to the configuration, on top of ${source.base}.`,
    '# Maps merge key by key, lists replace, null removes an inherited key. For example:',
    '# messages:',
    '#   welcome:',
    '#     nl: "Hallo! Waarmee kan ik helpen?"',
    `extends: ${source.base}`,
    '',
  ].join('\n');
}

/**
 * Validate an edited overlay as the bot would read it (the same loader, `extends` and limits included):
 * written beside the overlay under a name of its own, read, removed. Every problem with its path.
 */
export async function checkOverlay(
  source: ConfigSource,
  yaml: string,
): Promise<{ ok: true; config: Config } | { ok: false; problems: ConfigProblem[] }> {
  if (yaml.length > 512 * 1024) return { ok: false, problems: [{ path: '(file)', message: 'larger than 512 KB' }] };
  const dir = dirname(source.overlay);
  await mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  const file = join(dir, `.check-${randomBytes(6).toString('hex')}.yaml`);
  await writeFile(file, yaml, { mode: 0o600 });
  try {
    return { ok: true, config: readConfigFile(file).config };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // The path of the scratch file means "your edit".
    const problems = error.problems.map((p) => ({
      path: p.path.split(file).join('(your edit)'),
      message: p.message.split(file).join('(your edit)'),
    }));
    return { ok: false, problems };
  } finally {
    await rm(file, { force: true });
  }
}

export function activeConfigFile(source: ConfigSource): string {
  return activeFile(source);
}
