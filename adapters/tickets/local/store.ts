import { createHash } from 'node:crypto';
import { appendFile, mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { FiledTicket, TicketDraft } from '../../../core/types.ts';
import { writeFileAtomic } from '../../files/atomic.ts';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../../files/private.ts';
import { sharedDatabase } from '../../state/sqlite.ts';
import {
  kindWord,
  type RelabelResult,
  type StoredTicket,
  TicketError,
  type TicketKind,
  type TicketNote,
  type TicketSink,
  type TicketStatus,
} from '../sink.ts';

/**
 * The embedded ticket store: one JSON file per ticket under `<dataDir>/tickets`, numbered
 * `HD-000001`, `HD-000002`... Numbers are taken with their idempotency key in the data folder's
 * database (`triage.db`), so several processes can share the folder without two tickets getting one
 * number, and a key never gets two.
 */
export class LocalTicketStore implements TicketSink {
  readonly name = 'local';
  readonly dedupe = 'key';
  readonly readsStatus = true;
  private readonly dir: string;
  /**
   * Statuses read, by ticket, with the file's size and time they were read from. Ask once asks the
   * status of up to 30 tickets per new request: a stat each instead of reading and parsing each file.
   */
  private readonly statuses = new Map<string, { mtimeMs: number; size: number; status: TicketStatus }>();
  constructor(
    private readonly dataDir: string,
    private readonly prefix = 'HD',
  ) {
    this.dir = join(dataDir, 'tickets');
  }

  private fileOf(id: string): string {
    if (!/^[A-Z]{1,6}-\d{6,}$/.test(id)) throw new Error(`not a ticket number: ${id}`);
    return join(this.dir, `${id}.json`);
  }

  /**
   * The ticket's number comes from the data folder's database, taken together with the draft's
   * idempotency key in one transaction; then the ticket's file is written. A crash between the two
   * leaves the number to its key: the retry writes the file under the same number, never a second one.
   */
  async create(draft: TicketDraft): Promise<FiledTicket> {
    await mkdir(this.dir, { recursive: true, mode: PRIVATE_DIR_MODE });
    const earlier = await this.numberedBefore(draft.idempotencyKey);
    if (earlier) return { id: earlier };
    const { db, release } = sharedDatabase(this.dataDir);
    let id: string;
    try {
      const series = `tickets:${this.prefix}`;
      const floor = await this.floor();
      id = this.idOf(db.numberFor(series, draft.idempotencyKey, floor));
    } finally {
      release();
    }
    const exists = await stat(this.fileOf(id)).then(
      (s) => s.size > 0,
      () => false,
    );
    if (!exists) {
      const ticket: StoredTicket = { id, status: 'open', draft, createdAt: draft.createdAt };
      await writeFileAtomic(this.fileOf(id), `${JSON.stringify(ticket, null, 2)}\n`);
    }
    return { id };
  }

  /** A key numbered by an earlier version (a file per key under `tickets/keys/`, named by its hash). */
  private async numberedBefore(key: string): Promise<string | null> {
    const file = join(this.dir, 'keys', createHash('sha256').update(key).digest('hex').slice(0, 40));
    const id = (await readFile(file, 'utf8').catch(() => '')).trim();
    return /^[A-Z]{1,6}-\d{6,}$/.test(id) ? id : null;
  }

  private idOf(n: number): string {
    return `${this.prefix}-${String(n).padStart(6, '0')}`;
  }

  /**
   * Numbers go on from the highest ticket file there is (a folder from before the database, or tickets
   * copied in): read once per process.
   */
  private floorRead: Promise<number> | null = null;
  private floor(): Promise<number> {
    this.floorRead ??= (async () => {
      const pattern = new RegExp(`^${this.prefix}-(\\d+)\\.json$`);
      const numbers = (await readdir(this.dir))
        .map((f) => pattern.exec(f)?.[1])
        .filter((n): n is string => n !== undefined)
        .map(Number);
      return numbers.length > 0 ? Math.max(...numbers) + 1 : 1;
    })().catch((error: unknown) => {
      this.floorRead = null;
      throw error;
    });
    return this.floorRead;
  }

  /** The draft's attachments are references into the host's file store already: only their list is kept. */
  async addAttachments(ticket: FiledTicket, draft: TicketDraft): Promise<void> {
    const stored = await this.get(ticket.id);
    if (!stored) throw new Error(`no ticket ${ticket.id} in the local store`);
    const names = new Set(stored.draft.attachments.map((a) => a.name));
    const added = draft.attachments.filter((a) => !names.has(a.name));
    if (added.length === 0) return;
    const draftWith = { ...stored.draft, attachments: [...stored.draft.attachments, ...added] };
    await writeFileAtomic(this.fileOf(ticket.id), `${JSON.stringify({ ...stored, draft: draftWith }, null, 2)}\n`);
  }

  async status(ticket: FiledTicket): Promise<TicketStatus> {
    const file = this.fileOf(ticket.id);
    const seen = await stat(file).catch(() => null);
    const known = this.statuses.get(ticket.id);
    if (seen && known && known.mtimeMs === seen.mtimeMs && known.size === seen.size) return known.status;
    const stored = await this.get(ticket.id);
    if (!stored) throw new TicketError('NOT_FOUND', `no ticket ${ticket.id}`, { system: this.name, status: 404 });
    if (seen) {
      if (this.statuses.size >= 10_000) this.statuses.clear();
      this.statuses.set(ticket.id, { mtimeMs: seen.mtimeMs, size: seen.size, status: stored.status });
    }
    return stored.status;
  }

  async get(id: string): Promise<StoredTicket | null> {
    let ticket: StoredTicket;
    try {
      const text = await readFile(this.fileOf(id), 'utf8');
      if (!text.trim()) return null;
      ticket = JSON.parse(text) as StoredTicket;
    } catch {
      return null;
    }
    const added = await readFile(this.notesOf(id), 'utf8').catch(() => '');
    const notes = added
      .split('\n')
      .filter((line) => line.trim())
      .map((line) => JSON.parse(line) as TicketNote);
    return notes.length > 0 ? { ...ticket, notes: [...(ticket.notes ?? []), ...notes] } : ticket;
  }

  /** Set a ticket's status (an admin closing it: `triage tickets close`); the status before, or null when none. */
  async setStatus(id: string, status: StoredTicket['status']): Promise<StoredTicket['status'] | null> {
    const file = this.fileOf(id);
    let stored: StoredTicket;
    try {
      stored = JSON.parse(await readFile(file, 'utf8')) as StoredTicket;
    } catch {
      return null;
    }
    if (stored.status !== status) await writeFileAtomic(file, `${JSON.stringify({ ...stored, status }, null, 2)}\n`);
    return stored.status;
  }

  /**
   * The corrected kind kept with the ticket (`kind`; an in-scope kind is also the draft's label, which
   * `triage tickets list` and `show` print). A ticket that is not there is a NOT_FOUND TicketError.
   */
  async relabel(ticket: FiledTicket, kind: TicketKind): Promise<RelabelResult> {
    const file = this.fileOf(ticket.id);
    let stored: StoredTicket;
    try {
      stored = JSON.parse(await readFile(file, 'utf8')) as StoredTicket;
    } catch {
      throw new TicketError('NOT_FOUND', `local: no ticket ${ticket.id}`, { system: this.name });
    }
    const draft = kind.label === 'out_of_scope' ? stored.draft : { ...stored.draft, label: kind.label };
    await writeFileAtomic(file, `${JSON.stringify({ ...stored, kind: kindWord(kind), draft }, null, 2)}\n`);
    this.statuses.delete(ticket.id);
    return 'updated';
  }

  /** Notes are appended to a file of their own, one JSON line each (see `addNote`). */
  private notesOf(id: string): string {
    return join(this.dir, `${id}.notes.jsonl`);
  }

  async list(): Promise<StoredTicket[]> {
    let files: string[];
    try {
      files = await readdir(this.dir);
    } catch {
      return [];
    }
    const ids = files
      .filter((f) => f.endsWith('.json'))
      .map((f) => f.slice(0, -5))
      .sort();
    const tickets = await Promise.all(ids.map((id) => this.get(id)));
    return tickets.filter((t): t is StoredTicket => t !== null && !('duplicateOf' in t));
  }

  /**
   * Notes are appended, one JSON line each, to the ticket's own notes file: adding one never rewrites
   * the ticket (a busy ticket that gathered a hundred notes was read, parsed and rewritten whole for each,
   * and its status re-read by every ask-once look-up). Appends are whole lines, in order per process.
   */
  private readonly noteQueue = new Map<string, Promise<void>>();

  async addNote(id: string, note: TicketNote): Promise<void> {
    const previous = this.noteQueue.get(id) ?? Promise.resolve();
    const next = previous.then(async () => {
      if (!(await stat(this.fileOf(id)).catch(() => null))) throw new Error(`no ticket ${id}`);
      await appendFile(this.notesOf(id), `${JSON.stringify(note)}\n`, { mode: PRIVATE_FILE_MODE });
    });
    const settled = next.catch(() => {});
    this.noteQueue.set(id, settled);
    void settled.then(() => {
      if (this.noteQueue.get(id) === settled) this.noteQueue.delete(id);
    });
    return next;
  }
}
