import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../adapters/config/load.ts';
import { writeFileAtomic } from '../adapters/files/atomic.ts';
import { FileBlobStore } from '../adapters/files/blobs.ts';
import { LocalTicketStore } from '../adapters/tickets/local/store.ts';
import { tempDir } from './helpers.ts';
import { ticketDraft } from './tickets/fixtures.ts';

// What the bot writes under TRIAGE_DATA_DIR holds student names, e-mail addresses and transcripts:
// the folder and every folder in it 0700, every file 0600, whatever the umask of the shell.

// Each test starts the CLI several times (a start trains or loads the classifier): slow on a busy machine.
vi.setConfig({ testTimeout: 90_000 });

/** Every folder and file under `dir` with its permission bits. */
function modes(dir: string): { path: string; dir: boolean; mode: number }[] {
  const out = [{ path: dir, dir: true, mode: statSync(dir).mode & 0o777 }];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...modes(path));
    else out.push({ path, dir: false, mode: statSync(path).mode & 0o777 });
  }
  return out;
}

const notPrivate = (dir: string) =>
  modes(dir)
    .filter((e) => e.mode !== (e.dir ? 0o700 : 0o600))
    .map((e) => `${e.mode.toString(8)} ${e.path.slice(dir.length) || '/'}`);

describe('the data folder is private', () => {
  it('the adapters that write files themselves create them 0600 in folders 0700, even under umask 022', async () => {
    const previous = process.umask(0o022);
    try {
      const dir = join(tempDir(), 'data');
      mkdirSync(dir, { mode: 0o700 });
      await writeFileAtomic(join(dir, 'atomic.json'), '{}');
      await new FileBlobStore(dir).put(Uint8Array.from([1, 2, 3]));
      const store = new LocalTicketStore(dir);
      const ticket = await store.create(
        ticketDraft({
          idempotencyKey: 'k1',
          title: 'Mila Jacobs: fout',
          description: 'Mila Jacobs: fout',
          slots: { student: 'Mila Jacobs' },
          createdAt: new Date().toISOString(),
        }),
      );
      await store.addNote(ticket.id, {
        at: new Date().toISOString(),
        author: { id: 'a1' },
        text: 'ok',
        attachments: [],
      });
      expect(notPrivate(dir)).toEqual([]);
      expect(modes(dir).filter((e) => !e.dir).length).toBeGreaterThanOrEqual(5);
    } finally {
      process.umask(previous);
    }
  });

  it('every file and folder the CLI writes (chat, converse --persist, models) is 0700 / 0600, and an old open folder is closed', () => {
    const dir = join(tempDir(), 'data');
    mkdirSync(dir, { mode: 0o755 });
    chmodSync(dir, 0o755);
    const shot = join(tempDir(), 'scherm.png');
    writeFileSync(shot, Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 9]));
    const env = { ...process.env, TRIAGE_DATA_DIR: dir, LOG_LEVEL: 'silent' };
    // The shell's usual umask: what the CLI writes must not depend on it.
    const sh = (args: string[], input: string) =>
      spawnSync('sh', ['-c', 'umask 022 && exec "$@"', 'sh', process.execPath, 'bin/triage.js', ...args], {
        input,
        env,
        encoding: 'utf8',
      });
    const chat = sh(
      ['chat', '--conversation', 'p1', '--user', 'Lien Baert'],
      `/attach ${shot}\nBij het openen van de leerlingenfiche van Mila Jacobs krijg ik de foutmelding "Geboortedatum ongeldig". Academie De Klankkast\n`,
    );
    expect(chat.status, chat.stderr).toBe(0);
    expect(chat.stdout).toMatch(/\(ticket HD-\d+ /);
    const converse = sh(
      ['converse', '--json', '--persist'],
      `${JSON.stringify({ conversation: 'p2', user: 'u2', text: 'De facturen van januari staan allemaal op 0,00 euro.' })}\n`,
    );
    expect(converse.status, converse.stderr).toBe(0);
    const folders = readdirSync(dir).sort();
    expect(folders).toEqual(expect.arrayContaining(['files', 'models', 'tickets', 'triage.db']));
    expect(notPrivate(dir)).toEqual([]);
  });
});

describe('trained models', () => {
  it('keeps only the current model of a profile after the configuration changed', async () => {
    const { cachedCore } = await import('../adapters/config/model-cache.ts');
    const dir = tempDir();
    const site = loadConfig({ profile: 'site' });
    await cachedCore(site, dir);
    const changed = { ...site, classifier: { ...site.classifier, epochs: site.classifier.epochs + 1 } };
    await cachedCore(changed, dir);
    const models = readdirSync(join(dir, 'models'));
    expect(models.filter((f) => f.startsWith('site-'))).toHaveLength(1);
    // The one kept is the current one: it is restored, not trained again.
    expect((await cachedCore(changed, dir)).classifier.restored).toBe(true);
    expect((await cachedCore(site, dir)).classifier.restored).toBe(false);
  });
});
