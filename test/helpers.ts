import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { loadConfig } from '../adapters/config/load.ts';
import { type ConversationStore, memoryStore } from '../adapters/state/store.ts';
import { LocalTicketStore } from '../adapters/tickets/local/store.ts';
import { fileOutbox } from '../adapters/tickets/outbox/outbox.ts';
import { DeliveryWorker } from '../adapters/tickets/outbox/worker.ts';
import { type AgentDesk, type Notifier, TriageService, type TurnResult } from '../bots/runtime/service.ts';
import type { Config } from '../core/config/schema.ts';
import { mergeConfig } from '../core/config/validate.ts';
import { createCore, type TriageCore } from '../core/engine.ts';
import type { Attachment, Person } from '../core/types.ts';

const cores = new Map<string, TriageCore>();

/** The shipped profile's core, trained once per test file. */
export function shippedCore(profile: 'academy' | 'site' = 'academy'): TriageCore {
  let core = cores.get(profile);
  if (!core) {
    core = createCore(loadConfig({ profile }));
    cores.set(profile, core);
  }
  return core;
}

/** A fresh temporary data folder. */
export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'triage-test-'));
}

/** Tuesday 10:00 in Brussels: the helpdesk is open. */
export const OPEN_HOURS = new Date('2026-11-24T09:00:00Z');
/** Saturday evening: the helpdesk is closed. */
export const CLOSED_HOURS = new Date('2026-11-21T20:00:00Z');

interface Expectation {
  status?: TurnResult['status'];
  awaiting?: TurnResult['awaiting'];
  label?: string | null;
  says?: RegExp | RegExp[];
  saysNot?: RegExp;
}

/**
 * A conversation read as a transcript: `await chat.user('...').bot({ awaiting: 'screen', says: /scherm/ })`.
 * Runs the real service with the shipped profile, an in-memory (or given) store and a local ticket store.
 */
export function transcript(
  options: {
    profile?: 'academy' | 'site';
    now?: Date;
    store?: ConversationStore;
    dataDir?: string;
    conversation?: string;
    /** The channel shows buttons and cards (Slack, Teams): the core previews tickets. */
    interactive?: boolean;
    /** A core of its own (e.g. a config with overrides) instead of the shipped profile's. */
    core?: TriageCore;
    /** Who is talking (default: user u1 without name). */
    user?: Person;
    /** The agent desk and how news outside a turn reaches the person (handoff tests). */
    desk?: AgentDesk;
    notifier?: Notifier;
  } = {},
) {
  const core = options.core ?? shippedCore(options.profile ?? 'academy');
  const dataDir = options.dataDir ?? tempDir();
  const tickets = new LocalTicketStore(dataDir, core.config.ticket_prefix);
  const store = options.store ?? memoryStore();
  const clock = { now: options.now ?? OPEN_HOURS };
  // The outbox on disk beside the tickets: conversations sharing a data folder see each other's tickets.
  const worker = new DeliveryWorker(fileOutbox(dataDir), tickets);
  const service = new TriageService(core, store, tickets, () => clock.now, undefined, {
    worker,
    ...(options.desk ? { desk: options.desk } : {}),
    ...(options.notifier ? { notifier: options.notifier } : {}),
  });
  const conversation = options.conversation ?? 'conv-1';
  const results: TurnResult[] = [];
  let pending: Promise<TurnResult> | null = null;

  const api = {
    tickets,
    clock,
    service,
    results,
    user(text: string, attachments: Attachment[] = []) {
      pending = service.handleTurn({
        conversation,
        user: options.user ?? { id: 'u1' },
        text,
        attachments,
        ...(options.interactive ? { interactive: true } : {}),
      });
      return api;
    },
    /** A button press: the choice's value, as a channel hands it over. */
    press(choice: string) {
      pending = service.handleTurn({
        conversation,
        user: options.user ?? { id: 'u1' },
        text: '',
        choice,
        interactive: true,
      });
      return api;
    },
    async bot(expected: Expectation): Promise<TurnResult> {
      if (!pending) throw new Error('bot() needs a user() turn first');
      const result = await pending;
      pending = null;
      results.push(result);
      const text = result.replies.map((r) => r.text).join('\n');
      if (expected.status) expect(result.status, text).toBe(expected.status);
      if (expected.awaiting !== undefined) expect(result.awaiting, text).toBe(expected.awaiting);
      if (expected.label !== undefined) expect(result.label, text).toBe(expected.label);
      for (const re of [expected.says ?? []].flat()) expect(text).toMatch(re);
      if (expected.saysNot) expect(text).not.toMatch(expected.saysNot);
      return result;
    },
  };
  return api;
}

/** The shipped profile's configuration with some settings replaced (maps merge, lists replace). */
export function coreWith(overrides: Record<string, unknown>, profile: 'academy' | 'site' = 'academy'): TriageCore {
  return createCore(mergeConfig(loadConfig({ profile }), overrides) as Config);
}
