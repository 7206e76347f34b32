import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildTeamsPackage, checkIcons, fillManifest, manifestTemplate } from '../bots/teams/package.ts';
import { decodePng } from '../bots/teams/png.ts';
import { unzip } from '../bots/teams/zip.ts';
import { tempDir } from './helpers.ts';

const APP_ID = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const env = { MicrosoftAppId: APP_ID, TEAMS_BOT_DOMAIN: 'helpdesk.example.org' };
const icon = (name: string) => readFileSync(new URL(`../manifest/teams/${name}`, import.meta.url));

describe('Teams app package', () => {
  it('fills the bot id and domain into a manifest with every required field, all three scopes and commands', () => {
    const manifest = fillManifest(manifestTemplate(), env);
    expect(manifest.manifestVersion).toBe('1.22');
    expect(manifest.$schema).toContain('/v1.22/');
    expect(manifest.id).toBe(APP_ID);
    expect(manifest.bots[0]?.botId).toBe(APP_ID);
    expect(manifest.bots[0]?.scopes).toEqual(['personal', 'team', 'groupChat']);
    expect(manifest.bots[0]?.commandLists[0]?.commands.length).toBeGreaterThan(0);
    expect(manifest.validDomains).toEqual(['helpdesk.example.org']);
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(manifest.version).toBe(pkg.version);
    expect(() => fillManifest(manifestTemplate(), { TEAMS_BOT_DOMAIN: 'x.example' })).toThrow(/MicrosoftAppId/);
    expect(() => fillManifest(manifestTemplate(), { ...env, MicrosoftAppId: 'helpdesk' })).toThrow(/id: a GUID/);
  });

  it('has a 192x192 colour icon and a 32x32 outline icon, white on transparent', () => {
    const color = decodePng(icon('color.png'));
    const outline = decodePng(icon('outline.png'));
    expect([color.width, color.height, outline.width, outline.height]).toEqual([192, 192, 32, 32]);
    expect(() => checkIcons(icon('color.png'), icon('outline.png'))).not.toThrow();
    // Transparent where there is no ink, and some ink there is.
    const alphas = [...outline.rgba.filter((_, i) => i % 4 === 3)];
    expect(alphas).toContain(0);
    expect(alphas).toContain(255);
    expect(() => checkIcons(icon('color.png'), icon('color.png'))).toThrow(/32x32/);
  });

  it('zips exactly the filled manifest and the two icons', () => {
    const files = unzip(buildTeamsPackage(env).zip);
    expect(files.map((f) => f.name).sort()).toEqual(['color.png', 'manifest.json', 'outline.png']);
    const manifest = JSON.parse(files.find((f) => f.name === 'manifest.json')!.bytes.toString('utf8'));
    expect(manifest.bots[0].botId).toBe(APP_ID);
    expect(JSON.stringify(manifest)).not.toContain('${{');
    expect(files.find((f) => f.name === 'color.png')!.bytes).toEqual(icon('color.png'));
  });

  it('writes a zip the system unzip reads too (checked where unzip is installed)', () => {
    if (spawnSync('unzip', ['-v']).error) return;
    const file = join(tempDir(), 'teams.zip');
    writeFileSync(file, buildTeamsPackage(env).zip);
    const tested = spawnSync('unzip', ['-t', file], { encoding: 'utf8' });
    expect(tested.stdout).toMatch(/No errors detected/);
  });
});
