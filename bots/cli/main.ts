import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { Command, Option } from 'commander';
import { configPath, loadConfig, loadConfigFile, PROFILES } from '../../adapters/config/load.ts';
import { cachedConfig, cachedCore } from '../../adapters/config/model-cache.ts';
import { fileStore, memoryStore } from '../../adapters/state/store.ts';
import { createTicketing, type Ticketing } from '../../adapters/tickets/factory.ts';
import { LocalTicketStore } from '../../adapters/tickets/local/store.ts';
import type { OutboxEntry } from '../../adapters/tickets/outbox/outbox.ts';
import { ticketListLine } from '../../adapters/tickets/render.ts';
import { calibrate } from '../../core/classify/calibrate.ts';
import { ConfigError } from '../../core/config/validate.ts';
import { createCore, type TriageCore } from '../../core/engine.ts';
import { jsonLine, visibleText, visibleTurn } from '../../core/text/visible.ts';
import type { Attachment, Reply } from '../../core/types.ts';
import { appLogger } from '../runtime/log.ts';
import { type Logger, type Notifier, TriageService } from '../runtime/service.ts';
import { evaluate, formatReport, labelledLine } from './evaluate.ts';

/** Where the embedded stores keep their files. */
export function dataDir(): string {
  return resolve(process.env.TRIAGE_DATA_DIR || './data');
}

interface ProfileOptions {
  profile?: string;
  config?: string;
}

/** The core for `serve` and `chat`, its model kept in the data folder between starts. */
async function savedCore(options: ProfileOptions): Promise<TriageCore> {
  const config = await cachedConfig(configPath(options), dataDir());
  return cachedCore(config, dataDir(), () => performance.now());
}

/** Cores per profile, built once (training takes tens of milliseconds). */
function coreCache(options: ProfileOptions): (profile?: string) => TriageCore {
  const cache = new Map<string, TriageCore>();
  return (profile?: string) => {
    const key = options.config ? `config:${options.config}` : (profile ?? options.profile ?? 'academy');
    let core = cache.get(key);
    if (!core) {
      const config = options.config
        ? loadConfigFile(options.config)
        : loadConfig({ profile: profile ?? options.profile ?? 'academy' });
      core = createCore(config, { clock: () => performance.now() });
      cache.set(key, core);
    }
    return core;
  };
}

/** Settings from `./.env` when there is one (the environment wins over the file). */
function loadDotEnv(): void {
  if (existsSync('.env') && typeof process.loadEnvFile === 'function') process.loadEnvFile('.env');
}

/** Read JSON lines from stdin, answer each with exactly one line on stdout, in order. */
async function jsonLines(handle: (value: unknown) => Promise<unknown> | unknown): Promise<void> {
  const rl = createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of rl) {
    if (!line.trim()) continue;
    let out: unknown;
    try {
      out = await handle(JSON.parse(line));
    } catch (error) {
      out = {
        error:
          error instanceof SyntaxError ? `invalid JSON: ${error.message}` : String((error as Error).message ?? error),
      };
    }
    process.stdout.write(`${JSON.stringify(out)}\n`);
  }
}

const profileOption = () => new Option('--profile <name>', 'shipped profile').choices([...PROFILES]).default('academy');
const configOption = () => new Option('--config <file>', "an admin's YAML configuration (instead of --profile)");

