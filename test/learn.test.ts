import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../adapters/config/load.ts';
import { parseCsv } from '../adapters/learn/csv.ts';
import { parseHistory, parseKind, withExamples } from '../adapters/learn/examples.ts';
import { detectFormat, readExport } from '../adapters/learn/formats.ts';
import { correction, importExport, mapCategory, trainingSet } from '../adapters/learn/learning.ts';
import { scrubber } from '../adapters/learn/scrub.ts';
import { FileLearnedStore, type LearnedExample, purgeExpired } from '../adapters/learn/store.ts';
import { learningSection } from '../core/config/learning.ts';
import type { Config } from '../core/config/schema.ts';
import { validateConfig } from '../core/config/validate.ts';
import { tempDir } from './helpers.ts';

const FIXTURES = join(import.meta.dirname, 'fixtures', 'learn');
const fixture = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');
const NOW = new Date('2026-03-10T12:00:00Z');

/** The academy profile with a helpdesk's own categories mapped, as an admin would write them. */
function mappedConfig(learning: Record<string, unknown> = {}): Config {
  const base = loadConfig({ profile: 'academy' });
  return {
    ...base,
    learning: learningSection.parse({
      categories: {
        storing: 'incident',
        Vraag: 'question',
        Printer: 'out_of_scope/hardware',
        Wijzigingsaanvraag: 'change',
        'Probleem melden': 'incident',
        Feedback: 'complaint',
        'Infrastructuur / Netwerk': 'out_of_scope/network',
        Leerlingenadministratie: 'incident',
      },
      ...learning,
    }),
  };
}

const kinds = (examples: LearnedExample[]) =>
  examples.map((e) => [e.ref, e.label, e.oos_reason]).sort((a, b) => String(a[0]).localeCompare(String(b[0])));

describe('reading helpdesk exports', () => {
  it('CSV: quoted separators, doubled quotes, line breaks in a field, semicolons, a BOM', () => {
    const rows = parseCsv('\uFEFFa;b;c\r\n1;"x; ""y""\nz";3\r\n\r\n4;5;6');
    expect(rows).toEqual([
      { a: '1', b: 'x; "y"\nz', c: '3' },
      { a: '4', b: '5', c: '6' },
    ]);
    expect(() => parseCsv('a,b\n1,"open')).toThrow(/not closed/);
  });

  it('Freshdesk CSV: subject and description as text, Type through the mapping, unmapped types skipped', () => {
    const r = importExport(mappedConfig(), fixture('freshdesk.csv'), 'freshdesk.csv', { now: NOW });
    expect(r.format).toBe('freshdesk');
    expect(kinds(r.examples)).toEqual([
      ['1001', 'incident', null],
      ['1002', 'question', null],
      ['1003', 'out_of_scope', 'hardware'],
    ]);
    expect(r.unmapped).toEqual({ Boekhouding: 1 });
    const pdf = r.examples.find((e) => e.ref === '1001')!;
    expect(pdf.text).toContain('lege pdf');
    expect(pdf.text).not.toMatch(/<p>|<br>/);
    expect(pdf.source).toBe('import:freshdesk');
    expect(pdf.status).toBe('pending');
  });

  it('Jira Service Management CSV and JSON: the request type decides before the issue type', () => {
    const csv = importExport(mappedConfig(), fixture('jira.csv'), 'jira.csv', { now: NOW });
    expect(csv.format).toBe('jira');
    expect(kinds(csv.examples)).toEqual([
      ['SD-17', 'change', null],
      ['SD-18', 'incident', null],
    ]);
    const json = importExport(mappedConfig(), fixture('jira.json'), 'jira.json', { now: NOW });
    expect(json.format).toBe('jira');
    expect(kinds(json.examples)).toEqual([['SD-21', 'complaint', null]]);
    expect(json.examples[0]!.text).toContain('niet professioneel');
  });

  it('TOPdesk CSV (Dutch headers, semicolons): category / subcategory first, the log line header dropped', () => {
    const r = importExport(mappedConfig(), fixture('topdesk.csv'), 'topdesk.csv', { now: NOW });
    expect(r.format).toBe('topdesk');
    expect(kinds(r.examples)).toEqual([
      ['M2603-0101', 'out_of_scope', 'network'],
      ['M2603-0102', 'incident', null],
    ]);
    expect(r.examples[0]!.text).not.toMatch(/08:55/);
  });

  it("the local store's tickets and webhook payloads: the person's first message, the bot's kind", () => {
    const local = importExport(mappedConfig(), fixture('local.jsonl'), 'local.jsonl', { now: NOW });
    expect(local.format).toBe('local');
    expect(kinds(local.examples)).toEqual([['HD-000001', 'incident', null]]);
    expect(local.examples[0]!.text).toContain('rapporten laden niet meer');
    const hook = importExport(mappedConfig(), fixture('webhook.jsonl'), 'webhook.jsonl', { now: NOW });
    expect(hook.format).toBe('webhook');
    expect(kinds(hook.examples)).toEqual([['HD-7F3A2B', 'change', null]]);
  });

  it('labelled lines (text, label, oos_reason) map to themselves, without any mapping', () => {
    const r = importExport(loadConfig({ profile: 'academy' }), fixture('labelled.jsonl'), 'h.jsonl', { now: NOW });
    expect(r.format).toBe('labelled');
    expect(kinds(r.examples)).toEqual([
      ['h1', 'out_of_scope', 'onsite'],
      ['h2', 'question', null],
    ]);
    const mixed = `${JSON.stringify({ id: 's1', profile: 'site', text: 'De site is traag', label: 'incident' })}\n${fixture('labelled.jsonl')}`;
    const only = importExport(loadConfig({ profile: 'academy' }), mixed, 'm.jsonl', { now: NOW });
    expect(only.examples.map((e) => e.ref).sort()).toEqual(['h1', 'h2']);
    expect(only.otherProfile).toBe(1);
  });

  it('an export it does not know is an error naming its fields; --format overrides detection', () => {
    expect(() => readExport('{"foo":1}\n', 'x.jsonl')).toThrow(/not a known export.*foo/);
    expect(detectFormat({ foo: 1 })).toBeNull();
    expect(readExport(fixture('labelled.jsonl'), 'h.jsonl', 'labelled').rows).toHaveLength(2);
    expect(() => readExport('{"text":"a","label":"x"}\nnot json\n', 'bad.jsonl')).toThrow(/bad.jsonl:2: invalid JSON/);
  });
});

