import { describe, expect, it } from 'vitest';
import { memoryHandoffBook } from '../adapters/state/handoffs.ts';
import { chooseDesk, DeskRouter } from '../bots/runtime/desks.ts';
import type { AgentDesk } from '../bots/runtime/service.ts';
import { cardWithStatus, deskCard, relayText } from '../bots/teams/desk-card.ts';
import type { TicketDraft } from '../core/types.ts';
import { shippedCore } from './helpers.ts';

const config = shippedCore('academy').config;
const AT = '2026-11-24T09:00:00.000Z';

function draft(overrides: Partial<TicketDraft> = {}): TicketDraft {
  return {
    idempotencyKey: 'k1',
    conversation: 'teams:a:1personal-sofie',
    requester: { id: 'aad-sofie', name: 'Sofie Peeters', email: 'sofie@ak.example' },
    label: 'incident',
    title: 'Het rapport toont *verkeerde* punten',
    description: 'Het rapport toont verkeerde punten',
    slots: { academy: 'ALH', student: 'Mila Jacobs', error_message: 'Fout 500' },
    attachments: [{ name: 'scherm.png', contentType: 'image/png', url: 'https://files.example/scherm.png' }],
    lang: 'nl',
    urgent: true,
    priority: 'high',
    multiSubject: false,
    missing: [],
    handoff: true,
    transcript: [],
    createdAt: AT,
    ...overrides,
  };
}

describe('the Teams desk card', () => {
  it('shows every detail, the files, the ticket link and the conversation; Markdown typed by people stays text', () => {
    const { card, thread } = deskCard({
      config,
      lang: 'nl',
      ticket: 'HD-000007',
      url: 'https://helpdesk.example/tickets/7',
      draft: draft(),
      transcript: [
        { from: 'user', text: 'Help [klik](https://evil.example)', at: AT },
        { from: 'bot', text: 'Van welke academie?', at: AT },
      ],
    });
    const json = JSON.stringify(card);
    for (const part of ['Sofie Peeters', 'sofie@ak.example', 'ALH', 'Mila Jacobs', 'Fout 500', 'Dringend', 'HD-000007'])
      expect(json).toContain(part);
    expect(json).toContain('[scherm.png](https://files.example/scherm.png)');
    expect(json).toContain('\\\\[klik\\\\](https://evil.example)');
    expect(json).toContain('\\\\*verkeerde\\\\*');
    expect(card.actions?.map((a) => a.type)).toEqual(['Action.Submit', 'Action.OpenUrl']);
    expect(thread).toEqual([]);

    const claimed = cardWithStatus(card, {
      config,
      lang: 'nl',
      ticket: 'HD-000007',
      text: 'Genomen door Jan',
      acts: ['resolve', 'return'],
    });
    const again = cardWithStatus(claimed, {
      config,
      lang: 'nl',
      ticket: 'HD-000007',
      text: 'Afgerond door Jan',
      acts: [],
    });
    expect(JSON.stringify(again)).not.toContain('Genomen door Jan');
    expect(again.actions?.map((a) => a.type)).toEqual(['Action.OpenUrl']);
  });

  it('escapes Markdown and drops control and bidi characters in the FactSet values (a link in a student name stays text)', () => {
    const { card } = deskCard({
      config,
      lang: 'nl',
      ticket: 'HD-000008',
      draft: draft({
        requester: { id: '29:1x', name: '**Directeur** \u202eneeteeP', email: 'x@ak.example' },
        slots: { academy: 'ALH', student: '[Mila](https://evil.example)', error_message: '_Fout_ \u001b[31m500' },
      }),
      transcript: [],
    });
    const facts = card.body.flatMap((e) =>
      e.type === 'FactSet' ? (e.facts as { title: string; value: string }[]) : [],
    );
    const values = facts.map((f) => f.value);
    expect(values).toContain('\\[Mila\\](https://evil.example)');
    expect(values).toContain('\\_Fout\\_ 500');
    expect(values.find((v) => v.includes('Directeur'))).toBe('\\*\\*Directeur\\*\\* neeteeP, x@ak.example');
    // JSON.stringify writes ESC as \u001b and leaves U+202E as it is.
    const json = JSON.stringify(card);
    expect(json).not.toContain('\u202e');
    expect(json).not.toContain('\\u001b');
  });

  it("a long conversation goes in the thread and the card stays far under Teams' 100 KB", () => {
    const transcript = Array.from({ length: 80 }, (_, i) => ({
      from: i % 2 ? ('bot' as const) : ('user' as const),
      text: `${'bericht '.repeat(60)}${i}`,
      at: AT,
    }));
    const { card, thread } = deskCard({
      config,
      lang: 'nl',
      ticket: 'HD-1',
      draft: draft({ description: 'x'.repeat(50_000) }),
      transcript,
    });
    expect(JSON.stringify(card).length).toBeLessThan(40_000);
    expect(thread.join('\n')).toContain('bericht 79');
    for (const part of thread) expect(part.length).toBeLessThanOrEqual(20_000);
    expect(relayText('Sofie', 'Kijk', [{ name: 'a.png', contentType: 'image/png' }])).toBe('Sofie: Kijk\n📎 a.png');
  });
});

describe('two desks', () => {
  it('new handoffs go to the chosen desk; words go to the desk holding the card', async () => {
    const book = memoryHandoffBook();
    const calls: string[] = [];
    const fake = (name: string): AgentDesk => ({
      async open() {
        calls.push(`${name}:open`);
        return { position: 1 };
      },
      async relay() {
        calls.push(`${name}:relay`);
      },
    });
    const router = new DeskRouter(book, { slack: fake('slack'), teams: fake('teams') }, 'teams');
    await router.open('slack:D1', { ticket: 'HD-1', draft: draft(), state: {} as never });
    const person = { id: 'p' };
    await book.open({
      conversation: 'slack:D1',
      ticket: 'HD-1',
      card: 'slack:C0DESK:1.2',
      requester: person,
      openedAt: AT,
    });
    await router.relay('slack:D1', 'hallo', []);
    await book.open({
      conversation: 'slack:D2',
      ticket: 'HD-2',
      card: 'teams:19:x@thread.tacv2;messageid=1',
      requester: person,
      openedAt: AT,
    });
    await router.relay('slack:D2', 'hallo', []);
    expect(calls).toEqual(['teams:open', 'slack:relay', 'teams:relay']);

    expect(chooseDesk(undefined, ['slack', 'teams'])).toEqual({ desk: 'slack' });
    expect(chooseDesk('Teams', ['slack', 'teams'])).toEqual({ desk: 'teams' });
    expect(chooseDesk(undefined, ['teams'])).toEqual({ desk: 'teams' });
    expect(chooseDesk('teams', ['slack'])).toMatchObject({
      desk: 'slack',
      warning: expect.stringMatching(/not set up/),
    });
    expect(chooseDesk('mail', ['slack'])).toMatchObject({
      desk: 'slack',
      warning: expect.stringMatching(/slack or teams/),
    });
    expect(chooseDesk(undefined, [])).toEqual({ desk: null });
  });
});
