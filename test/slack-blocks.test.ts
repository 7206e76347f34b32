import { describe, expect, it } from 'vitest';
import { answeredBlocks, conversationOfBlock, renderReply } from '../bots/slack/blocks.ts';
import { fromSlack } from '../bots/slack/text.ts';
import type { Reply } from '../core/types.ts';

describe('Slack text to the core', () => {
  it('drops the mention of the bot, keeps other people by name, links and e-mail addresses as written', () => {
    expect(fromSlack('<@UBOT> de rapporten van <@U123|Jan> op <https://ak.example/rapport?id=1&amp;x=2>', 'UBOT')).toBe(
      'de rapporten van Jan op https://ak.example/rapport?id=1&x=2',
    );
    expect(fromSlack('mail <mailto:sofie@ak.example|sofie@ak.example> &lt;dringend&gt; in <#C1|secretariaat>')).toBe(
      'mail sofie@ak.example <dringend> in #secretariaat',
    );
  });
});

describe('core replies as Block Kit', () => {
  it('shows the text as written, never as markup', () => {
    const { text, blocks } = renderReply({ text: 'Foutmelding <b>&</b> *vet*' }, 'slack:D1');
    expect(text).toBe('Foutmelding <b>&</b> *vet*');
    expect(blocks).toEqual([
      { type: 'section', text: { type: 'mrkdwn', text: 'Foutmelding &lt;b&gt;&amp;&lt;/b&gt; *vet*' } },
    ]);
  });

  it('splits a long text into sections within Slack’s 3000 characters', () => {
    const long = Array.from({ length: 400 }, (_, i) => `regel ${i} met wat tekst`).join('\n');
    const { blocks } = renderReply({ text: long }, 'slack:D1');
    const texts = blocks.map((b) => (b as { text: { text: string } }).text.text);
    expect(texts.length).toBeGreaterThan(3);
    for (const t of texts) expect(t.length).toBeLessThanOrEqual(3000);
    expect(texts.join('\n')).toBe(long);
  });

  it('renders choices as buttons carrying the value, in a block naming the conversation', () => {
    const reply: Reply = {
      text: 'Wat past het best?',
      choices: [
        { value: 'question', label: 'Een vraag over hoe iets werkt' },
        { value: 'incident', label: 'Iets werkt niet of geeft een fout' },
      ],
    };
    const actions = renderReply(reply, 'slack:C1:1700000000.000100').blocks.at(-1) as {
      block_id: string;
      elements: { value: string; text: { text: string }; action_id: string }[];
    };
    expect(conversationOfBlock(actions.block_id)).toBe('slack:C1:1700000000.000100');
    expect(actions.elements.map((e) => [e.value, e.text.text])).toEqual([
      ['question', 'Een vraag over hoe iets werkt'],
      ['incident', 'Iets werkt niet of geeft een fout'],
    ]);
    expect(new Set(actions.elements.map((e) => e.action_id)).size).toBe(2);
  });

  it('renders a ticket preview as a card with every detail, the description, the files and Send/Edit', () => {
    const reply: Reply = {
      text: 'Dit stuur ik naar de helpdesk: ...',
      choices: [
        { value: 'send', label: 'Versturen' },
        { value: 'edit', label: 'Aanpassen' },
      ],
      preview: {
        intro: 'Dit stuur ik naar de helpdesk:',
        question: 'Klopt dit?',
        title: `[AKW] Leerlingen: ${'x'.repeat(200)}`,
        kind: 'Storing',
        urgent: true,
        fields: Array.from({ length: 12 }, (_, i) => ({
          slot: 'student' as const,
          label: `Veld ${i}`,
          value: `waarde <${i}>`,
        })),
        description: 'Bij het openen van de leerlingenfiche...',
        attachments: ['scherm.png', 'fout.jpg'],
      },
    };
    const { text, blocks } = renderReply(reply, 'slack:D1');
    expect(text).toBe(reply.text);
    const json = JSON.stringify(blocks);
    expect(JSON.stringify(blocks[0])).toContain('Dit stuur ik naar de helpdesk:');
    const header = blocks[1] as { type: string; text: { text: string } };
    expect(header.type).toBe('header');
    expect(header.text.text.length).toBeLessThanOrEqual(150);
    expect(json).toContain('Storing');
    expect(json).toContain(':rotating_light:');
    for (let i = 0; i < 12; i++) expect(json).toContain(`*Veld ${i}*\\nwaarde &lt;${i}&gt;`);
    for (const b of blocks) if ('fields' in b && b.fields) expect(b.fields.length).toBeLessThanOrEqual(10);
    expect(json).toContain('Bij het openen van de leerlingenfiche');
    expect(json).toContain('scherm.png, fout.jpg');
    expect(JSON.stringify(blocks.at(-2))).toContain('Klopt dit?');
    const buttons = (blocks.at(-1) as { elements: { value: string; style?: string }[] }).elements;
    expect(buttons).toEqual([
      expect.objectContaining({ value: 'send', style: 'primary' }),
      expect.objectContaining({ value: 'edit' }),
    ]);
  });

  it('links ticket numbers to the ticket when the ticket system gives a URL', () => {
    const { blocks } = renderReply({ text: 'Uw ticket HD-000007 is aangemaakt.' }, 'slack:D1', [
      { id: 'HD-000007', url: 'https://helpdesk.example/tickets/7' },
    ]);
    expect(JSON.stringify(blocks)).toContain('<https://helpdesk.example/tickets/7|HD-000007>');
  });

  it('replaces the buttons of an answered message by the choice made', () => {
    const { blocks } = renderReply(
      { text: 'Klopt dit?', choices: [{ value: 'send', label: 'Versturen' }] },
      'slack:D1',
    );
    const answered = answeredBlocks(blocks, 'Versturen');
    expect(answered[0]).toEqual(blocks[0]);
    expect(answered.at(-1)).toEqual({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: ':white_check_mark: *Versturen*' }],
    });
    // Answered by typing: the buttons just go.
    expect(answeredBlocks(blocks)).toEqual([blocks[0]]);
  });
});
