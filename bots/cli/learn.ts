import { readFileSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { loadConfig, loadConfigFile, PROFILES } from '../../adapters/config/load.ts';
import { draftFinder, relabelInSystem, systemText } from '../../adapters/learn/corrections.ts';
import { crossValidate, type Score } from '../../adapters/learn/crossval.ts';
import { kindName, LearnError, parseKind, readHistory, withExamples } from '../../adapters/learn/examples.ts';
import { EXPORT_FORMATS, type ExportFormat } from '../../adapters/learn/formats.ts';
import { importExport, learnFromTicket, trainingSet } from '../../adapters/learn/learning.ts';
import { isExpired, type LearnedExample, type LearnedStore, purgeExpired } from '../../adapters/learn/store.ts';
import { learnedStoreFromEnv } from '../../adapters/learn/stores.ts';
import type { Ticketing } from '../../adapters/tickets/factory.ts';
import { LocalTicketStore } from '../../adapters/tickets/local/store.ts';
import type { Config } from '../../core/config/schema.ts';

/** Where the embedded stores keep their files (as `main.ts`'s `dataDir`). */
function dataDir(): string {
  return resolve(process.env.TRIAGE_DATA_DIR || './data');
}

interface ProfileOptions {
  profile?: string;
  config?: string;
}

function configOf(options: ProfileOptions): Config {
  return options.config ? loadConfigFile(options.config) : loadConfig({ profile: options.profile ?? 'academy' });
}

/** `--history FILE`: the file's labelled lines of this profile join training, at the configured weight. */
export function withHistory(config: Config, file: string | undefined): Config {
  if (!file) return config;
  return withExamples(config, readHistory(file, config.profile), config.learning.weight);
}

/** Read a history file once before any input: a bad line stops the command with its file and line. */
export function checkHistory(file: string): void {
  readHistory(file, '');
}

const out = (s: string) => process.stdout.write(s);
const pct = (x: number) => x.toFixed(3);

function formatScore(s: Score): string {
  const per = Object.entries(s.f1)
    .map(([l, f]) => `${l} ${pct(f)}`)
    .join(', ');
  return `accuracy ${pct(s.accuracy)}  macro-F1 ${pct(s.macroF1)}  (F1: ${per})`;
}

/** Stores opened by the command that runs, closed when it is done (a Redis connection keeps the process alive). */
const opened: LearnedStore[] = [];

async function closeStores(): Promise<void> {
  await Promise.all(opened.splice(0).map((s) => s.close()));
}

/** The store, chosen as the state store is, with examples past the retention period already dropped. */
async function openStore(config: Config): Promise<LearnedStore> {
  const store = await learnedStoreFromEnv(process.env, dataDir());
  opened.push(store);
  const gone = await purgeExpired(store, new Date(), config.learning.retention_days);
  if (gone > 0) process.stderr.write(`${gone} learned example(s) past the retention period were erased\n`);
  return store;
}

function profileOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--profile <name>', 'shipped profile').choices([...PROFILES]).default('academy'))
    .addOption(new Option('--config <file>', "an admin's YAML configuration (instead of --profile)"));
}

/** Examples chosen by ids, `--source`, `--ref`, `--matching` or `--all`, of the configuration's profile. */
function select(
  all: LearnedExample[],
  config: Config,
  ids: string[],
  options: { all?: boolean; source?: string; ref?: string; matching?: string; pending?: boolean },
): LearnedExample[] {
  const wanted = new Set(ids);
  const given = options.all || options.source || options.ref || options.matching || ids.length > 0;
  if (!given) throw new LearnError('NOT_FOUND', 'name the examples: ids, --source, --ref, --matching or --all');
  return all.filter(
    (e) =>
      e.profile === config.profile &&
      (!options.pending || e.status === 'pending') &&
      (options.all ||
        wanted.has(e.id) ||
        (options.source !== undefined && e.source === options.source) ||
        (options.ref !== undefined && e.ref === options.ref) ||
        (options.matching !== undefined && e.text.toLowerCase().includes(options.matching.toLowerCase()))),
  );
}

/** Remove the profile's saved models (`<dataDir>/models/<profile>-*.json`); answers how many. */
async function forgetModels(profile: string): Promise<number> {
  const dir = join(dataDir(), 'models');
  const files = (await readdir(dir).catch(() => [] as string[])).filter(
    (f) => f.startsWith(`${profile}-`) && f.endsWith('.json'),
  );
  await Promise.all(files.map((f) => rm(join(dir, f), { force: true })));
  return files.length;
}

