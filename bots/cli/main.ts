import { existsSync, readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { Command, Option } from 'commander';
import { configPath, loadConfig, loadConfigFile, PROFILES } from '../../adapters/config/load.ts';
import { cachedConfig, cachedCore } from '../../adapters/config/model-cache.ts';
import { FileBlobStore } from '../../adapters/files/blobs.ts';
import { ensurePrivateDir, privateFileMask } from '../../adapters/files/private.ts';
import { fileStore, memoryStore } from '../../adapters/state/store.ts';
import { createTicketing, type Ticketing } from '../../adapters/tickets/factory.ts';
import { calibrate } from '../../core/classify/calibrate.ts';
import type { Config } from '../../core/config/schema.ts';
import { ConfigError } from '../../core/config/validate.ts';
import { createCore, type TriageCore } from '../../core/engine.ts';
import { visibleTurn } from '../../core/text/visible.ts';
import type { Reply } from '../../core/types.ts';
import { type BuiltCore, buildCore, configSource } from '../runtime/config-source.ts';
import { appLogger } from '../runtime/log.ts';
import { type Logger, type Notifier, TriageService } from '../runtime/service.ts';
import { MAX_TOKEN_SECONDS, MIN_SECRET_CHARS, signRequesterToken } from '../web/token.ts';
import { chat } from './chat.ts';
import { evaluate, formatReport, labelledLine } from './evaluate.ts';
import { firstTurns, formatFirstTurns } from './first-turns.ts';
import { checkHistory, learnCommands, relabelCommand, withHistory } from './learn.ts';
import { ticketCommands } from './tickets.ts';

/** Where the embedded stores keep their files. */
export function dataDir(): string {
  return resolve(process.env.TRIAGE_DATA_DIR || './data');
}

/** The data folder, created for its owner only (it holds names, e-mail addresses, transcripts). */
async function privateDataDir(): Promise<string> {
  const dir = dataDir();
  await ensurePrivateDir(dir);
  return dir;
}

/** The person at the keyboard, as the requester of the tickets the terminal chat files. */
function loginName(): string {
  try {
    return process.env.USER || userInfo().username || 'terminal';
  } catch {
    return process.env.USER || 'terminal';
  }
}

const nowOption = () =>
  new Option(
    '--now <time>',
    'pretend the conversation starts at this ISO time, e.g. 2026-12-07T10:00:00+01:00 (a Monday morning: ' +
      'the helpdesk is open); the clock runs on from there',
  );

/** The clock of a conversation: the real one, or one that starts at `--now` and runs on from it. */
function clockFrom(now: string | undefined): () => Date {
  if (now === undefined) return () => new Date();
  const start = Date.parse(now);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(now) || Number.isNaN(start))
    throw new Error(`--now ${now}: not an ISO date and time (e.g. 2026-12-07T10:00:00+01:00)`);
  const realStart = Date.now();
  return () => new Date(start + (Date.now() - realStart));
}

interface ProfileOptions {
  profile?: string;
  config?: string;
  /** `--history FILE`: labelled lines added to training for this run. */
  history?: string;
}

/**
 * The core for `serve` and `chat`, its model kept in the data folder between starts: the configuration
 * with the admin console's overlay (when saved) and the approved learned examples.
 */
async function savedCore(options: ProfileOptions): Promise<BuiltCore> {
  return buildCore(configSource(configPath(options), dataDir()), () => performance.now());
}

/**
 * Cores per profile for the JSON-lines commands (`classify`, `converse`), built once: restored from the
 * model saved in the data folder when the configuration and code are unchanged (a cold start otherwise
 * trains, about a second and a half of CPU); trained for this run alone with `--history`.
 */
