import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../adapters/config/load.ts';
import { sqliteLearnedStore } from '../adapters/learn/stores.ts';
import { ReloadableCore } from '../bots/runtime/reload.ts';
import { ConfigError } from '../core/config/validate.ts';
import type { TriageCore } from '../core/engine.ts';
import { say } from '../core/messages.ts';
import { coreWith, shippedCore } from './helpers.ts';
import { memoryLog } from './slack/harness.ts';
import { Visitor, type WebBot, webBot } from './web/harness.ts';

const NEW_WELCOME = 'Welkom bij de vernieuwde helpdesk-bot!';
const now = { now: new Date('2026-11-24T09:00:00Z') };
const turn = (conversation: string, text: string) => ({
  type: 'message' as const,
  turn: { conversation, user: { id: 'u1', name: 'Sofie Peeters' }, text, attachments: [] },
});

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('ReloadableCore: swap a retrained core in without a restart', () => {
  it('a turn during a reload finishes on the core in use; the next turn of the same conversation uses the new one', async () => {
    const old = shippedCore('academy');
    const next = coreWith({ messages: { welcome: { nl: NEW_WELCOME } } });
    const building = deferred<TriageCore>();
    const { log, lines } = memoryLog();
    const runtime = new ReloadableCore(old, { build: () => building.promise, log, warm: () => {} });
    const held = runtime.core;
    expect(say(held.config, 'nl', 'welcome')).not.toBe(NEW_WELCOME);

    const reloading = runtime.reload('test');
    expect(runtime.status().reloading).toBe(true);
    // A conversation in flight goes on while the new core is built.
    const first = held.handle(null, turn('c1', 'Het programma crasht telkens bij het opslaan van de evaluaties.'), now);
    expect(first.replies.length).toBeGreaterThan(0);
    expect(held.config).toBe(old.config);

    building.resolve(next);
    const outcome = await reloading;
    expect(outcome).toMatchObject({ ok: true, version: 2, reason: 'test' });
    expect(runtime.status()).toMatchObject({ version: 2, reloading: false });
    // The same object every part of the server holds now answers with the new configuration.
    expect(say(held.config, 'nl', 'welcome')).toBe(NEW_WELCOME);
    expect(held.classifier).toBe(next.classifier);
    const second = held.handle(first.state, turn('c1', 'In de evaluaties, scherm Evaluaties.'), now);
    expect(second.state.conversation).toBe('c1');
    expect(lines.some((l) => l.includes('configuration reloaded'))).toBe(true);
  });

  it('a failed reload keeps the configuration in use and says why, with every problem by path', async () => {
    const old = shippedCore('academy');
    const { log, lines } = memoryLog();
    const problems = [{ path: 'messages.welcome.nl', message: 'Expected string, received number' }];
    const runtime = new ReloadableCore(old, {
      build: async () => {
        throw new ConfigError('/tmp/config.yaml', problems);
      },
      log,
    });
    const outcome = await runtime.reload('edit');
    expect(outcome).toMatchObject({ ok: false, version: 1, error: 'the configuration is invalid', problems });
    expect(runtime.core.config).toBe(old.config);
    expect(runtime.status().last).toEqual(outcome);
    expect(lines.some((l) => l.includes('reload failed'))).toBe(true);

    const crash = new ReloadableCore(old, {
      build: async () => {
        throw new Error('disk full');
      },
      log,
    });
    expect(await crash.reload('x')).toMatchObject({ ok: false, error: 'disk full', problems: [] });
  });

  it('asking while a reload runs queues one more after it, and asking again joins that one', async () => {
    let builds = 0;
    const gate = deferred<void>();
    const { log } = memoryLog();
    const runtime = new ReloadableCore(shippedCore('academy'), {
      build: async () => {
        builds++;
        await gate.promise;
        return shippedCore('academy');
      },
      log,
      warm: () => {},
    });
    const a = runtime.reload('a');
    const b = runtime.reload('b');
    const c = runtime.reload('c');
    expect(b).toBe(c);
    gate.resolve();
    expect((await a).version).toBe(2);
    expect((await b).version).toBe(3);
    expect(builds).toBe(2);
  });
});

describe('reload on a running server (real HTTP)', () => {
  let bot: WebBot | undefined;
  afterEach(async () => {
    await bot?.close();
    bot = undefined;
  });

  const overlay = (dataDir: string, body: string) => {
    mkdirSync(join(dataDir, 'admin'), { recursive: true });
    writeFileSync(
      join(dataDir, 'admin', 'config.yaml'),
      `extends: ${join(PROJECT_ROOT, 'config', 'academy.yaml')}\n${body}`,
    );
  };

  it('an edited overlay is read, retrained and used by the next conversation; an invalid one keeps the old', async () => {
    bot = await webBot();
    const before = new Visitor(bot.url);
    const welcomeBefore = (await before.open()).body.welcome;

    overlay(bot.dataDir, 'messages:\n  welcome:\n    nl: 42\n');
    const failed = await bot.serving.reload('test: invalid');
    expect(failed.ok).toBe(false);
    if (!failed.ok) expect(failed.problems.map((p) => p.path)).toContain('messages.welcome.nl');
    expect((await new Visitor(bot.url).open()).body.welcome).toBe(welcomeBefore);

    overlay(bot.dataDir, `messages:\n  welcome:\n    nl: "${NEW_WELCOME}"\n`);
    // A turn sent while the new core trains is answered.
    const [reloaded, answer] = await Promise.all([
      bot.serving.reload('test: valid'),
      before.say({ text: 'Het programma crasht telkens bij het opslaan van de evaluaties.' }),
    ]);
    expect(answer.status).toBe(200);
    expect(answer.body.replies.length).toBeGreaterThan(0);
    expect(reloaded).toMatchObject({ ok: true, version: 2 });
    expect((await new Visitor(bot.url).open()).body.welcome).toBe(NEW_WELCOME);
    // The conversation that was under way goes on.
    expect((await before.say({ text: 'Scherm Evaluaties' })).status).toBe(200);
  }, 60_000);

  it('an example approved in the data folder database retrains the running server', async () => {
    bot = await webBot();
    const version = bot.serving.runtime.status().version;
    const examples = bot.serving.runtime.core.classifier.examples;
    const store = sqliteLearnedStore(bot.dataDir);
    await store.put([
      {
        id: 'test-1',
        profile: 'academy',
        text: 'de beamer van lokaal 3 geeft een blauw scherm met de melding geen signaal',
        label: 'out_of_scope',
        oos_reason: 'hardware',
        source: 'correction:cli',
        status: 'approved',
        created_at: new Date().toISOString(),
        approved_at: new Date().toISOString(),
      },
    ]);
    await store.close();
    // The store touched its stamp; the server's watcher (every 2 s) reloads with the example.
    for (let i = 0; i < 60 && bot.serving.runtime.status().version === version; i++) {
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(bot.serving.runtime.status()).toMatchObject({ version: version + 1, last: { ok: true } });
    expect(bot.serving.runtime.core.classifier.examples).toBeGreaterThan(examples);
  }, 60_000);
});