/** `triage learn ...`: import history, review, approve, forget, export. */
export function learnCommands(cli: Command): void {
  const learn = cli
    .command('learn')
    .description(
      "learn from the helpdesk's own tickets and its agents' corrections (kept beside the state: TRIAGE_DATA_DIR's database, or REDIS_URL)",
    )
    .hook('postAction', closeStores);

  profileOptions(
    learn
      .command('import')
      .description(
        'import a ticket export (CSV or JSON lines): categories mapped by learning.categories, personal data scrubbed',
      )
      .argument(
        '<file>',
        'Freshdesk, Jira Service Management or TOPdesk export, local tickets, webhook payloads, labelled lines',
      )
      .addOption(
        new Option('--format <name>', 'the export format (default: recognised by its fields)').choices([
          ...EXPORT_FORMATS,
        ]),
      )
      .option('--approve', 'approve the imported examples at once (default: learning.approve_imports)')
      .option('--dry-run', 'show what would be learned and its effect, keep nothing')
      .option('--folds <n>', 'cross-validation folds for the before/after', '5'),
  ).action(
    async (
      file: string,
      options: ProfileOptions & { format?: ExportFormat; approve?: boolean; dryRun?: boolean; folds: string },
    ) => {
      const config = configOf(options);
      const now = new Date();
      const result = importExport(config, readFileSync(file, 'utf8'), file, {
        ...(options.format ? { format: options.format } : {}),
        now,
      });
      const examples = result.examples.map((e) =>
        options.approve ? { ...e, status: 'approved' as const, approved_at: now.toISOString() } : e,
      );
      out(`${file}: ${result.format} export, ${examples.length} example(s) for profile ${config.profile}\n`);
      const byKind = new Map<string, number>();
      for (const e of examples) byKind.set(kindName(e), (byKind.get(kindName(e)) ?? 0) + 1);
      for (const [k, n] of [...byKind].sort()) out(`  ${k.padEnd(30)} ${n}\n`);
      const unmapped = Object.entries(result.unmapped);
      if (unmapped.length > 0) {
        out(`skipped, category not in learning.categories: ${unmapped.map(([c, n]) => `${c} (${n})`).join(', ')}\n`);
      }
      if (result.empty > 0) out(`skipped, no text: ${result.empty}\n`);
      if (result.otherProfile > 0) out(`skipped, another profile's lines: ${result.otherProfile}\n`);
      if (examples.length >= 2) {
        const cv = crossValidate(config, examples, { weight: config.learning.weight, folds: Number(options.folds) });
        out(`on the imported tickets, ${cv.folds}-fold cross-validated:\n`);
        out(`  phrases only:      ${formatScore(cv.before)}\n`);
        out(`  with the history:  ${formatScore(cv.after)}\n`);
        out(
          `  macro-F1 ${cv.after.macroF1 >= cv.before.macroF1 ? '+' : ''}${pct(cv.after.macroF1 - cv.before.macroF1)}\n`,
        );
      }
      if (options.dryRun) {
        out('dry run: nothing kept\n');
        return;
      }
      const store = await openStore(config);
      await store.put(examples);
      const approved = examples.filter((e) => e.status === 'approved').length;
      out(
        `kept in ${store.where}: ${approved} approved, ${examples.length - approved} waiting for \`triage learn approve\`\n`,
      );
    },
  );

  profileOptions(
    learn.command('status').description('what was learned, from where, and what trains').option('--json', 'as JSON'),
  ).action(async (options: ProfileOptions & { json?: boolean }) => {
    const config = configOf(options);
    const store = await openStore(config);
    const mine = (await store.list()).filter((e) => e.profile === config.profile);
    const bySource: Record<string, { pending: number; approved: number }> = {};
    for (const e of mine) {
      bySource[e.source] ??= { pending: 0, approved: 0 };
      bySource[e.source]![e.status]++;
    }
    const training = trainingSet(config, mine, new Date()).length;
    const oldest = mine.map((e) => e.created_at).sort()[0] ?? null;
    const status = {
      profile: config.profile,
      examples: mine.length,
      training,
      pending: mine.filter((e) => e.status === 'pending').length,
      by_source: bySource,
      weight: config.learning.weight,
      retention_days: config.learning.retention_days,
      oldest,
      file: store.where,
    };
    if (options.json) {
      out(`${JSON.stringify(status)}\n`);
      return;
    }
    out(
      `${config.profile}: ${mine.length} learned example(s), ${training} training (weight ${config.learning.weight}), ${status.pending} waiting for review\n`,
    );
    for (const [source, n] of Object.entries(bySource))
      out(`  ${source.padEnd(22)} ${n.approved} approved, ${n.pending} pending\n`);
    out(
      `kept ${config.learning.retention_days ? `${config.learning.retention_days} days` : 'for ever'}${oldest ? `; oldest from ${oldest.slice(0, 10)}` : ''}; in ${store.where}\n`,
    );
  });

  profileOptions(
    learn
      .command('review')
      .description('list the learned examples waiting for approval (with --all: every one)')
      .option('--all', 'approved ones too')
      .option('--json', 'one JSON object per example'),
  ).action(async (options: ProfileOptions & { all?: boolean; json?: boolean }) => {
    const config = configOf(options);
    const store = await openStore(config);
    const shown = (await store.list()).filter(
      (e) => e.profile === config.profile && (options.all || e.status === 'pending'),
    );
    for (const e of shown) {
      if (options.json) out(`${JSON.stringify(e)}\n`);
      else
        out(
          `${e.id}  ${e.status.padEnd(8)} ${kindName(e).padEnd(30)} ${e.source}${e.ref ? ` ${e.ref}` : ''}\n    ${e.text.replace(/\s+/g, ' ').slice(0, 160)}\n`,
        );
    }
    if (!options.json)
      out(
        `${shown.length} example(s)${shown.length ? '; `triage learn approve ID...|--all` or `triage learn forget ID...`' : ''}\n`,
      );
  });

  profileOptions(
    learn
      .command('approve')
      .description('let learned examples join training (at learning.weight)')
      .argument('[ids...]')
      .option('--all', 'every pending example')
      .option('--source <source>', 'the pending examples from this source (e.g. import:freshdesk, correction:slack)'),
  ).action(async (ids: string[], options: ProfileOptions & { all?: boolean; source?: string }) => {
    const config = configOf(options);
    const store = await openStore(config);
    const now = new Date().toISOString();
    const chosen = select(await store.list(), config, ids, { ...options, pending: true });
    await store.put(chosen.map((e) => ({ ...e, status: 'approved' as const, approved_at: now })));
    out(`${chosen.length} example(s) approved; they train from the next start of the bot\n`);
  });

  profileOptions(
    learn
      .command('forget')
      .description('erase learned examples (a person asking to be forgotten: --ref their ticket, --matching a word)')
      .argument('[ids...]')
      .option('--all', 'every learned example of the profile')
      .option('--source <source>', 'every example from this source')
      .option('--ref <ticket>', 'the examples from this ticket')
      .option('--matching <text>', 'the examples whose text holds this'),
  ).action(
    async (
      ids: string[],
      options: ProfileOptions & { all?: boolean; source?: string; ref?: string; matching?: string },
    ) => {
      const config = configOf(options);
      const store = await openStore(config);
      const n = await store.remove(select(await store.list(), config, ids, options).map((e) => e.id));
      // Saved models list the words they learned from (the examples' stems): they go too, retrained at the next start.
      const models = n > 0 ? await forgetModels(config.profile) : 0;
      out(`${n} example(s) erased${models ? `, ${models} saved model(s) trained on them removed` : ''}\n`);
    },
  );

  profileOptions(
    learn
      .command('export')
      .description('every learned example of the profile as JSON lines (text, label, oos_reason...)'),
  ).action(async (options: ProfileOptions) => {
    const config = configOf(options);
    const store = await openStore(config);
    const now = new Date();
    for (const e of await store.list())
      if (e.profile === config.profile && !isExpired(e, now, config.learning.retention_days))
        out(`${JSON.stringify(e)}\n`);
  });
}