export function program(): Command {
  const cli = new Command('triage')
    .description('Helpdesk triage bot: try it in the terminal, drive it with JSON lines, evaluate and check config.')
    .showHelpAfterError();

  cli
    .command('chat')
    .description('talk to the bot in the terminal; tickets go to the local store')
    .addOption(profileOption())
    .addOption(configOption())
    .option('--conversation <id>', 'resume a conversation by id', `chat-${process.pid}-${Date.now().toString(36)}`)
    .option('--user <name>', 'your name', process.env.USER ?? 'terminal user')
    .action(async (options: ProfileOptions & { conversation: string; user: string }) => {
      const core = await savedCore(options);
      const dir = dataDir();
      const store = fileStore(dir);
      const log = appLogger();
      const ticketing = createTicketing(core.config, { dataDir: dir, log });
      // Ticket numbers that arrive after their turn (a slow helpdesk) are printed as they come.
      const notifier: Notifier = {
        async notify(_conversation, replies) {
          for (const reply of replies) process.stdout.write(`\n${reply.text}\n> `);
        },
      };
      const service = new TriageService(core, store, ticketing.sink, () => new Date(), log, {
        worker: ticketing.worker,
        notifier,
        waitMs: ticketing.waitMs,
      });
      ticketing.worker.start(2000);
      const where =
        ticketing.sink.name === 'local'
          ? `saved in ${resolve(dir, 'tickets')}`
          : `filed through ${ticketing.sink.name}`;
      const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: process.stdin.isTTY });
      const hello = core.config.messages.empty[core.config.default_language];
      process.stdout.write(`${hello}\n(attach a screenshot with "/attach file.png"; Ctrl-D to quit)\n> `);
      let attachments: Attachment[] = [];
      for await (const line of rl) {
        const attach = /^\/attach\s+(.+)$/.exec(line.trim());
        if (attach?.[1]) {
          const name = attach[1].trim();
          const contentType = /\.(png|jpe?g|gif|webp)$/i.test(name)
            ? `image/${name.split('.').pop()!.toLowerCase().replace('jpg', 'jpeg')}`
            : 'application/octet-stream';
          attachments.push({ name, contentType });
          process.stdout.write(`(attached ${name})\n> `);
          continue;
        }
        const result = await service.handleTurn(
          visibleTurn({
            conversation: options.conversation,
            user: { id: options.user, name: options.user },
            text: line,
            attachments,
          }),
        );
        attachments = [];
        for (const reply of result.replies) process.stdout.write(`\n${reply.text}\n`);
        if (result.ticket) process.stdout.write(`\n(ticket ${result.ticket.id} ${where})\n`);
        process.stdout.write('\n> ');
      }
      await ticketing.close();
      await store.close();
    });

  cli
    .command('serve')
    .description(
      'run the bot as a server for Slack and Teams: POST /slack/events, POST /api/messages, GET /healthz (`npm start`)',
    )
    .addOption(profileOption())
    .addOption(configOption())
    .option('--port <n>', 'port to listen on (default: PORT, else 3978)')
    .option(
      '--host <address>',
      'address to listen on (default: every address; 127.0.0.1 with Teams in local mode or no channel on)',
    )
    .action(async (options: ProfileOptions & { port?: string; host?: string }) => {
      loadDotEnv();
      const given = options.port ?? process.env.PORT ?? '3978';
      const port = Number(given);
      if (!/^\d+$/.test(given) || port > 65535) throw new Error(`not a port: ${given}`);
      const log = appLogger('info');
      // Training and loading the channels' SDKs overlap less than they add up: start both at once.
      const [{ serve }, core] = await Promise.all([import('../server/main.ts'), savedCore(options)]);
      const running = await serve({
        core,
        dataDir: dataDir(),
        port,
        ...(options.host ? { host: options.host } : {}),
        env: process.env,
        log,
      });
      process.stderr.write(
        `helpdesk triage listening on port ${running.port} (GET /healthz for the channels' state)\n`,
      );
      await new Promise<void>((resolve) => {
        const stop = () => {
          log.info({}, 'shutting down: finishing the turns under way');
          void running.close().then(resolve, resolve);
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });

  cli
    .command('classify')
    .description('classify JSON lines from stdin: {"id","text","profile"} -> label, reason, confidence, slots')
    .requiredOption('--json', 'JSON lines in and out')
    .addOption(profileOption())
    .addOption(configOption())
    .action(async (options: ProfileOptions) => {
      const coreFor = coreCache(options);
      await jsonLines((value) => {
        const input = value as { id?: string; text?: unknown; profile?: string };
        if (typeof input.text !== 'string') throw new Error('"text" must be a string');
        const core = coreFor(input.profile);
        const v = core.classifier.classify(input.text);
        return {
          ...(input.id !== undefined ? { id: input.id } : {}),
          label: v.label,
          oos_reason: v.oosReason,
          confidence: Number(v.confidence.toFixed(4)),
          lang: v.lang,
          urgent: v.urgent,
          multi_subject: v.multiSubject,
          slots: core.extractor.extract(input.text),
        };
      });
    });

  cli
    .command('converse')
    .description('drive whole conversations with JSON lines: one user turn in, one result out')
    .requiredOption('--json', 'JSON lines in and out')
    .addOption(profileOption())
    .addOption(configOption())
    .option('--persist', 'keep conversations in TRIAGE_DATA_DIR (default: in memory for this run)')
    .option(
      '--ask-once',
      "offer an open ticket on the same subject from another conversation (off: they're independent)",
    )
    .action(async (options: ProfileOptions & { persist?: boolean; askOnce?: boolean }) => {
      const core = coreCache(options)();
      const dir = dataDir();
      const store = options.persist ? fileStore(dir) : memoryStore();
      const log = appLogger();
      const ticketing = createTicketing(core.config, { dataDir: dir, log });
      // One line out per line in: news that arrives between turns goes out with the conversation's next turn.
      const late = new Map<string, Reply[]>();
      const service = new TriageService(core, store, ticketing.sink, () => new Date(), log, {
        worker: ticketing.worker,
        notifier: {
          async notify(conversation, replies) {
            late.set(conversation, [...(late.get(conversation) ?? []), ...replies]);
          },
        },
        waitMs: ticketing.waitMs,
      });
      ticketing.worker.start(2000);
      // The contract's conversations are independent: one does not find another's tickets unless asked.
      service.askOnce = Boolean(options.askOnce);
      await jsonLines(async (value) => {
        const input = value as { conversation?: unknown; user?: unknown; text?: unknown; attachments?: unknown };
        if (typeof input.conversation !== 'string' || !input.conversation)
          throw new Error('"conversation" must be a non-empty string');
        const attachments = Array.isArray(input.attachments)
          ? input.attachments.map((a: { name?: unknown; contentType?: unknown }) => ({
              name: String(a?.name ?? 'file'),
              contentType: String(a?.contentType ?? 'application/octet-stream'),
            }))
          : [];
        const r = await service.handleTurn(
          visibleTurn({
            conversation: input.conversation,
            user: { id: typeof input.user === 'string' ? input.user : 'anonymous' },
            text: typeof input.text === 'string' ? input.text : '',
            attachments,
          }),
        );
        const earlier = late.get(r.conversation) ?? [];
        late.delete(r.conversation);
        return {
          conversation: r.conversation,
          replies: [...earlier, ...r.replies].map((x) => x.text),
          status: r.status,
          awaiting: r.awaiting,
          label: r.label,
          ticket: r.ticket,
          rejection: r.rejection,
        };
      });
      await ticketing.close();
      await store.close();
    });

  cli
    .command('eval')
    .description('score the bot on labelled JSON lines (format of ../shared/data/FORMAT.md)')
    .argument('<file>', 'labelled .jsonl file')
    .addOption(configOption())
    .option('--profile <name>', 'only lines of this profile')
    .option('--errors', 'list misclassified lines with the features that decided them, and slot errors')
    .option('--json', 'print the report as JSON')
    .action((file: string, options: ProfileOptions & { errors?: boolean; json?: boolean }) => {
      const lines = readFileSync(file, 'utf8')
        .split('\n')
        .map((l, i) => ({ l, i }))
        .filter(({ l }) => l.trim())
        .map(({ l, i }) => {
          const parsed = labelledLine.safeParse(JSON.parse(l));
          if (!parsed.success) throw new Error(`${file}:${i + 1}: ${parsed.error.issues[0]?.message}`);
          return parsed.data;
        })
        .filter((l) => !options.profile || l.profile === options.profile);
      const coreFor = coreCache({ config: options.config });
      const report = evaluate(lines, (profile) => coreFor(profile));
      const training = [...new Set(lines.map((l) => l.profile))].map((p) => {
        const core = coreFor(p);
        return `${options.config ?? p}: ${core.classifier.examples} examples, trained in ${core.classifier.trainingMs.toFixed(0)} ms`;
      });
      if (options.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      else
        process.stdout.write(`${training.join('\n')}\n${formatReport(report, { errors: Boolean(options.errors) })}\n`);
    });

  const config = cli.command('config').description('admin configuration');
  config
    .command('check')
    .description('validate a YAML configuration; lists every problem with its path')
    .argument('<file>')
    .action((file: string) => {
      const cfg = loadConfigFile(file);
      const intents = Object.values(cfg.intents);
      process.stdout.write(
        `OK: ${file} (profile ${cfg.profile}): ${intents.length} intents, ${intents.reduce((n, i) => n + i.examples.length, 0)} example phrases, ` +
          `${cfg.directories.academies.length} academies, ${cfg.directories.screens.length} screens, ${cfg.directories.sites.length} sites\n`,
      );
    });

  config
    .command('calibrate')
    .description(
      "fit the classifier's temperature by cross-validation on the config's own phrases (whole intents held out)",
    )
    .addOption(profileOption())
    .addOption(configOption())
    .option('--folds <n>', 'number of folds', '5')
    .action((options: ProfileOptions & { folds: string }) => {
      const cfg = options.config
        ? loadConfigFile(options.config)
        : loadConfig({ profile: options.profile ?? 'academy' });
      const folds = Number(options.folds);
      if (!Number.isInteger(folds) || folds < 2) throw new Error('--folds must be an integer of at least 2');
      const c = calibrate(cfg, folds);
      const f = (x: number) => x.toFixed(3);
      process.stdout.write(
        `${cfg.profile}: ${c.examples} phrases, ${c.folds} folds (whole intents held out), held-out accuracy ${(c.accuracy * 100).toFixed(1)}%\n` +
          `  temperature 1 (none): ECE ${f(c.before.ece)}  log-loss ${f(c.before.nll)}\n` +
          `  temperature ${c.temperature}: ECE ${f(c.after.ece)}  log-loss ${f(c.after.nll)}   (configured now: ${cfg.classifier.temperature})\n` +
          `put in the profile's YAML:\nclassifier:\n  temperature: ${c.temperature}\n`,
      );
    });

  const tickets = cli.command('tickets').description('the local ticket store');
  tickets
    .command('list')
    .description('list tickets in the local store (TRIAGE_DATA_DIR)')
    .option('--json', 'one JSON object per ticket')
    .action(async (options: { json?: boolean }) => {
      const all = await new LocalTicketStore(dataDir()).list();
      for (const t of all) {
        if (options.json)
          process.stdout.write(`${jsonLine({ id: t.id, status: t.status, ...t.draft, transcript: undefined })}\n`);
        else process.stdout.write(ticketListLine(t));
      }
      if (!options.json && all.length === 0) process.stdout.write(`no tickets in ${resolve(dataDir(), 'tickets')}\n`);
    });

  tickets
    .command('failed')
    .description('tickets the ticket system refused for good or never answered (dead letters), with the reason')
    .addOption(profileOption())
    .addOption(configOption())
    .option('--json', 'one JSON object per dead letter')
    .action(async (options: ProfileOptions & { json?: boolean }) => {
      const ticketing = openTicketing(options);
      try {
        const all = await ticketing.outbox.all();
        const dead = all.filter((e) => e.state === 'dead');
        for (const e of dead)
          process.stdout.write(options.json ? `${jsonLine(deadLetter(e))}\n` : visibleText(formatDead(e)));
        const waiting = all.filter((e) => e.state === 'pending' || e.state === 'delivering').length;
        if (!options.json)
          process.stdout.write(
            `${dead.length} dead letter(s)${waiting ? `, ${waiting} ticket(s) still being delivered` : ''}` +
              `${dead.length ? '; `triage tickets retry [key]` sends them again' : ''}\n`,
          );
      } finally {
        await ticketing.close();
      }
    });

  tickets
    .command('retry')
    .description('send dead letters again now (all, or the one with this key); what still fails stays listed')
    .argument('[key]', 'idempotency key of one dead letter (as `tickets failed` shows)')
    .addOption(profileOption())
    .addOption(configOption())
    .action(async (key: string | undefined, options: ProfileOptions) => {
      const ticketing = openTicketing(options);
      try {
        const dead = (await ticketing.outbox.dead()).filter((e) => key === undefined || e.key === key);
        if (key !== undefined && dead.length === 0) throw new Error(`no dead letter with key ${key}`);
        for (const e of dead) {
          await ticketing.outbox.retry(e.key, Date.now());
          const after = await ticketing.worker.attempt(e.key);
          const outcome =
            after?.state === 'done'
              ? `filed as ${after.ticket?.id}`
              : after?.state === 'dead'
                ? `failed again: ${after.lastError?.message}`
                : `not yet (${after?.lastError?.message ?? 'busy'}); the bot keeps retrying`;
          process.stdout.write(`${e.key}  ${outcome}\n`);
        }
        if (dead.length === 0) process.stdout.write('no dead letters\n');
      } finally {
        await ticketing.close();
      }
    });

  return cli;
}

/** The configured ticket delivery over `TRIAGE_DATA_DIR`'s outbox, for the admin commands. */
function openTicketing(options: ProfileOptions): Ticketing {
  const config = options.config
    ? loadConfigFile(options.config)
    : loadConfig({ profile: options.profile ?? 'academy' });
  return createTicketing(config, { dataDir: dataDir(), log: appLogger() as unknown as Logger });
}

function deadLetter(e: OutboxEntry) {
  return {
    key: e.key,
    title: e.draft.title,
    label: e.draft.label,
    sink: e.sink,
    attempts: e.attempts,
    created_at: e.createdAt,
    dead_at: e.deadAt,
    error: e.lastError,
    ticket: e.ticket ?? null,
    person_told: e.notified,
  };
}

function formatDead(e: OutboxEntry): string {
  const when = (e.deadAt ?? e.updatedAt).slice(0, 16).replace('T', ' ');
  const filed = e.ticket ? ` (ticket ${e.ticket.id} exists; its files did not follow)` : '';
  return `${e.key}  ${when}  ${e.sink}  ${e.attempts} attempt(s)  ${e.lastError?.code ?? ''}: ${e.lastError?.message ?? ''}${filed}\n    ${e.draft.label}: ${e.draft.title}\n`;
}

/** Run the CLI; configuration problems are printed as a list and exit with status 1. */
export async function main(argv: string[]): Promise<void> {
  try {
    await program().parseAsync(argv);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(
        `invalid configuration ${error.source}:\n${error.problems.map((p) => `  ${p.path}: ${p.message}`).join('\n')}\n`,
      );
    } else {
      process.stderr.write(`triage: ${(error as Error).message ?? error}\n`);
    }
    process.exitCode = 1;
  }
}