describe('the category mapping', () => {
  it('maps case-insensitively, the bot’s own kind names to themselves, and nothing else', () => {
    const config = mappedConfig();
    expect(mapCategory(config, ['STORING'])).toEqual({ label: 'incident', oos_reason: null });
    expect(mapCategory(config, ['printer'])).toEqual({ label: 'out_of_scope', oos_reason: 'hardware' });
    expect(mapCategory(config, ['nope', 'Vraag'])).toEqual({ label: 'question', oos_reason: null });
    expect(mapCategory(config, ['complaint'])).toEqual({ label: 'complaint', oos_reason: null });
    expect(mapCategory(config, ['Boekhouding'])).toBeNull();
    expect(mapCategory(config, ['out_of_scope'])).toBeNull();
    expect(mapCategory(config, [])).toBeNull();
  });

  it('the configuration refuses a kind that does not exist and out_of_scope without its reason', () => {
    const raw = (categories: Record<string, string>) => {
      const { learning: _l, ...rest } = loadConfig({ profile: 'academy' });
      return validateConfig({ ...rest, learning: { categories } });
    };
    expect(raw({ Storing: 'incident', Printer: 'out_of_scope/hardware' }).ok).toBe(true);
    const bad = raw({ Storing: 'bug', Printer: 'out_of_scope', Wifi: 'out_of_scope/wifi' });
    expect(bad.ok).toBe(false);
    if (!bad.ok)
      expect(bad.problems.map((p) => p.path).sort()).toEqual([
        'learning.categories.Printer',
        'learning.categories.Storing',
        'learning.categories.Wifi',
      ]);
    expect(parseKind('incident/hardware')).toBeNull();
    expect(parseKind('Out_Of_Scope/OS')).toEqual({ label: 'out_of_scope', oos_reason: 'os' });
  });
});

describe('scrubbing personal data before anything is kept', () => {
  const personal = [
    'Hilde',
    'Vermeersch',
    'hilde.vermeersch',
    'Koen',
    '0471 23 45 67',
    'Ann De Smet',
    'Sofie',
    'Willems',
    'lucas.janssens',
    'Marc',
    'Peeters',
    '09 234 56 78',
    'Lotte',
    'Broeck',
    'Nele',
    'Goossens',
    'Wim',
    'Els Wouters',
    '@',
  ];

  it('no name, e-mail address or phone number from any fixture reaches the stored examples', async () => {
    const config = mappedConfig();
    const dir = tempDir();
    const store = new FileLearnedStore(dir);
    for (const file of ['freshdesk.csv', 'jira.csv', 'jira.json', 'topdesk.csv', 'local.jsonl', 'webhook.jsonl'])
      await store.put(importExport(config, fixture(file), file, { now: NOW }).examples);
    const kept = readFileSync(store.file, 'utf8');
    expect((await store.list()).length).toBe(10);
    for (const p of personal) expect(kept, p).not.toContain(p);
    expect(kept).toContain('[phone]');
    expect(kept).toContain('[student]');
    expect(kept).toContain('[name]');
  });

  it('names in signatures, after staff titles, of students; ordinary capitalised words stay', () => {
    const scrub = scrubber(loadConfig({ profile: 'academy' }));
    expect(scrub('Het rapport van leerling Jonas Peeters is leeg. Groeten, An Claes')).toBe(
      'Het rapport van leerling [student] is leeg. Groeten, [name]',
    );
    expect(scrub('juf Sarah kan niet inloggen, mail naar x.y@school.be of bel +32 475 12 34 56')).toBe(
      'juf [name] kan niet inloggen, mail naar [email] of bel [phone]',
    );
    const plain = 'Rapporten in Excel exporteren lukt niet sinds maandag, Academie Brugge';
    expect(scrub(plain)).toBe(plain);
    expect(scrub('Bedankt voor de snelle hulp!')).toBe('Bedankt voor de snelle hulp!');
  });
});

