import { type StatWatcher, unwatchFile, watchFile } from 'node:fs';
import type { Config } from '../../core/config/schema.ts';
import { ConfigError, type ConfigProblem } from '../../core/config/validate.ts';
import type { CoreEvent, TriageCore } from '../../core/engine.ts';
import type { ConversationState, CoreContext, Outcome } from '../../core/types.ts';
import { warmUp } from './warm.ts';

interface Stamp {
  mtimeMs: number;
  size: number;
}

/** How a reload went: the new version, or why the old configuration stays. */
export type ReloadOutcome =
  | { ok: true; version: number; reason: string; ms: number; examples: number; at: string }
  | { ok: false; version: number; reason: string; error: string; problems: ConfigProblem[]; at: string };

export interface ReloadStatus {
  /** Goes up by one at each successful swap (1: the core the process started with). */
  version: number;
  loadedAt: string;
  profile: string;
  reloading: boolean;
  last: ReloadOutcome | null;
}

export interface ReloadLog {
  info(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface ReloadOptions {
  /** Builds a fresh core from the configuration as it now stands (files, learned examples). */
  build: () => Promise<TriageCore>;
  log: ReloadLog;
  /** Run over a new core before it takes over, so its first turn is fast (default: {@link warmUp}). */
  warm?: (core: TriageCore) => void;
  /** Told after each swap (the new core), e.g. to refresh what was derived from the old configuration. */
  onSwap?: (core: TriageCore) => void;
}

/**
 * The triage core of a running server, replaceable without a restart: `core` is a stable object every
 * part of the server holds (the runtime, the channels' texts); behind it the current core is swapped
 * in one assignment once a new one is built, trained and warmed up. A turn under way finishes on the
 * core it started with for each call; the next call (the next turn of every conversation, in flight or
 * not) uses the new one: conversation states do not depend on the configuration's version. A reload
 * that fails (an invalid file, a training error) keeps the current core and says why. Reloads run one
 * at a time; asking while one runs queues one more (asking again joins that one).
 */
export class ReloadableCore {
  readonly core: TriageCore;
  private current: TriageCore;
  private version = 1;
  private loadedAt = new Date().toISOString();
  private running: Promise<ReloadOutcome> | null = null;
  private queued: Promise<ReloadOutcome> | null = null;
  private last: ReloadOutcome | null = null;
  private readonly watchers: { file: string; listener: (curr: Stamp, prev: Stamp) => void }[] = [];

  constructor(
    first: TriageCore,
    private readonly options: ReloadOptions,
  ) {
    this.current = first;
    const self = this;
    this.core = {
      get config(): Config {
        return self.current.config;
      },
      get classifier() {
        return self.current.classifier;
      },
      get extractor() {
        return self.current.extractor;
      },
      get knowledge() {
        return self.current.knowledge;
      },
      start: (conversation: string, ctx: CoreContext): ConversationState => self.current.start(conversation, ctx),
      handle: (state: ConversationState | null, event: CoreEvent, ctx: CoreContext): Outcome =>
        self.current.handle(state, event, ctx),
    };
  }

  /** The core in use now (a snapshot: it does not follow later reloads, `core` does). */
  now(): TriageCore {
    return this.current;
  }

  status(): ReloadStatus {
    return {
      version: this.version,
      loadedAt: this.loadedAt,
      profile: this.current.config.profile,
      reloading: this.running !== null,
      last: this.last,
    };
  }

  /** Build a new core and swap it in; resolves with how it went (never rejects). */
  reload(reason: string): Promise<ReloadOutcome> {
    if (!this.running) {
      this.running = this.run(reason).finally(() => {
        this.running = null;
      });
      return this.running;
    }
    // One is under way (it may have read the files before this change): one more after it, shared.
    this.queued ??= this.running.then(() => {
      this.queued = null;
      return this.reload(reason);
    });
    return this.queued;
  }

  private async run(reason: string): Promise<ReloadOutcome> {
    const started = performance.now();
    const { log } = this.options;
    log.info({ reason }, 'reloading the configuration');
    let outcome: ReloadOutcome;
    try {
      // Let the turns waiting now go first: the build holds the event loop while it trains.
      await new Promise<void>((resolve) => setImmediate(resolve));
      const next = await this.options.build();
      await new Promise<void>((resolve) => setImmediate(resolve));
      (this.options.warm ?? warmUp)(next);
      this.current = next;
      this.version += 1;
      this.loadedAt = new Date().toISOString();
      this.options.onSwap?.(next);
      outcome = {
        ok: true,
        version: this.version,
        reason,
        ms: Math.round(performance.now() - started),
        examples: next.classifier.examples,
        at: this.loadedAt,
      };
      log.info(
        { reason, version: this.version, ms: outcome.ms, examples: outcome.examples },
        'configuration reloaded: the next turn of every conversation uses it',
      );
    } catch (error) {
      const problems = error instanceof ConfigError ? error.problems : [];
      const message = error instanceof ConfigError ? 'the configuration is invalid' : String((error as Error).message);
      outcome = {
        ok: false,
        version: this.version,
        reason,
        error: message,
        problems,
        at: new Date().toISOString(),
      };
      log.error({ reason, err: message, problems: problems.length }, 'reload failed: the configuration in use stays');
    }
    this.last = outcome;
    return outcome;
  }

  /**
   * Reload when one of `files` changes (its time or size; polled, as editors and atomic writes replace
   * files rather than change them in place). A file that does not exist yet is watched for its creation.
   */
  watch(files: string[], intervalMs = 2000): void {
    for (const file of files) {
      const listener = (curr: Stamp, prev: Stamp) => {
        if (curr.mtimeMs === prev.mtimeMs && curr.size === prev.size) return;
        void this.reload(`${file} changed`);
      };
      const watcher: StatWatcher = watchFile(file, { interval: intervalMs, persistent: false }, listener);
      watcher.unref?.();
      this.watchers.push({ file, listener });
    }
  }

  close(): void {
    for (const { file, listener } of this.watchers.splice(0)) unwatchFile(file, listener);
  }
}
