import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { tempDir } from './helpers.ts';

function run(args: string[], input: string, env: Record<string, string> = {}) {
  return spawnSync(process.execPath, ['bin/triage.js', ...args], {
    input,
    encoding: 'utf8',
    env: { ...process.env, TRIAGE_DATA_DIR: tempDir(), ...env },
  });
}

const lines = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));

describe('the triage CLI contract (classify and converse: JSON lines in, one line out each)', () => {
  it('classify --json: one JSON line per input line, in order, nothing else on stdout', () => {
    const input = [
      { id: 'a', text: 'Rapporten afdrukken geeft een lege pdf. ABE' },
      { id: 'b', text: 'Bonjour, le site 1178 affiche une page blanche depuis ce matin. Urgent!', profile: 'site' },
      { id: 'c', text: 'Onze printer loopt vast, papierstoring bij elke afdruk' },
    ]
      .map((l) => JSON.stringify(l))
      .join('\n');
    const r = run(['classify', '--json'], `${input}\nnot json\n`);
    expect(r.status).toBe(0);
    const out = lines(r.stdout);
    expect(out).toHaveLength(4);
    expect(out[0]).toEqual({
      id: 'a',
      label: 'incident',
      oos_reason: null,
      confidence: expect.any(Number),
      lang: 'nl',
      urgent: false,
      multi_subject: false,
      slots: { academy: 'ABE', screen: 'rapporten' },
    });
    expect(out[1]).toMatchObject({ id: 'b', label: 'incident', lang: 'fr', urgent: true, slots: { site_id: '1178' } });
    expect(out[2]).toMatchObject({ id: 'c', label: 'out_of_scope', oos_reason: 'hardware' });
    expect(out[3].error).toMatch(/invalid JSON/);
  });

  it('converse --json: interleaved conversations, one result line per turn, ticket on disk', () => {
    const dataDir = tempDir();
    const turns = [
      {
        conversation: 'c1',
        user: 'u1',
        text: 'Bij het opslaan van een nieuwe leerkracht in Personeel krijg ik "Het rijksregisternummer bestaat al".',
      },
      {
        conversation: 'c2',
        user: 'u2',
        text: 'Hoe zet ik een leerling op non-actief zonder hem uit te schrijven? Academie Westhoek',
      },
      {
        conversation: 'c1',
        user: 'u1',
        text: 'Stedelijke Academie Lier',
        attachments: [{ name: 'scherm.png', contentType: 'image/png' }],
      },
      { conversation: 'c2', user: 'u2', text: 'de leerlingenfiche' },
    ];
    const r = run(['converse', '--json'], turns.map((t) => JSON.stringify(t)).join('\n'), { TRIAGE_DATA_DIR: dataDir });
    expect(r.status).toBe(0);
    const out = lines(r.stdout);
    expect(out).toHaveLength(4);
    expect(out[0]).toMatchObject({
      conversation: 'c1',
      status: 'collecting',
      awaiting: 'academy',
      label: 'incident',
      ticket: null,
      rejection: null,
    });
    expect(out[1]).toMatchObject({ conversation: 'c2', status: 'collecting', awaiting: 'screen', label: 'question' });
    expect(out[2]).toMatchObject({
      conversation: 'c1',
      status: 'filed',
      awaiting: null,
      ticket: {
        id: 'HD-000001',
        slots: { academy: 'SAL', screen: 'personeel', error_message: 'Het rijksregisternummer bestaat al' },
        attachments: [{ name: 'scherm.png', contentType: 'image/png' }],
      },
    });
    expect(out[2].replies.join(' ')).toMatch(/HD-000001/);
    expect(out[3]).toMatchObject({
      conversation: 'c2',
      status: 'filed',
      ticket: { id: 'HD-000002', label: 'question', slots: { academy: 'AWS', screen: 'leerlingen' } },
    });
    const listed = run(['tickets', 'list'], '', { TRIAGE_DATA_DIR: dataDir });
    expect(listed.stdout).toMatch(/HD-000001 .* incident .*\[SAL\] Personeel:/);
    expect(listed.stdout).toMatch(/HD-000002 .* question .*\[AWS\]/);
  });

  it('converse --persist: a conversation goes on in a new process', () => {
    const dataDir = tempDir();
    const env = { TRIAGE_DATA_DIR: dataDir };
    const first = run(
      ['converse', '--json', '--persist'],
      JSON.stringify({
        conversation: 'k',
        user: 'u',
        text: 'De facturen van januari staan allemaal op 0,00 euro, dat klopt niet.',
      }),
      env,
    );
    expect(lines(first.stdout)[0]).toMatchObject({ awaiting: 'academy' });
    const second = run(
      ['converse', '--json', '--persist'],
      JSON.stringify({ conversation: 'k', user: 'u', text: 'Academie Vierlinden' }),
      env,
    );
    expect(lines(second.stdout)[0]).toMatchObject({ awaiting: 'student' });
  });

  it('eval reports the figures on the shipped labelled hold-out set and meets the foundation targets', () => {
    // The project's own labelled set: a clone needs nothing beside it to run this.
    const r = run(['eval', 'test/fixtures/holdout.jsonl', '--json'], '');
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.n).toBe(200);
    expect(report.macroF1).toBeGreaterThanOrEqual(0.75);
    expect(report.slotMicroF1).toBeGreaterThanOrEqual(0.85);
    expect(Object.keys(report.confusion)).toEqual(['question', 'incident', 'change', 'complaint', 'out_of_scope']);
    const text = run(['eval', 'test/fixtures/holdout.jsonl', '--errors'], '');
    expect(text.stdout).toMatch(/macro-F1: 0\.\d{3}/);
    expect(text.stdout).toMatch(/decided by: /);
    // Two cold runs training both profiles: a loaded CI machine needs more than the default limit.
  }, 90_000);
});
