import { describe, expect, it } from 'vitest';
import { cardWithStatus, deskCard, relayMessage } from '../bots/slack/desk-card.ts';
import type { TicketDraft } from '../core/types.ts';
import { shippedCore } from './helpers.ts';

const config = shippedCore('academy').config;

function draft(overrides: Partial<TicketDraft> = {}): TicketDraft {
  return {
    idempotencyKey: 'k1',
    conversation: 'slack:D0SOFIE',
    requester: { id: 'USOFIE', name: 'Sofie Peeters', email: 'sofie@ak.example' },
    label: 'incident',
    title: 'Het rapport toont <verkeerde> punten',
    description: 'Het rapport toont verkeerde punten',
    slots: { academy: 'ALH', student: 'Mila Jacobs', error_message: 'Fout 500' },
    attachments: [
      { name: 'scherm.png', contentType: 'image/png', url: 'https://academies.slack.com/files/U1/F1/scherm.png' },
      { name: 'tweede.png', contentType: 'image/png' },
    ],
    lang: 'nl',
    urgent: true,
    priority: 'high',
    multiSubject: false,
    missing: [],
    handoff: true,
    transcript: [],
    createdAt: '2026-11-24T09:00:00.000Z',
    ...overrides,
  };
}

type Shown = { type: string; text?: { text: string }; fields?: { text: string }[]; elements?: unknown[] };

describe('the desk card', () => {
  it('shows requester, academy, kind, urgency, every detail, files and the ticket as a link', () => {
    const { card, thread } = deskCard({
      config,
      lang: 'nl',
      ticket: 'HD-000007',
      url: 'https://helpdesk.example/tickets/7',
      draft: draft({ transcript: [{ from: 'user', text: 'Help <nu>', at: '2026-11-24T09:00:00.000Z' }] }),
      transcript: [
        { from: 'user', text: 'Help <nu>', at: '2026-11-24T09:00:00.000Z' },
        { from: 'bot', text: 'Van welke academie?', at: '2026-11-24T09:00:01.000Z' },
      ],
    });
    const json = JSON.stringify(card.blocks);
    for (const part of ['Sofie Peeters', 'sofie@ak.example', 'ALH (', 'Storing', 'Dringend', 'Mila Jacobs', 'Fout 500'])
      expect(json).toContain(part);
    expect(json).toContain('<https://helpdesk.example/tickets/7|HD-000007>');
    expect(json).toContain('<https://academies.slack.com/files/U1/F1/scherm.png|scherm.png>');
    expect(json).toContain('tweede.png');
    // Text is shown as written, never as markup.
    expect(json).toContain('*Sofie Peeters:* Help &lt;nu&gt;');
    expect(json).toContain('*Bot:* Van welke academie?');
    expect(thread).toEqual([]);
    expect(card.blocks.at(-1)).toMatchObject({ type: 'actions', elements: [{ action_id: 'desk_claim' }] });
  });

  it('puts a long conversation in the thread, within 50 blocks and 3,000 characters per section', () => {
    const transcript = Array.from({ length: 40 }, (_, i) => ({
      from: i % 2 === 0 ? ('user' as const) : ('bot' as const),
      text: `${i}: ${'lange uitleg over de rapporten '.repeat(60)}`,
      at: '2026-11-24T09:00:00.000Z',
    }));
    const { card, thread } = deskCard({ config, lang: 'nl', ticket: 'HD-1', draft: draft(), transcript });
    expect(JSON.stringify(card.blocks)).toContain('Het gesprek tot nu toe staat in de draad.');
    expect(thread.length).toBeGreaterThan(0);
    const all = [card, ...thread];
    for (const message of all) {
      expect(message.blocks.length).toBeLessThanOrEqual(50);
      for (const block of message.blocks as Shown[]) {
        if (block.text) expect(block.text.text.length).toBeLessThanOrEqual(3000);
      }
    }
    const text = thread.flatMap((m) => (m.blocks as Shown[]).map((b) => b.text?.text ?? '')).join('\n');
    for (let i = 0; i < 40; i++) expect(text).toContain(`${i}: lange uitleg`);
  });

  it('once claimed shows who has it and Resolve / Return to bot; once ended, no buttons', () => {
    const { card } = deskCard({ config, lang: 'nl', ticket: 'HD-1', draft: draft(), transcript: [] });
    const claimed = cardWithStatus(card.blocks, {
      config,
      lang: 'nl',
      ticket: 'HD-1',
      text: 'Genomen door Jan',
      actions: ['resolve', 'return'],
    });
    expect(JSON.stringify(claimed)).toContain('Genomen door Jan');
    expect(claimed.at(-1)).toMatchObject({
      type: 'actions',
      elements: [
        { action_id: 'desk_resolve', text: { text: 'Afgerond' } },
        { action_id: 'desk_return', text: { text: 'Terug naar de bot' } },
      ],
    });
    const ended = cardWithStatus(claimed, {
      config,
      lang: 'nl',
      ticket: 'HD-1',
      text: 'Afgerond door Jan',
      actions: [],
    });
    // No workflow buttons once ended; only the kind menu stays (a kind can be corrected after the end).
    expect(ended.filter((b) => b.type === 'actions').map((b) => (b as { block_id?: string }).block_id)).toEqual([
      'desk_kind_menu',
    ]);
    expect(JSON.stringify(ended)).not.toMatch(/desk_(claim|resolve|return)/);
    expect(JSON.stringify(ended)).not.toContain('Genomen door Jan');
    expect(ended).toHaveLength(card.blocks.length);
  });

  it('marks a relayed message with the person’s name and lists its files', () => {
    const message = relayMessage('Sofie Peeters', 'Zie <bijlage>', [{ name: 'x.png', contentType: 'image/png' }]);
    expect(message.text).toBe('Sofie Peeters: Zie <bijlage>');
    expect(JSON.stringify(message.blocks)).toContain('*Sofie Peeters:* Zie &lt;bijlage&gt;');
    expect(JSON.stringify(message.blocks)).toContain('x.png');
  });
});
