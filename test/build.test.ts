import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: plain JavaScript (bin/ runs before any TypeScript loader), no declarations.
import { build, stamp } from '../bin/build.js';
import { tempDir } from './helpers.ts';

const ROOT = resolve('.');

/** A copy of the project's sources (the bundle's inputs), with the packages and config of this one. */
function copyProject(): string {
  const root = tempDir();
  for (const dir of ['core', 'adapters', 'bots']) cpSync(join(ROOT, dir), join(root, dir), { recursive: true });
  cpSync(join(ROOT, 'package.json'), join(root, 'package.json'));
  symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules'));
  symlinkSync(join(ROOT, 'config'), join(root, 'config'));
  return root;
}

function triage(args: string[], input: string, env: NodeJS.ProcessEnv = {}) {
  return spawnSync(process.execPath, [join(ROOT, 'bin/triage.js'), ...args], {
    input,
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
}

describe('the triage bundle', () => {
  it('follows the sources: a changed file gets a new bundle, a touched one does not', async () => {
    const root = copyProject();
    const first: string = await build({ root });
    expect(first.startsWith(join(root, 'dist'))).toBe(true);
    expect(await build({ root })).toBe(first);

    const file = join(root, 'core', 'hours.ts');
    utimesSync(file, new Date(), new Date(Date.now() + 60_000));
    expect(stamp(root)).toBe(dirname(first).split('/').pop());

    appendFileSync(file, '\n// edited\n');
    const second: string = await build({ root });
    expect(second).not.toBe(first);
    expect(existsSync(second)).toBe(true);
    // The earlier bundle stays (a running process may still load its lazy parts from it).
    expect(existsSync(first)).toBe(true);
  }, 60_000);

  it('runs the same CLI as the TypeScript sources', () => {
    const lines = [
      { id: 'a', text: 'Onze printer op het secretariaat loopt vast bij elk rapport.' },
      { id: 'b', text: 'Hoe kan ik een extra vak toevoegen aan het rapport? Academie De Klankkast' },
    ]
      .map((l) => JSON.stringify(l))
      .join('\n');
    const bundled = triage(['classify', '--json'], lines);
    const fromSource = triage(['classify', '--json'], lines, { TRIAGE_FROM_SOURCE: '1' });
    expect(bundled.status, bundled.stderr).toBe(0);
    expect(fromSource.status, fromSource.stderr).toBe(0);
    expect(bundled.stdout.trim().split('\n')).toHaveLength(2);
    expect(bundled.stdout).toBe(fromSource.stdout);
    expect(existsSync(join(ROOT, 'dist', stamp(), 'main.js'))).toBe(true);
  }, 60_000);

  it('falls back to the sources, saying why on stderr only, when the bundle cannot be built', () => {
    const root = copyProject();
    cpSync(join(ROOT, 'bin'), join(root, 'bin'), { recursive: true });
    // A file where the dist folder should be: building fails, the CLI still answers.
    writeFileSync(join(root, 'dist'), 'not a folder');
    const result = spawnSync(process.execPath, [join(root, 'bin/triage.js'), 'classify', '--json'], {
      input: '{"text":"Het programma crasht bij het opslaan van de evaluaties."}\n',
      encoding: 'utf8',
    });
    expect(result.status, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ label: 'incident' });
    expect(result.stderr).toMatch(/running from the TypeScript sources/);
  }, 60_000);
});