/** `triage tickets relabel ID KIND`: correct a local ticket's kind; the correction becomes a learned example. */
export function relabelCommand(tickets: Command, ticketing: (options: ProfileOptions) => Ticketing): void {
  profileOptions(
    tickets
      .command('relabel')
      .description(
        "correct the kind of a ticket: the bot learns from the correction, and the ticket system's type is set where it can take it",
      )
      .argument('<id>', 'ticket number, e.g. HD-000012')
      .argument('<kind>', 'question, incident, change, complaint or out_of_scope/<reason>')
      .option('--by <agent>', 'who corrects it', process.env.USER ?? 'agent'),
  ).action(async (id: string, kindText: string, options: ProfileOptions & { by: string }) => {
    const kind = parseKind(kindText);
    if (!kind)
      throw new LearnError(
        'BAD_KIND',
        `not a kind: ${kindText} (question, incident, change, complaint, out_of_scope/<reason>)`,
      );
    const config = configOf(options);
    const t = ticketing(options);
    try {
      const local = t.sink instanceof LocalTicketStore ? t.sink : null;
      const stored = local ? await local.get(id) : null;
      const draft = stored?.draft ?? (await draftFinder(t.sink, t.outbox)(id));
      if (!draft)
        throw new LearnError(
          'NOT_FOUND',
          local
            ? `no ticket ${id} in ${resolve(dataDir(), 'tickets')}`
            : `no ticket ${id} among the tickets delivered to ${t.sink.name} (${resolve(dataDir(), 'outbox')})`,
        );
      const now = new Date();
      const store = await openStore(config);
      const example = await learnFromTicket(config, store, {
        ticket: id,
        draft,
        kind,
        channel: 'cli',
        by: options.by,
        now,
      });
      const from = stored?.kind ?? draft.label;
      const system = await relabelInSystem(t.sink, id, kind);
      await local?.addNote(id, {
        at: now.toISOString(),
        author: { id: options.by, name: options.by },
        text: `kind corrected: ${from} -> ${kindName(kind)}`,
        attachments: [],
      });
      out(
        `${id}: ${from} -> ${kindName(kind)}; learned as ${example.id} (${example.status === 'approved' ? 'approved' : 'waiting for `triage learn approve`'}); ${systemText(system, t.sink.name)}\n`,
      );
      // Learned, but the ticket system kept the old type: an error the agent sees (status 1), not a footnote.
      if (system.result === 'failed') {
        process.stderr.write(`${id}: ${systemText(system, t.sink.name)}; set the type there by hand\n`);
        process.exitCode = 1;
      }
    } finally {
      await closeStores();
      await t.close();
    }
  });
}
