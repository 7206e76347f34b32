import { spawnSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, loadConfigFile, PROFILE_DIR } from '../adapters/config/load.ts';
import { ConfigError, mergeConfig } from '../core/config/validate.ts';
import { tempDir } from './helpers.ts';

function problemsOf(yaml: string): string[] {
  const dir = tempDir();
  const file = join(dir, 'own.yaml');
  writeFileSync(file, yaml);
  try {
    loadConfigFile(file);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((p) => `${p.path}: ${p.message}`);
    throw error;
  }
  return [];
}

describe('admin configuration', () => {
  it('ships two valid profiles with their directories and every message in nl, fr and en', () => {
    const academy = loadConfig({ profile: 'academy' });
    const site = loadConfig({ profile: 'site' });
    expect(academy.directories.academies).toHaveLength(25);
    expect(academy.directories.screens.map((s) => s.id)).toContain('export-departement');
    expect(site.directories.sites.find((s) => s.id === '3317')?.url).toBe('https://financien.example.be/particulieren');
    for (const message of Object.values(site.messages)) expect(Object.keys(message)).toEqual(['nl', 'fr', 'en']);
    expect(site.details.incident.map((d) => d.slot)).toEqual([
      'site_id',
      'description',
      'url',
      'screenshot',
      'name',
      'email',
      'phone',
    ]);
  });

  it('refuses a broken config with every problem listed by path', () => {
    const problems = problemsOf(`
extends: ${join(PROFILE_DIR, 'academy.yaml')}
classifier:
  ask_threshold: 1.5
intents:
  out_of_scope_kantine:
    label: out_of_scope
    examples: []
details:
  incident:
    - { slot: screen, when_screen: [kantine] }
    - { slot: favourite_colour }
helpdesk:
  hours:
    open: "8u30"
messages:
  filed:
    nl: Bedankt
surprise: true
`);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^classifier\.ask_threshold: .*(<=|1)/),
        expect.stringMatching(/^intents\.out_of_scope_kantine\.examples: an intent needs at least one example phrase/),
        expect.stringMatching(/^intents\.out_of_scope_kantine\.reason: an out_of_scope intent needs a reason/),
        expect.stringMatching(/^details\.incident\[1\]\.slot: /),
        expect.stringMatching(/^helpdesk\.hours\.open: use HH:MM/),
        expect.stringMatching(/^\(root\): unknown key\(s\): surprise/),
      ]),
    );
    expect(problems.length).toBeGreaterThanOrEqual(7);
  });

  it('reports YAML syntax errors with line and column', () => {
    const problems = problemsOf('profile: x\nintents: [unclosed\n');
    expect(problems[0]).toMatch(/own\.yaml:\d+:\d+: /);
  });

  it('merges extended files: maps key by key, lists replaced, null removes', () => {
    expect(mergeConfig({ a: { b: 1, c: [1, 2] }, d: 1 }, { a: { c: [3] }, d: null })).toEqual({ a: { b: 1, c: [3] } });
  });

  it('lets an admin extend a shipped profile with own phrases and see them used', () => {
    const dir = tempDir();
    const file = join(dir, 'own.yaml');
    writeFileSync(
      file,
      `extends: ${join(PROFILE_DIR, 'academy.yaml')}\nmessages:\n  ask_academy:\n    nl: Van welke academie bent u?\n    fr: De quelle académie êtes-vous ?\n    en: Which academy are you from?\n`,
    );
    expect(loadConfigFile(file).messages.ask_academy.nl).toBe('Van welke academie bent u?');
  });

  it('`triage config check` prints the problems and exits 1, or OK and 0', () => {
    const dir = tempDir();
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, `extends: ${join(PROFILE_DIR, 'site.yaml')}\nticket_prefix: hd\n`);
    const failed = spawnSync(process.execPath, ['bin/triage.js', 'config', 'check', bad], { encoding: 'utf8' });
    expect(failed.status).toBe(1);
    expect(failed.stderr).toMatch(/ticket_prefix: use 1 to 6 capital letters/);
    const ok = spawnSync(process.execPath, ['bin/triage.js', 'config', 'check', join(PROFILE_DIR, 'site.yaml')], {
      encoding: 'utf8',
    });
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/^OK: .* 12 sites/);
  });
});

describe('configuration kept between starts', () => {
  it('is the same configuration, re-read when a YAML file it was read from changes, never saved when invalid', async () => {
    const { cachedConfig } = await import('../adapters/config/model-cache.ts');
    const dir = tempDir();
    const file = join(dir, 'own.yaml');
    writeFileSync(file, `extends: ${join(PROFILE_DIR, 'academy.yaml')}\ndefault_language: fr\n`);
    const first = await cachedConfig(file, dir);
    expect(first).toEqual(loadConfigFile(file));
    expect(readdirSync(join(dir, 'models')).filter((f) => f.startsWith('config-'))).toHaveLength(1);
    const second = await cachedConfig(file, dir);
    expect(second).toEqual(first);
    expect(second).not.toBe(first);

    writeFileSync(file, `extends: ${join(PROFILE_DIR, 'academy.yaml')}\ndefault_language: en\n`);
    expect((await cachedConfig(file, dir)).default_language).toBe('en');

    writeFileSync(file, `extends: ${join(PROFILE_DIR, 'academy.yaml')}\ndefault_language: de\n`);
    await expect(cachedConfig(file, dir)).rejects.toThrow(/default_language/);
    await expect(cachedConfig(file, dir)).rejects.toThrow(/default_language/);
  });

  it('notices a change in a file the configuration extends', async () => {
    const { cachedConfig } = await import('../adapters/config/model-cache.ts');
    const dir = tempDir();
    const parent = join(dir, 'parent.yaml');
    const file = join(dir, 'own.yaml');
    writeFileSync(parent, `extends: ${join(PROFILE_DIR, 'academy.yaml')}\nticket_prefix: AB\n`);
    writeFileSync(file, 'extends: parent.yaml\n');
    expect((await cachedConfig(file, dir)).ticket_prefix).toBe('AB');
    writeFileSync(parent, `extends: ${join(PROFILE_DIR, 'academy.yaml')}\nticket_prefix: CD\n`);
    expect((await cachedConfig(file, dir)).ticket_prefix).toBe('CD');
  });
});