function savedCores(options: ProfileOptions): (profile?: string) => Promise<TriageCore> {
  if (options.history) {
    const trained = coreCache(options);
    return async (profile) => trained(profile);
  }
  const cache = new Map<string, Promise<TriageCore>>();
  return (profile) => {
    const which = { ...options, profile: profile ?? options.profile ?? 'academy' };
    const key = configPath(which);
    let core = cache.get(key);
    if (!core) {
      const built = cachedConfig(key, dataDir()).then((config) =>
        cachedCore(config, dataDir(), () => performance.now()),
      );
      cache.set(key, built);
      core = built;
    }
    return core;
  };
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
      core = createCore(withHistory(config, options.history), { clock: () => performance.now() });
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
    .description('talk to the bot in the terminal; tickets go to the local store (see /help in the chat)')
    .addOption(profileOption())
    .addOption(configOption())
    .option(
      '--conversation <id>',
      'resume a conversation by the id the chat shows (default: a new one)',
      `chat-${process.pid}-${Date.now().toString(36)}`,
    )
    .option('--user <name>', 'your name, as the requester on the ticket (default: your login name)', loginName())
    .addOption(nowOption())
    .action(async (options: ProfileOptions & { conversation: string; user: string; now?: string }) => {
      const clock = clockFrom(options.now);
      const dir = await privateDataDir();
      const { core, learned } = await savedCore(options);
      if (learned.state === 'unavailable')
        process.stderr.write(
          `triage: learned examples not used (${learned.reason}); training on the configured phrases only\n`,
        );
      const store = fileStore(dir);
      const log = appLogger();
      const ticketing = createTicketing(core.config, { dataDir: dir, log });
      // Ticket numbers that arrive after their turn (a slow helpdesk) are printed as they come.
      const notifier: Notifier = {
        async notify(_conversation, replies) {
          for (const reply of replies) process.stdout.write(`\n${reply.text}\n> `);
        },
      };
      const service = new TriageService(core, store, ticketing.sink, clock, log, {
        worker: ticketing.worker,
        notifier,
        waitMs: ticketing.waitMs,
      });
      ticketing.worker.start(2000);
      try {
        await chat({
          core,
          service,
          store,
          blobs: new FileBlobStore(dir),
          conversation: options.conversation,
          user: { id: options.user, name: options.user },
          sink: { name: ticketing.sink.name, dir: resolve(dir, 'tickets') },
        });
      } finally {
        await ticketing.close();
        await store.close();
      }
    });

  cli
    .command('serve')
    .description(
      'run the bot as a server: the web chat at /, the admin console at /admin, POST /slack/events, POST /api/messages, GET /healthz (`npm start`); SIGHUP reloads the configuration',
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
      const dir = await privateDataDir();
      const [{ serve }, { core, learned }] = await Promise.all([import('../server/main.ts'), savedCore(options)]);
      const running = await serve({
        core,
        learned,
        dataDir: dir,
        source: configSource(configPath(options), dir),
        port,
        ...(options.host ? { host: options.host } : {}),
        env: process.env,
        log,
      });
      const web = running.channels.find((c) => c.name === 'web')?.status().state === 'on';
      const admin = running.channels.find((c) => c.name === 'admin')?.status().state === 'on';
      process.stderr.write(
        `helpdesk triage listening on port ${running.port} (GET /healthz for the channels' state)\n` +
          (web ? `web chat: open ${running.url}/ in a browser\n` : '') +
          (admin
            ? `admin console: ${running.url}/admin${process.env.ADMIN_TOKEN ? ' (ADMIN_TOKEN required)' : ' (this machine only: no ADMIN_TOKEN)'}\n`
            : ''),
      );
      if (running.channels.find((c) => c.name === 'desk')?.status().state === 'on')
        process.stderr.write(`agent desk: open ${running.url}/desk in a browser\n`);
      await new Promise<void>((resolve) => {
        const stop = () => {
          log.info({}, 'shutting down: finishing the turns under way');
          void running.close().then(resolve, resolve);
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        // `kill -HUP <pid>`: read the configuration and the learned examples again, retrain, swap.
        process.on('SIGHUP', () => void running.reload('SIGHUP'));
      });
    });

  cli
    .command('classify')
    .description('classify JSON lines from stdin: {"id","text","profile"} -> label, reason, confidence, slots')
    .requiredOption('--json', 'JSON lines in and out')
    .addOption(profileOption())
    .addOption(configOption())
    .option('--history <file>', 'labelled JSON lines (text, label, oos_reason) added to training for this run')
    .action(async (options: ProfileOptions) => {
      if (options.history) checkHistory(options.history);
      const coreFor = savedCores(options);
      await jsonLines(async (value) => {
        const input = value as { id?: string; text?: unknown; profile?: string };
        if (typeof input.text !== 'string') throw new Error('"text" must be a string');
        const core = await coreFor(input.profile);
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
    .addOption(nowOption())
    .action(async (options: ProfileOptions & { persist?: boolean; askOnce?: boolean; now?: string }) => {
      const clock = clockFrom(options.now);
      const dir = await privateDataDir();
      const core = await savedCores(options)();
      const store = options.persist ? fileStore(dir) : memoryStore();
      const log = appLogger();
      const ticketing = createTicketing(core.config, { dataDir: dir, log });
      // One line out per line in: news that arrives between turns goes out with the conversation's next turn.
      const late = new Map<string, Reply[]>();
      const service = new TriageService(core, store, ticketing.sink, clock, log, {
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
    .description('score the bot on labelled messages, one JSON object a line (e.g. test/fixtures/holdout.jsonl)')
    .argument('<file>', 'labelled .jsonl file')
    .addHelpText(
      'after',
      `
Each line: {"id": "h001", "profile": "academy", "lang": "nl", "text": "...", "label": "incident",
            "oos_reason": null, "urgent": false, "multi_subject": false, "slots": {"academy": "ABE"}}
  label         question | incident | change | complaint | out_of_scope
  oos_reason    the out-of-scope reason (hardware, network, ...) when label is out_of_scope, else null
  slots         canonical values: academy code, site id, screen id, student, error_message, ...
  profile, lang, urgent, multi_subject and slots are optional (academy, -, false, false, {}).
Example: npx triage eval test/fixtures/holdout.jsonl --errors`,
    )
    .addOption(configOption())
    .option('--profile <name>', 'only lines of this profile')
    .option('--errors', 'list misclassified lines with the features that decided them, and slot errors')
    .option('--json', 'print the report as JSON')
    .option('--history <file>', 'labelled JSON lines (text, label, oos_reason) added to training for this run')
    .action(async (file: string, options: ProfileOptions & { errors?: boolean; json?: boolean }) => {
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
      const loadCore = savedCores({ config: options.config, history: options.history });
      const profiles = [...new Set(lines.map((l) => l.profile))];
      const cores = new Map(await Promise.all(profiles.map(async (p) => [p, await loadCore(p)] as const)));
      const coreFor = (profile: string) => cores.get(profile)!;
      const report = evaluate(lines, coreFor);
      const training = profiles.map((p) => {
        const { examples, trainingMs, restored } = coreFor(p).classifier;
        const how = restored ? 'model restored from the data folder in' : 'trained in';
        return `${options.config ?? p}: ${examples} examples, ${how} ${trainingMs.toFixed(0)} ms`;
      });
      const first = firstTurns(lines, (profile) => coreFor(profile));
      if (options.json) process.stdout.write(`${JSON.stringify({ ...report, firstTurns: first }, null, 2)}\n`);
      else {
        const errors = Boolean(options.errors);
        process.stdout.write(`${training.join('\n')}\n${formatReport(report, { errors })}\n`);
        process.stdout.write(`${formatFirstTurns(first, { errors })}\n`);
      }
    });

  const config = cli.command('config').description('admin configuration');
  config
    .command('check')
    .description('validate a YAML configuration; lists every problem with its path')
    .argument('<file>')
    .action((file: string) => {
      loadDotEnv();
      const cfg = loadConfigFile(file);
      // Valid YAML with a secret the bot will not find would still refuse to start: say so now.
      for (const secret of secretVariables(cfg).filter((v) => !process.env[v.name]))
        process.stderr.write(
          `warning: ${secret.name} is not set (${secret.path}): ${secret.effect}; set it in the environment or ./.env\n`,
        );
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

  const webchat = cli.command('webchat').description('the web chat (served by `triage serve`)');
  webchat
    .command('token')
    .description(
      "sign a requester token as an intranet page would (WEBCHAT_TOKEN_SECRET): prints the token, and the chat's URL with it",
    )
    .requiredOption('--name <name>', "the requester's name")
    .requiredOption('--email <address>', "the requester's e-mail address")
    .option('--minutes <n>', 'how long the token holds (at most 1440)', '60')
    .option('--lang <lang>', 'the language of the chat (nl, fr, en)')
    .option('--url <base>', "the chat's address", `http://127.0.0.1:${process.env.PORT || 3978}`)
    .action((options: { name: string; email: string; minutes: string; lang?: string; url: string }) => {
      loadDotEnv();
      const secret = process.env.WEBCHAT_TOKEN_SECRET?.trim();
      if (!secret) throw new Error('WEBCHAT_TOKEN_SECRET is not set (the secret the intranet and the bot share)');
      if (secret.length < MIN_SECRET_CHARS)
        throw new Error(`WEBCHAT_TOKEN_SECRET must be at least ${MIN_SECRET_CHARS} characters`);
      const minutes = Number(options.minutes);
      if (!Number.isInteger(minutes) || minutes < 1 || minutes > MAX_TOKEN_SECONDS / 60)
        throw new Error(`--minutes must be a whole number from 1 to ${MAX_TOKEN_SECONDS / 60}`);
      const now = Math.floor(Date.now() / 1000);
      const token = signRequesterToken(secret, {
        name: options.name,
        email: options.email,
        iat: now,
        exp: now + minutes * 60,
        ...(options.lang ? { lang: options.lang } : {}),
      });
      process.stdout.write(`${token}\n`);
      process.stderr.write(
        `open ${options.url.replace(/\/+$/, '')}/#token=${token}\n(valid until ${new Date((now + minutes * 60) * 1000).toISOString()})\n`,
      );
    });

  learnCommands(cli);

  const tickets = ticketCommands(cli, {
    dataDir,
    config: configOf,
    ticketing: openTicketing,
    profileOptions: (command) => command.addOption(profileOption()).addOption(configOption()),
  });
  relabelCommand(tickets, openTicketing);

  return cli;
}

/** The environment variables holding the configured ticket system's secrets, with what happens without each. */
export function secretVariables(config: Config): { name: string; path: string; effect: string }[] {
  const t = config.tickets;
  const refuse = 'the bot refuses to start';
  const at = (key: string) => `tickets.${t.adapter}.${key}`;
  switch (t.adapter) {
    case 'email':
      return t.email
        ? [
            {
              name: t.email.user_env,
              path: at('user_env'),
              effect: 'mail is sent without logging in (right for a local relay only)',
            },
            ...(process.env[t.email.user_env]
              ? [{ name: t.email.password_env, path: at('password_env'), effect: refuse }]
              : []),
          ]
        : [];
    case 'webhook':
      return t.webhook ? [{ name: t.webhook.secret_env, path: at('secret_env'), effect: refuse }] : [];
    case 'freshdesk':
      return t.freshdesk ? [{ name: t.freshdesk.api_key_env, path: at('api_key_env'), effect: refuse }] : [];
    case 'jira':
      return t.jira
        ? [
            ...(t.jira.auth === 'basic' ? [{ name: t.jira.email_env, path: at('email_env'), effect: refuse }] : []),
            { name: t.jira.token_env, path: at('token_env'), effect: refuse },
          ]
        : [];
    case 'topdesk':
      return t.topdesk
        ? [
            { name: t.topdesk.username_env, path: at('username_env'), effect: refuse },
            { name: t.topdesk.password_env, path: at('password_env'), effect: refuse },
          ]
        : [];
    default:
      return [];
  }
}

/** The configuration `--config` names, else the shipped profile `--profile` names. */
function configOf(options: ProfileOptions): Config {
  return options.config ? loadConfigFile(options.config) : loadConfig({ profile: options.profile ?? 'academy' });
}

/** The configured ticket delivery over `TRIAGE_DATA_DIR`'s outbox, for the admin commands. */
function openTicketing(options: ProfileOptions): Ticketing {
  return createTicketing(configOf(options), { dataDir: dataDir(), log: appLogger() as unknown as Logger });
}

/** Run the CLI; configuration problems are printed as a list and exit with status 1. */
export async function main(argv: string[]): Promise<void> {
  // What the bot writes (conversations, tickets, screenshots, the outbox) is its owner's only.
  privateFileMask();
  // Output piped into `head` and closed: stop quietly, as other command-line tools do.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
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
