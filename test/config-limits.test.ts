import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_LIMITS, loadConfigFile } from '../adapters/config/load.ts';
import { ConfigError } from '../core/config/validate.ts';
import { tempDir } from './helpers.ts';

// A configuration too large to be one is refused with a clear error, before it is read whole: no abort
// (`extends: /dev/zero` ended in std::bad_alloc), no minutes of parsing (300,000 lexicon keys).

const ACADEMY = resolve('config/academy.yaml');

function problems(file: string): string[] {
  try {
    loadConfigFile(file);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((p) => `${p.path}: ${p.message}`);
    throw error;
  }
  return [];
}

/** Distinct lower-case keys (the lexicon wants `[a-z_]+`). */
function keys(n: number): string[] {
  const out: string[] = [];
  for (let i = 0; out.length < n; i++) out.push(`w${i.toString(26).replace(/\d/g, (d) => 'qrstuvwxyz'[Number(d)]!)}`);
  return out;
}

describe('configuration size limits', () => {
  it('`triage config check` refuses `extends: /dev/zero` with a clear error instead of aborting', () => {
    const dir = tempDir();
    const file = join(dir, 'zero.yaml');
    writeFileSync(file, `extends: [${ACADEMY}, /dev/zero]\n`);
    const run = spawnSync(process.execPath, ['bin/triage.js', 'config', 'check', file], { encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('/dev/zero: is not a regular file');
    expect(run.stderr).not.toMatch(/bad_alloc|heap out of memory/);
  });

  it('refuses a 7 MB configuration with 300,000 lexicon keys by its size, before parsing it', () => {
    const dir = tempDir();
    const file = join(dir, 'big.yaml');
    writeFileSync(
      file,
      `extends: ${ACADEMY}\nlexicon:\n${keys(300_000)
        .map((k) => `  ${k}: [woord, ander]\n`)
        .join('')}`,
    );
    expect(problems(file)).toEqual([expect.stringMatching(/big\.yaml: is larger than 512 KB \(\d{4} KB\)/)]);
  });

  it('refuses more keys and list items than a configuration needs, within the size limit', () => {
    const dir = tempDir();
    const file = join(dir, 'many.yaml');
    const items = Array.from({ length: CONFIG_LIMITS.entries }, () => 'a').join(', ');
    writeFileSync(file, `extends: ${ACADEMY}\nlexicon:\n  breakage: [${items}]\n`);
    expect(problems(file)).toEqual([expect.stringContaining('more than 50,000 keys and list items')]);
  });

  it('refuses files that are fine alone but too large together', () => {
    const dir = tempDir();
    const parts = Array.from({ length: 5 }, (_, i) => {
      const part = join(dir, `part${i}.yaml`);
      writeFileSync(part, `# ${'x'.repeat(500 * 1024)}\nprofile: academy\n`);
      return part;
    });
    const file = join(dir, 'top.yaml');
    writeFileSync(file, `extends: [${ACADEMY}, ${parts.join(', ')}]\n`);
    expect(problems(file)).toContainEqual(expect.stringContaining('more than 2 MB together'));
  });

  it('still reports a key given twice in one mapping, with its line, and loads the shipped profiles', () => {
    const dir = tempDir();
    const file = join(dir, 'twice.yaml');
    writeFileSync(file, `extends: ${ACADEMY}\nlexicon:\n  breakage: [kapot]\n  breakage: [stuk]\n`);
    expect(problems(file)).toEqual([expect.stringMatching(/twice\.yaml:4:3: Map keys must be unique: "breakage"/)]);
    expect(problems(ACADEMY)).toEqual([]);
    expect(problems(resolve('config/site.yaml'))).toEqual([]);
  });
});