describe('the learned-examples store', () => {
  const example = (id: string, created: string, status: 'pending' | 'approved' = 'approved'): LearnedExample => ({
    id,
    profile: 'academy',
    text: `tekst ${id}`,
    label: 'incident',
    oos_reason: null,
    source: 'import:labelled',
    status,
    created_at: created,
  });

  it('keeps examples across instances, replaces by id, removes, and refuses a damaged file', async () => {
    const dir = tempDir();
    const a = new FileLearnedStore(dir);
    await Promise.all([a.put([example('1', NOW.toISOString())]), a.put([example('2', NOW.toISOString())])]);
    await a.put([{ ...example('1', NOW.toISOString()), label: 'change' }]);
    const b = new FileLearnedStore(dir);
    expect((await b.list()).map((e) => [e.id, e.label])).toEqual([
      ['1', 'change'],
      ['2', 'incident'],
    ]);
    expect(await b.remove(['2', 'nope'])).toBe(1);
    expect((await a.list()).map((e) => e.id)).toEqual(['1']);
    writeFileSync(a.file, '{"version":1,"examples":[{"id":"x"}]}');
    await expect(a.list()).rejects.toThrow(/not a learned-examples file/);
  });

  it('expiry: past the retention period an example neither trains nor stays', async () => {
    const config = mappedConfig({ retention_days: 30 });
    const store = new FileLearnedStore(tempDir());
    await store.put([
      example('old', '2026-01-01T00:00:00Z'),
      example('new', '2026-03-01T00:00:00Z'),
      example('waiting', '2026-03-01T00:00:00Z', 'pending'),
    ]);
    expect(trainingSet(config, await store.list(), NOW).map((e) => e.id)).toEqual(['new']);
    expect(await purgeExpired(store, NOW, 30)).toBe(1);
    expect((await store.list()).map((e) => e.id)).toEqual(['new', 'waiting']);
    expect(await purgeExpired(store, NOW, 0)).toBe(0);
  });
});

describe('learning joins training', () => {
  it('history lines become extra intents per kind and reason, marked learned, weighing the weight', () => {
    const config = loadConfig({ profile: 'academy' });
    const lines = parseHistory(fixture('labelled.jsonl'), 'h.jsonl');
    const merged = withExamples(config, lines, 3);
    expect(merged.intents['learned:out_of_scope:onsite']).toEqual({
      label: 'out_of_scope',
      reason: 'onsite',
      examples: [lines[0]!.text],
      learned: true,
      weight: 3,
    });
    expect(merged.intents['learned:question']!.examples).toHaveLength(1);
    expect(Object.keys(config.intents)).not.toContain('learned:question');
    expect(() => parseHistory('{"text":"x","label":"bug"}', 'h.jsonl')).toThrow(/h.jsonl:1: "label" must be one of/);
    expect(() => parseHistory('{"label":"incident"}', 'h.jsonl')).toThrow(/h.jsonl:1: "text"/);
  });

  it("an agent's correction is scrubbed, keyed by its ticket, and approved only when the config says so", () => {
    const input = {
      text: 'Ik ben Nele Goossens, kan er een extra kolom bij?',
      kind: { label: 'change' as const, oos_reason: null },
      channel: 'slack',
      ref: 'HD-000004',
      by: 'U123',
      people: ['Nele Goossens'],
      now: NOW,
    };
    const pending = correction(mappedConfig(), input);
    expect(pending).toMatchObject({ status: 'pending', source: 'correction:slack', ref: 'HD-000004', by: 'U123' });
    expect(pending.text).toBe('Ik ben [name], kan er een extra kolom bij?');
    const again = correction(mappedConfig({ approve_corrections: true }), {
      ...input,
      kind: { label: 'question', oos_reason: null },
    });
    expect(again.id).toBe(pending.id);
    expect(again.status).toBe('approved');
  });
});
