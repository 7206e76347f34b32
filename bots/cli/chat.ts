import { readFile, stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { BlobStore } from '../../adapters/files/blobs.ts';
import type { ConversationStore } from '../../adapters/state/store.ts';
import type { Lang } from '../../core/config/schema.ts';
import type { TriageCore } from '../../core/engine.ts';
import { visibleTurn } from '../../core/text/visible.ts';
import type { Attachment, ConversationState, Person } from '../../core/types.ts';
import type { TriageService } from '../runtime/service.ts';

/**
 * The terminal's own lines (not the bot's: those come from the configuration), in the language the
 * bot greets in. `{x}` are filled in.
 */
const TEXTS: Record<Lang, Record<string, string>> = {
  nl: {
    hint: '(gesprek {conversation}, als {user}; /help toont de opdrachten, Ctrl-D of /stop sluit af)',
    resumed: '(gesprek {conversation} gaat verder, als {user}; de laatste vraag van de bot:)',
    help:
      'Opdrachten:\n' +
      '  /attach BESTAND  voeg een bestand (screenshot) toe aan uw volgende bericht\n' +
      '  /help            deze lijst\n' +
      '  /stop            sluit af (Ctrl-D of Ctrl-C ook); hervat later met --conversation {conversation}\n' +
      'Al de rest gaat als bericht naar de bot.',
    unknown: '(onbekende opdracht {command}; /help toont de opdrachten)',
    attachUsage: '(gebruik: /attach BESTAND)',
    attached: '(toegevoegd: {name}, {size}; het gaat mee met uw volgende bericht)',
    missing: '(niet toegevoegd: {path} bestaat niet of is geen bestand)',
    tooLarge: '(niet toegevoegd: {path} is groter dan {max})',
    ticket: '(ticket {id} {where})',
    savedIn: 'bewaard in {dir}',
    filedThrough: 'ingediend via {sink}',
    bye: '(gesprek {conversation} bewaard; hervat met: npx triage chat --conversation {conversation})',
  },
  fr: {
    hint: '(conversation {conversation}, en tant que {user} ; /help montre les commandes, Ctrl-D ou /stop pour quitter)',
    resumed: '(la conversation {conversation} reprend, en tant que {user} ; la dernière question du bot :)',
    help:
      'Commandes :\n' +
      '  /attach FICHIER  joindre un fichier (capture d’écran) à votre prochain message\n' +
      '  /help            cette liste\n' +
      '  /stop            quitter (Ctrl-D ou Ctrl-C aussi) ; reprendre plus tard avec --conversation {conversation}\n' +
      'Tout le reste est envoyé au bot comme message.',
    unknown: '(commande inconnue {command} ; /help montre les commandes)',
    attachUsage: '(utilisation : /attach FICHIER)',
    attached: '(joint : {name}, {size} ; il part avec votre prochain message)',
    missing: '(pas joint : {path} n’existe pas ou n’est pas un fichier)',
    tooLarge: '(pas joint : {path} dépasse {max})',
    ticket: '(ticket {id} {where})',
    savedIn: 'enregistré dans {dir}',
    filedThrough: 'transmis via {sink}',
    bye: '(conversation {conversation} enregistrée ; reprendre avec : npx triage chat --conversation {conversation})',
  },
  en: {
    hint: '(conversation {conversation}, as {user}; /help lists the commands, Ctrl-D or /quit ends)',
    resumed: '(conversation {conversation} goes on, as {user}; the bot last asked:)',
    help:
      'Commands:\n' +
      '  /attach FILE  attach a file (a screenshot) to your next message\n' +
      '  /help         this list\n' +
      '  /quit         end (Ctrl-D or Ctrl-C too); resume later with --conversation {conversation}\n' +
      'Everything else goes to the bot as a message.',
    unknown: '(unknown command {command}; /help lists the commands)',
    attachUsage: '(usage: /attach FILE)',
    attached: '(attached: {name}, {size}; it goes with your next message)',
    missing: '(not attached: {path} does not exist or is not a file)',
    tooLarge: '(not attached: {path} is larger than {max})',
    ticket: '(ticket {id} {where})',
    savedIn: 'saved in {dir}',
    filedThrough: 'filed through {sink}',
    bye: '(conversation {conversation} kept; resume with: npx triage chat --conversation {conversation})',
  },
};

/** The largest file `/attach` takes (the channels' own limit on a screenshot is of this order). */
export const MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024;

const IMAGE = /\.(png|jpe?g|gif|webp)$/i;

function contentTypeOf(name: string): string {
  const ext = IMAGE.exec(name)?.[1]?.toLowerCase();
  if (ext) return `image/${ext === 'jpg' ? 'jpeg' : ext}`;
  if (/\.pdf$/i.test(name)) return 'application/pdf';
  if (/\.txt$/i.test(name)) return 'text/plain';
  return 'application/octet-stream';
}

const size = (bytes: number) =>
  bytes < 1024
    ? `${bytes} B`
    : bytes < 1024 * 1024
      ? `${Math.round(bytes / 1024)} KB`
      : `${(bytes / 1048576).toFixed(1)} MB`;

export interface ChatOptions {
  core: TriageCore;
  service: TriageService;
  store: ConversationStore;
  blobs: BlobStore;
  conversation: string;
  user: Person;
  /** Where tickets go, for the line after a filed ticket. */
  sink: { name: string; dir: string };
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
}

/**
 * The conversation in the terminal: lines to the bot, `/commands` handled here. Ends at the end of the
 * input, `/quit` or Ctrl-C, saying how to resume.
 */
export async function chat(options: ChatOptions): Promise<void> {
  const { core, service, store, conversation, user } = options;
  const input = options.input ?? process.stdin;
  const out = options.output ?? process.stdout;
  const write = (text: string) => out.write(text);
  const earlier = await store.get(conversation);
  const lang: Lang = earlier?.lang ?? core.config.default_language;
  const t = (key: string, values: Record<string, string> = {}) =>
    (TEXTS[lang][key] ?? key).replace(/\{(\w+)\}/g, (_, k: string) => values[k] ?? `{${k}}`);
  const who = user.name ?? user.id;

  const rl = createInterface({
    input,
    output: out,
    terminal: (input as NodeJS.ReadStream).isTTY === true,
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    rl.close();
  };
  // Ctrl-C in a terminal (readline's), or SIGINT otherwise: end as Ctrl-D does, saying how to resume.
  rl.on('SIGINT', stop);
  process.once('SIGINT', stop);

  // Greeted only once Ctrl-C is handled: from the first prompt on, it ends the chat cleanly.
  const pending = pendingQuestion(earlier);
  if (pending) write(`${t('resumed', { conversation, user: who })}\n${pending}\n> `);
  else write(`${core.config.messages.empty[lang]}\n${t('hint', { conversation, user: who })}\n> `);

  let attachments: Attachment[] = [];
  try {
    for await (const line of rl) {
      if (stopped) break;
      const command = /^\/(\w+)(?:\s+(.*))?$/.exec(line.trim());
      if (command) {
        const [, name = '', arg = ''] = command;
        const verb = name.toLowerCase();
        if (verb === 'attach') {
          const result = await attach(arg.trim(), options.blobs);
          if ('attachment' in result) {
            attachments.push(result.attachment);
            write(`${t('attached', { name: result.attachment.name, size: size(result.attachment.size ?? 0) })}\n> `);
          } else write(`${t(result.problem, { path: arg.trim(), max: size(MAX_ATTACHMENT_BYTES) })}\n> `);
        } else if (verb === 'help') write(`${t('help', { conversation })}\n> `);
        else if (verb === 'quit' || verb === 'exit' || verb === 'stop' || verb === 'quitter') break;
        else write(`${t('unknown', { command: `/${name}` })}\n> `);
        continue;
      }
      const result = await service.handleTurn(visibleTurn({ conversation, user, text: line, attachments }));
      attachments = [];
      for (const reply of result.replies) write(`\n${reply.text}\n`);
      if (result.ticket) {
        const where =
          options.sink.name === 'local'
            ? t('savedIn', { dir: options.sink.dir })
            : t('filedThrough', { sink: options.sink.name });
        write(`\n${t('ticket', { id: result.ticket.id, where })}\n`);
      }
      write('\n> ');
    }
  } finally {
    process.removeListener('SIGINT', stop);
    rl.close();
    // Ended by Ctrl-C or /quit while the input stays open (a pipe): let go of it, so the process ends.
    if (input === process.stdin) process.stdin.destroy();
  }
  write(`\n${t('bye', { conversation })}\n`);
}

/** The bot's last line while it waits for an answer (a resumed conversation shows it, not the greeting). */
function pendingQuestion(state: ConversationState | undefined): string | null {
  if (!state || state.awaiting === null || state.phase === 'idle' || state.phase === 'done') return null;
  return [...state.transcript].reverse().find((m) => m.from === 'bot')?.text ?? null;
}

/** A file from disk, copied into the file store as the channels copy what people share. */
async function attach(
  path: string,
  blobs: BlobStore,
): Promise<{ attachment: Attachment } | { problem: 'attachUsage' | 'missing' | 'tooLarge' }> {
  if (!path) return { problem: 'attachUsage' };
  const file = resolve(path.replace(/^["']|["']$/g, ''));
  const info = await stat(file).catch(() => null);
  if (!info?.isFile()) return { problem: 'missing' };
  if (info.size > MAX_ATTACHMENT_BYTES) return { problem: 'tooLarge' };
  const bytes = await readFile(file);
  const ref = await blobs.put(bytes);
  const name = basename(file);
  return { attachment: { name, contentType: contentTypeOf(name), size: bytes.length, ref } };
}
