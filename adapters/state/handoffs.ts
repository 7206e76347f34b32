import Keyv from 'keyv';
import type { Handoff } from '../../core/desk/desk.ts';
import type { NamedLock } from './lock.ts';
import { sqliteKeyv } from './sqlite.ts';

export type { Handoff } from '../../core/desk/desk.ts';

/** One message of a handoff's exchange as the browser desk shows it (the person, an agent, the bot). */
export interface ThreadEntry {
  from: 'person' | 'agent' | 'bot' | 'note';
  /** Who wrote it (the person's or the agent's name). */
  name?: string;
  text: string;
  at: string;
  /** Names of files the person sent (the files themselves stay in the file store and on the ticket). */
  files?: string[];
}

/** Entries kept per handoff's exchange (the oldest give way). */
const THREAD_MAX = 200;

/** How long a handoff is remembered after its last change (a late click still finds it). */
const KEEP_MS = 30 * 24 * 60 * 60_000;
const OPEN = 'open';

/**
 * The desk's book of handoffs on any Keyv backend: card -> conversation and back, and which handoffs
 * are open (for the queue and the reminder). On disk, a restart keeps relaying; one book shared by the
 * desks of several channels counts one queue. Changes are serialised within the process, and with a
 * `lock` shared by several processes (Redis) across them too: two agents claiming on two processes,
 * one wins; two processes' reminder rounds, one reminder.
 */
export class HandoffBook {
  private chain: Promise<unknown> = Promise.resolve();
  private readonly lock: NamedLock | null;

  constructor(
    private readonly keyv: Keyv,
    options: { lock?: NamedLock } = {},
  ) {
    this.lock = options.lock ?? null;
  }

  /**
   * Every change runs alone. Across processes under one lock for the whole book, not one per
   * conversation: the open list is one value that every open and end rewrites, and the book changes
   * at the pace of people (a handoff opened, claimed, ended), so one lock never queues anyone for long
   * and the book stays plain Keyv, the same on disk and on Redis.
   */
  private serial<T>(job: () => Promise<T>): Promise<T> {
    const lock = this.lock;
    const alone = lock ? () => lock.run('handoffs', job) : job;
    const next = this.chain.then(alone, alone);
    this.chain = next.catch(() => {});
    return next;
  }

  /** A new handoff for the conversation (a later one replaces an earlier, ended or not). */
  open(handoff: Handoff): Promise<void> {
    return this.serial(async () => {
      const earlier = await this.get(handoff.conversation);
      if (earlier) await this.keyv.delete(`card:${earlier.card}`);
      await this.keyv.set(`handoff:${handoff.conversation}`, handoff, KEEP_MS);
      await this.keyv.set(`card:${handoff.card}`, handoff.conversation, KEEP_MS);
      const open = ((await this.keyv.get(OPEN)) as string[] | undefined) ?? [];
      await this.keyv.set(OPEN, [...open.filter((c) => c !== handoff.conversation), handoff.conversation]);
    });
  }

  async get(conversation: string): Promise<Handoff | undefined> {
    return (await this.keyv.get(`handoff:${conversation}`)) as Handoff | undefined;
  }

  /** The handoff whose card this is (only the conversation's latest handoff has its card still mapped). */
  async byCard(card: string): Promise<Handoff | undefined> {
    const conversation = (await this.keyv.get(`card:${card}`)) as string | undefined;
    const handoff = conversation ? await this.get(conversation) : undefined;
    return handoff?.card === card ? handoff : undefined;
  }

  /**
   * Change a handoff if `change` accepts it (returns the new record, or null to leave it): atomic within
   * the process and, with a shared lock, across processes, so two agents claiming at once cannot both
   * win. `change` sees the record as stored now. Resolves with the stored record.
   */
  update(conversation: string, change: (handoff: Handoff) => Handoff | null): Promise<Handoff | null> {
    return this.serial(async () => {
      const handoff = await this.get(conversation);
      const changed = handoff ? change(handoff) : null;
      if (!changed) return null;
      await this.keyv.set(`handoff:${conversation}`, changed, KEEP_MS);
      if (changed.ended) {
        const open = ((await this.keyv.get(OPEN)) as string[] | undefined) ?? [];
        await this.keyv.set(
          OPEN,
          open.filter((c) => c !== conversation),
        );
      }
      return changed;
    });
  }

