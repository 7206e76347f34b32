import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { Ticketing } from '../../adapters/tickets/factory.ts';
import { LocalTicketStore } from '../../adapters/tickets/local/store.ts';
import type { OutboxEntry } from '../../adapters/tickets/outbox/outbox.ts';
import { labelsOf, requesterEmail, requesterName, ticketSubject, ticketText } from '../../adapters/tickets/render.ts';
import type { StoredTicket } from '../../adapters/tickets/sink.ts';
import type { Config } from '../../core/config/schema.ts';
import { jsonLine, visibleLine, visibleText } from '../../core/text/visible.ts';

/** What the ticket commands need from the CLI around them. */
export interface TicketCommandDeps {
  dataDir(): string;
  /** The configuration `--profile` / `--config` name (labels of the rendered ticket). */
  config(options: { profile?: string; config?: string }): Config;
  ticketing(options: { profile?: string; config?: string }): Ticketing;
  profileOptions(command: Command): Command;
}

/** `2026-12-07 10:00 CET`: this machine's local time, with its zone (the files keep UTC). */
export function localTime(iso: string | undefined): string {
  if (!iso) return '';
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  const parts = new Intl.DateTimeFormat('en-GB', {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'short',
  }).formatToParts(at);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')} ${part('timeZoneName')}`;
}

/** The requester as one short field: name and e-mail, whichever are known. */
function requester(t: StoredTicket): string {
  const name = requesterName(t.draft);
  const email = requesterEmail(t.draft);
  return [name, email ? `<${email}>` : ''].filter(Boolean).join(' ') || t.draft.requester.id;
}

function ticketJson(t: StoredTicket) {
  return {
    id: t.id,
    status: t.status,
    created_at: t.createdAt,
    label: t.draft.label,
    title: t.draft.title,
    urgent: t.draft.urgent,
    handoff: t.draft.handoff,
    requester: t.draft.requester,
    slots: t.draft.slots,
    missing: t.draft.missing,
    attachments: t.draft.attachments,
    description: t.draft.description,
    notes: t.notes ?? [],
  };
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
  const filed = e.ticket ? ` (ticket ${e.ticket.id} exists; its files did not follow)` : '';
  return `${e.key}  ${localTime(e.deadAt ?? e.updatedAt)}  ${e.sink}  ${e.attempts} attempt(s)  ${e.lastError?.code ?? ''}: ${e.lastError?.message ?? ''}${filed}\n    ${e.draft.label}: ${e.draft.title}\n`;
}

/** What waits in the outbox, said as it is: only a running bot delivers it. */
function waitingLine(all: OutboxEntry[], now: number): string {
  const waiting = all.filter((e) => e.state === 'pending' || e.state === 'delivering');
  if (waiting.length === 0) return '';
  const busy = waiting.filter((e) => e.state === 'delivering' && (e.leaseUntil ?? 0) > now).length;
  const next = Math.min(...waiting.map((e) => e.nextAttemptAt));
  return (
    `; ${waiting.length} ticket(s) waiting in the outbox` +
    (busy ? ` (${busy} being delivered right now)` : '') +
    `, next attempt from ${localTime(new Date(Math.max(next, now)).toISOString())} by a running bot (npm start, triage chat)`
  );
}

