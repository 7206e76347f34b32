import { describe, expect, it } from 'vitest';
import { escapeMarkdown, labelsOf, ticketHtml, ticketMarkdown, ticketWiki } from '../adapters/tickets/render.ts';
import type { TicketDraft } from '../core/types.ts';
import { shippedCore } from './helpers.ts';

// Ticket text escaped for each target: what the person typed shows as typed, never as markup or script.

const HOSTILE =
  '<img src=x onerror=alert(1)> [klik](javascript:alert(1)) ![p](http://t.example/p.png) {html}<b>x</b>{html} [a|http://evil] *vet* _schuin_\n# kop\n- lijst\nh1. titel';

const draft: TicketDraft = {
  idempotencyKey: 'k#1',
  conversation: 'slack:D1',
  requester: { id: 'U1', name: 'An <Peeters>', email: 'an@academy.example' },
  label: 'incident',
  title: 'Rapport *leeg*',
  description: HOSTILE,
  slots: { academy: 'AKW', error_message: '<b>500</b> | [x]' },
  attachments: [{ name: 'scherm](x).png', contentType: 'image/png', ref: 'r1' }],
  lang: 'nl',
  urgent: false,
  priority: 'normal',
  multiSubject: false,
  missing: [],
  handoff: false,
  transcript: [{ from: 'user', text: HOSTILE, at: '2026-09-01T08:00:00.000Z' }],
  createdAt: '2026-09-01T08:00:00.000Z',
};
const labels = labelsOf(shippedCore().config);

describe('ticket text per target', () => {
  it('HTML (e-mail, Freshdesk): no tag the person typed survives', () => {
    const html = ticketHtml(draft, labels);
    expect(html).not.toMatch(/<img|<b>|onerror=alert\(1\)>/);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('An &lt;Peeters&gt;');
  });

  it('Markdown (webhook receivers): no link, image, HTML, heading or list from what the person typed', () => {
    const md = ticketMarkdown(draft, labels);
    expect(md).toContain('**Beschrijving:**');
    expect(md).not.toMatch(/<img|<b>/);
    expect(md).not.toMatch(/(?<!\\)\[klik(?<!\\)\]\(/);
    expect(md).toContain('\\[klik\\]\\(javascript:alert\\(1\\)\\)');
    expect(md).toContain('\\!\\[p\\]');
    expect(md).toMatch(/^\\# kop/m);
    expect(md).toMatch(/^\\- lijst/m);
    expect(escapeMarkdown('1. een')).toBe('1\\. een');
  });

  it('Jira wiki (Service Management descriptions): no macro, link, image or heading from what the person typed', () => {
    const wiki = ticketWiki(draft, labels);
    expect(wiki).toContain('*Beschrijving:*');
    expect(wiki).toContain('\\{html\\}');
    expect(wiki).toContain('\\[a\\|http://evil\\]');
    expect(wiki).toContain('\\!\\[p\\]');
    expect(wiki).toMatch(/^&#104;1\. titel/m);
    expect(wiki).toContain('\\*vet\\* \\_schuin\\_');
    expect(wiki).not.toMatch(/(?<!\\)\{html/);
  });
});