  /** Open handoffs (not ended), oldest first. */
  async current(): Promise<Handoff[]> {
    const open = ((await this.keyv.get(OPEN)) as string[] | undefined) ?? [];
    const all = await Promise.all(open.map((c) => this.get(c)));
    return all.filter((h): h is Handoff => h !== undefined && !h.ended);
  }

  /**
   * The queue ahead of a new handoff: open ones nobody took yet, opened recently (one left unclaimed
   * since yesterday has its ticket, and holds nobody up).
   */
  async waitingBefore(conversation: string, now: Date): Promise<number> {
    const since = now.getTime() - QUEUE_WINDOW_MS;
    return (await this.current()).filter(
      (h) => !h.agent && h.conversation !== conversation && Date.parse(h.openedAt) >= since,
    ).length;
  }

  /**
   * The unclaimed cards of one desk (`prefix` of their card ids) waiting longer than `minutes`, each
   * marked as reminded here so that it is reminded once (every process runs this round: the mark is
   * made by `update`, so only one of them gets the card); with how long it has waited, in minutes.
   */
  async dueForReminder(prefix: string, now: Date, minutes: number): Promise<{ handoff: Handoff; waited: number }[]> {
    const due: { handoff: Handoff; waited: number }[] = [];
    for (const handoff of await this.current()) {
      if (!handoff.card.startsWith(prefix) || handoff.agent || handoff.remindedAt) continue;
      const waited = Math.floor((now.getTime() - Date.parse(handoff.openedAt)) / 60_000);
      if (waited < minutes) continue;
      const marked = await this.update(handoff.conversation, (h) =>
        h.card === handoff.card && !h.agent && !h.remindedAt && !h.ended
          ? { ...h, remindedAt: now.toISOString() }
          : null,
      );
      if (marked) due.push({ handoff: marked, waited });
    }
    return due;
  }

  /**
   * Add to a handoff's exchange as the browser desk shows it (what the person and the agents wrote on
   * any desk): kept beside the book, so every process and surface sees the same exchange.
   */
  addToThread(conversation: string, entries: ThreadEntry[]): Promise<void> {
    if (entries.length === 0) return Promise.resolve();
    return this.serial(async () => {
      const thread = ((await this.keyv.get(`thread:${conversation}`)) as ThreadEntry[] | undefined) ?? [];
      await this.keyv.set(`thread:${conversation}`, [...thread, ...entries].slice(-THREAD_MAX), KEEP_MS);
    });
  }

  /** Start a handoff's exchange afresh (a new handoff of the same conversation). */
  async clearThread(conversation: string): Promise<void> {
    await this.keyv.delete(`thread:${conversation}`);
  }

  async thread(conversation: string): Promise<ThreadEntry[]> {
    return ((await this.keyv.get(`thread:${conversation}`)) as ThreadEntry[] | undefined) ?? [];
  }

  close(): Promise<void> {
    return this.keyv.disconnect();
  }
}

/** Handoffs opened longer ago than this no longer count in the queue. */
const QUEUE_WINDOW_MS = 12 * 3_600_000;

/** In memory: for tests. */
export function memoryHandoffBook(): HandoffBook {
  return new HandoffBook(new Keyv({ namespace: 'handoffs' }));
}

/** In the data folder's database (`<dataDir>/triage.db`), for one process (Redis: `connectRedis`). */
export function fileHandoffBook(dataDir: string): HandoffBook {
  return new HandoffBook(sqliteKeyv(dataDir, 'handoffs'));
}