export function ticketCommands(cli: Command, deps: TicketCommandDeps): Command {
  const tickets = cli
    .command('tickets')
    .description('the tickets: the local store, and the outbox of any ticket system');
  const store = () => new LocalTicketStore(deps.dataDir());
  // The operator's terminal: nothing a requester typed may act on it (escapes, bidi overrides).
  const json = (value: unknown) => process.stdout.write(`${jsonLine(value)}\n`);
  const write = (text: string) => process.stdout.write(visibleText(text));

  tickets
    .command('list')
    .description('list the tickets in the local store (TRIAGE_DATA_DIR/tickets), times in local time')
    .option('--json', 'print them as a JSON array')
    .action(async (options: { json?: boolean }) => {
      const all = await store().list();
      if (options.json) {
        json(all.map(ticketJson));
        return;
      }
      for (const t of all) {
        const marks = [t.draft.urgent ? 'URGENT' : '', t.draft.handoff ? 'HANDOFF' : ''].filter(Boolean).join(' ');
        write(
          `${t.id}  ${localTime(t.createdAt)}  ${t.status.padEnd(8)} ${t.draft.label.padEnd(9)} ${marks ? `${marks} ` : ''}${visibleLine(t.draft.title)}  (${visibleLine(requester(t))})\n`,
        );
      }
      if (all.length === 0) process.stdout.write(`no tickets in ${resolve(deps.dataDir(), 'tickets')}\n`);
    });

  deps
    .profileOptions(
      tickets
        .command('show')
        .description('one ticket of the local store in full: details, requester, description, notes, conversation')
        .argument('<id>', 'ticket number, e.g. HD-000001')
        .option('--json', 'print it as JSON'),
    )
    .action(async (id: string, options: { json?: boolean; profile?: string; config?: string }) => {
      const t = await store().get(id.toUpperCase());
      if (!t) throw new Error(`no ticket ${id} in ${resolve(deps.dataDir(), 'tickets')} (\`triage tickets list\`)`);
      if (options.json) {
        json({ ...ticketJson(t), transcript: t.draft.transcript });
        return;
      }
      const labels = labelsOf(deps.config(options));
      const notes = (t.notes ?? []).map((n) => `  ${JSON.stringify(n)}`);
      write(
        `${t.id}  ${t.status}  ${localTime(t.createdAt)}\n${ticketSubject(t.draft, labels)}\n\n${ticketText(t.draft, labels)}` +
          (notes.length ? `\nnotes:\n${notes.join('\n')}\n` : ''),
      );
    });

  tickets
    .command('close')
    .description('close a ticket of the local store (the bot then treats it as closed: ask-once, status questions)')
    .argument('<id>', 'ticket number, e.g. HD-000001')
    .action(async (id: string) => {
      const before = await store().setStatus(id.toUpperCase(), 'closed');
      if (!before)
        throw new Error(`no ticket ${id} in ${resolve(deps.dataDir(), 'tickets')} (\`triage tickets list\`)`);
      process.stdout.write(
        before === 'closed'
          ? `${id.toUpperCase()} was already closed\n`
          : `${id.toUpperCase()} closed (was ${before})\n`,
      );
    });

  deps
    .profileOptions(
      tickets
        .command('failed')
        .description('tickets the ticket system refused for good or never answered (dead letters), with the reason')
        .option('--json', 'print the dead letters as a JSON array ([] when there are none)'),
    )
    .action(async (options: { json?: boolean; profile?: string; config?: string }) => {
      const ticketing = deps.ticketing(options);
      try {
        const all = await ticketing.outbox.all();
        const dead = all.filter((e) => e.state === 'dead');
        if (options.json) {
          json(dead.map(deadLetter));
          return;
        }
        for (const e of dead) write(formatDead(e));
        process.stdout.write(
          `${dead.length} dead letter(s)${waitingLine(all, Date.now())}` +
            `${dead.length ? '; `triage tickets retry [key]` sends them again' : ''}\n`,
        );
      } finally {
        await ticketing.close();
      }
    });

  deps
    .profileOptions(
      tickets
        .command('retry')
        .description('send dead letters again now (all, or the one with this key); what still fails stays listed')
        .argument('[key]', 'idempotency key of one dead letter (as `tickets failed` shows)'),
    )
    .action(async (key: string | undefined, options: { profile?: string; config?: string }) => {
      const ticketing = deps.ticketing(options);
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
                : `not yet (${after?.lastError?.message ?? 'busy'}); a running bot keeps retrying`;
          process.stdout.write(`${e.key}  ${outcome}\n`);
        }
        if (dead.length === 0) process.stdout.write('no dead letters\n');
      } finally {
        await ticketing.close();
      }
    });
  return tickets;
}
