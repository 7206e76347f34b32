import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sqliteLearnedStore } from '../adapters/learn/stores.ts';
import { LocalTicketStore } from '../adapters/tickets/local/store.ts';
import type { TicketDraft } from '../core/types.ts';
import { tempDir } from './helpers.ts';
import { ticketDraft } from './tickets/fixtures.ts';

function run(args: string[], dataDir: string, input = '') {
  return spawnSync(process.execPath, ['bin/triage.js', ...args], {
    input,
    encoding: 'utf8',
    env: { ...process.env, TRIAGE_DATA_DIR: dataDir },
  });
}

const FIXTURES = join(import.meta.dirname, 'fixtures', 'learn');
const MESSAGE = 'de zwiebelkrant flobbert weer';

describe('--history on classify and eval (../shared/spec/cli.md)', () => {
  it('classify --json --history: the file’s labelled lines train this run; without it they do not', () => {
    const dir = tempDir();
    const history = join(dir, 'history.jsonl');
    const line = JSON.stringify({ text: MESSAGE, label: 'complaint', oos_reason: null });
    // A line of the other profile is not trained on by this one.
    const other = JSON.stringify({ profile: 'site', text: MESSAGE, label: 'change', oos_reason: null });
    writeFileSync(history, `${Array(20).fill(line).join('\n')}\n${Array(40).fill(other).join('\n')}\n`);
    const input = `${JSON.stringify({ id: 'a', text: MESSAGE })}\n`;
    const plain = run(['classify', '--json'], dir, input);
    const learned = run(['classify', '--json', '--history', history], dir, input);
    expect(learned.status).toBe(0);
    expect(JSON.parse(plain.stdout).label).not.toBe('complaint');
    expect(JSON.parse(learned.stdout)).toMatchObject({ id: 'a', label: 'complaint', oos_reason: null });

    const gold = join(dir, 'gold.jsonl');
    writeFileSync(gold, `${JSON.stringify({ id: 'g1', profile: 'academy', text: MESSAGE, label: 'complaint' })}\n`);
    const before = run(['eval', gold, '--json'], dir);
    const after = run(['eval', gold, '--json', '--history', history], dir);
    expect(JSON.parse(before.stdout).accuracy).toBe(0);
    expect(JSON.parse(after.stdout).accuracy).toBe(1);
  }, 120_000);

  it('a bad history line is an error naming the file and line, and nothing is classified', () => {
    const dir = tempDir();
    const history = join(dir, 'bad.jsonl');
    writeFileSync(history, '{"text":"ok","label":"incident"}\n{"text":"x","label":"bug"}\n');
    const r = run(['classify', '--json', '--history', history], dir, `${JSON.stringify({ text: 'hallo' })}\n`);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/bad\.jsonl:2: "label" must be one of/);
  });
});

describe('triage learn and tickets relabel, on the data folder', () => {
  it('import, review, approve, status, export, relabel a local ticket, forget one ticket, erase all', async () => {
    const dir = tempDir();
    const imported = run(['learn', 'import', join(FIXTURES, 'labelled.jsonl')], dir);
    expect(imported.status).toBe(0);
    expect(imported.stdout).toMatch(/labelled export, 2 example\(s\) for profile academy/);
    expect(imported.stdout).toMatch(/cross-validated:\n {2}phrases only: .*macro-F1 [\d.]+.*\n {2}with the history: /);
    expect(imported.stdout).toMatch(/0 approved, 2 waiting/);

    const review = run(['learn', 'review', '--json'], dir);
    const pending = review.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(pending.map((e) => [e.label, e.status])).toEqual([
      ['out_of_scope', 'pending'],
      ['question', 'pending'],
    ]);
    expect(run(['learn', 'approve', pending[1].id], dir).stdout).toMatch(/^1 example\(s\) approved/);
    let status = JSON.parse(run(['learn', 'status', '--json'], dir).stdout);
    expect(status).toMatchObject({ examples: 2, training: 1, pending: 1 });

    // An agent corrects a ticket in the local store: a scrubbed, pending learned example, a note on the ticket.
    const tickets = new LocalTicketStore(dir);
    const filed = await tickets.create(draft());
    const relabel = run(['tickets', 'relabel', filed.id, 'out_of_scope/hardware', '--by', 'agent-an'], dir);
    expect(relabel.stderr).toBe('');
    expect(relabel.stdout).toMatch(new RegExp(`${filed.id}: incident -> out_of_scope/hardware; learned as`));
    const exported = run(['learn', 'export'], dir)
      .stdout.trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const corrected = exported.find((e) => e.source === 'correction:cli');
    expect(corrected).toMatchObject({ ref: filed.id, label: 'out_of_scope', oos_reason: 'hardware', by: 'agent-an' });
    expect(corrected.text).toBe('Onze printer van [name] geeft papierstoring, bel [phone]');
    expect((await tickets.get(filed.id))?.notes?.[0]?.text).toBe('kind corrected: incident -> out_of_scope/hardware');
    expect(run(['tickets', 'relabel', filed.id, 'bug'], dir).stderr).toMatch(/not a kind: bug/);

    // A person asks to be forgotten: the examples from their ticket go; then everything.
    expect(run(['learn', 'forget', '--ref', filed.id], dir).stdout).toBe('1 example(s) erased\n');
    expect(run(['learn', 'forget'], dir).stderr).toMatch(/name the examples/);
    mkdirSync(join(dir, 'models'));
    writeFileSync(join(dir, 'models', 'academy-0123abcd.json'), '{}');
    writeFileSync(join(dir, 'models', 'site-0123abcd.json'), '{}');
    expect(run(['learn', 'forget', '--all'], dir).stdout).toBe(
      '2 example(s) erased, 1 saved model(s) trained on them removed\n',
    );
    expect(readdirSync(join(dir, 'models'))).toEqual(['site-0123abcd.json']);
    status = JSON.parse(run(['learn', 'status', '--json'], dir).stdout);
    expect(status).toMatchObject({ examples: 0, training: 0 });
    const store = sqliteLearnedStore(dir);
    expect(await store.list()).toEqual([]);
    await store.close();
  }, 240_000);
});

function draft(): TicketDraft {
  const at = '2026-03-02T09:00:00Z';
  return ticketDraft({
    idempotencyKey: 'relabel-1',
    requester: { id: 'u1', name: 'Greet Hermans', email: 'greet.hermans@academie-test.be' },
    title: 'Storing: printer',
    description: 'Onze printer geeft papierstoring',
    transcript: [
      { from: 'user', text: 'Onze printer van Greet Hermans geeft papierstoring, bel 0478 12 34 56', at },
      { from: 'bot', text: 'Welke academie?', at },
    ],
    createdAt: at,
  });
}
