import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalTicketStore } from '../adapters/tickets/local/store.ts';
import type { TicketDraft } from '../core/types.ts';
import { tempDir } from './helpers.ts';

const draft = (key: string): TicketDraft => ({
  idempotencyKey: key,
  conversation: 'c',
  requester: { id: 'u' },
  label: 'incident',
  title: 'Lege pdf',
  description: 'Rapporten afdrukken geeft een lege pdf',
  slots: { academy: 'ABE' },
  attachments: [],
  lang: 'nl',
  urgent: false,
  priority: 'normal',
  multiSubject: false,
  missing: [],
  handoff: false,
  transcript: [],
  createdAt: '2026-11-24T09:00:00.000Z',
});

describe('local ticket store', () => {
  it('numbers tickets people can quote, and reads them back', async () => {
    const store = new LocalTicketStore(tempDir());
    expect(await store.create(draft('a'))).toEqual({ id: 'HD-000001' });
    expect(await store.create(draft('b'))).toEqual({ id: 'HD-000002' });
    expect((await store.get('HD-000002'))?.draft.idempotencyKey).toBe('b');
    expect((await store.list()).map((t) => t.id)).toEqual(['HD-000001', 'HD-000002']);
  });

  it('adds notes without rewriting the ticket, in order, and reads a changed status from the file', async () => {
    const dir = tempDir();
    const store = new LocalTicketStore(dir);
    const { id } = await store.create(draft('a'));
    const file = join(dir, 'tickets', `${id}.json`);
    const before = readFileSync(file, 'utf8');
    const note = (text: string) => ({ at: '2026-11-24T09:05:00.000Z', author: { id: 'u' }, text, attachments: [] });
    await Promise.all(['een', 'twee', 'drie'].map((text) => store.addNote(id, note(text))));
    expect(readFileSync(file, 'utf8')).toBe(before);
    expect((await store.get(id))?.notes?.map((n) => n.text)).toEqual(['een', 'twee', 'drie']);
    expect(await store.status({ id })).toBe('open');
    // An agent closes it by editing the file: the next look-up sees it.
    writeFileSync(file, before.replace('"status": "open"', '"status": "closed"'));
    expect(await store.status({ id })).toBe('closed');
    await expect(store.addNote('HD-999999', note('nergens'))).rejects.toThrow(/no ticket/);
  });

  it('files the same key once, also when two stores on one folder race', async () => {
    const dir = tempDir();
    const a = new LocalTicketStore(dir);
    const b = new LocalTicketStore(dir);
    const results = await Promise.all([a.create(draft('same')), b.create(draft('same')), a.create(draft('same'))]);
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    expect(await a.list()).toHaveLength(1);
    const others = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).create(draft(`k${i}`))));
    expect(new Set(others.map((r) => r.id)).size).toBe(20);
  });
});
