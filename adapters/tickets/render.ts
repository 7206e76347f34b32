import type { Config, InScopeLabel, Lang, Slot } from '../../core/config/schema.ts';
import { visibleLine, visibleText } from '../../core/text/visible.ts';
import type { TicketDraft } from '../../core/types.ts';

/** How a ticket's parts are named for the helpdesk (the config's vocabulary, in the helpdesk's language). */
export interface TicketLabels {
  lang: Lang;
  kinds: Record<InScopeLabel, string>;
  slots: Record<Slot, string>;
}

const WORDS = {
  nl: {
    urgent: 'DRINGEND',
    kind: 'Soort',
    requester: 'Aanvrager',
    description: 'Beschrijving',
    missing: 'Niet opgegeven',
    attachments: 'Bijlagen',
    unavailable: 'niet beschikbaar',
    handoff: 'De persoon vroeg om een medewerker.',
    transcript: 'Gesprek',
    reference: 'Referentie',
    user: 'persoon',
    bot: 'bot',
  },
  fr: {
    urgent: 'URGENT',
    kind: 'Type',
    requester: 'Demandeur',
    description: 'Description',
    missing: 'Non fourni',
    attachments: 'Pièces jointes',
    unavailable: 'non disponible',
    handoff: 'La personne a demandé un collaborateur.',
    transcript: 'Conversation',
    reference: 'Référence',
    user: 'personne',
    bot: 'bot',
  },
  en: {
    urgent: 'URGENT',
    kind: 'Kind',
    requester: 'Requester',
    description: 'Description',
    missing: 'Not given',
    attachments: 'Attachments',
    unavailable: 'not available',
    handoff: 'The person asked for an agent.',
    transcript: 'Conversation',
    reference: 'Reference',
    user: 'person',
    bot: 'bot',
  },
} as const;

/** The labels of a configuration, in its default language (the helpdesk's). */
export function labelsOf(config: Config): TicketLabels {
  const lang = config.default_language;
  const pick = <K extends string>(m: Record<K, Record<Lang, string>>) =>
    Object.fromEntries(Object.entries<Record<Lang, string>>(m).map(([k, v]) => [k, v[lang]])) as Record<K, string>;
  return { lang, kinds: pick(config.vocabulary.kinds), slots: pick(config.vocabulary.slots) };
}

/** Escape text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/**
 * Escape text for Jira wiki markup (what Jira Service Management renders a request's description in):
 * markup characters get a backslash, block markers at a line start (`h1.`, `bq.`) become entities, so
 * `{code}`, `[link|url]`, `!image!`, `*bold*` or a table typed by the person show as typed. Hyphens and
 * underscores inside words (HD-000123, file_name) are left alone.
 */
export function escapeJiraWiki(text: string): string {
  return text
    .replace(/[\\{}[\]|!*^~+#]|(?<!\w)[-_?]|[-_?](?!\w)/g, '\\$&')
    .replace(/^(\s*)h([1-6])\./gm, '$1&#104;$2.')
    .replace(/^(\s*)bq\./gm, '$1&#98;q.');
}

/**
 * Escape text for Markdown (CommonMark, GitHub, GitLab, Teams): inline markup gets a backslash, raw HTML
 * is neutralised (`<` and `>` as entities), and block markers at a line start (headings, lists, quotes,
 * rules) are escaped, so what the person typed shows as typed and never as a link, image or script.
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\\`*_[\]{}()|~!]/g, '\\$&')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/^(\s*)([#+=-])/gm, '$1\\$2')
    .replace(/^(\s*)(\d+)([.)])/gm, '$1$2\\$3');
}

/** Where the person can be reached: the channel's e-mail, else the one they gave. */
export function requesterEmail(draft: TicketDraft): string | undefined {
  return draft.requester.email ?? draft.slots.email;
}

export function requesterName(draft: TicketDraft): string | undefined {
  return draft.requester.name ?? draft.slots.name;
}

/** `Storing: [ABE] Rapporten: lege pdf`, with the urgency first when urgent. */
export function ticketSubject(draft: TicketDraft, labels: TicketLabels, reference?: string): string {
  const words = WORDS[labels.lang];
  return [
    reference ? `[${reference}]` : '',
    draft.urgent ? `${words.urgent}:` : '',
    `${labels.kinds[draft.label]}:`,
    visibleLine(draft.title),
  ]
    .filter(Boolean)
    .join(' ');
}

interface Section {
  fields: [string, string][];
  description: string;
  attachments: string[];
  notes: string[];
  transcript: string[];
}

function sections(draft: TicketDraft, labels: TicketLabels, reference?: string): Section {
  const words = WORDS[labels.lang];
  const fields: [string, string][] = [
    [words.kind, labels.kinds[draft.label] + (draft.urgent ? ` (${words.urgent})` : '')],
  ];
  for (const [slot, value] of Object.entries(draft.slots)) {
    if (value) fields.push([labels.slots[slot as Slot] ?? slot, visibleLine(value)]);
  }
  const email = optionalLine(requesterEmail(draft));
  const name = optionalLine(requesterName(draft));
  fields.push([
    words.requester,
    [name, email ? `<${email}>` : '', `(${visibleLine(draft.requester.id)})`].filter(Boolean).join(' '),
  ]);
  if (draft.missing.length > 0) fields.push([words.missing, draft.missing.map((s) => labels.slots[s] ?? s).join(', ')]);
  if (reference) fields.push([words.reference, reference]);
  const attachments = draft.attachments.map((a) =>
    visibleLine(a.ref ? a.name : `${a.name} (${a.url ?? words.unavailable})`),
  );
  const notes = draft.handoff ? [words.handoff] : [];
  const transcript = draft.transcript.map((t) => `[${t.at.slice(11, 16)}] ${words[t.from]}: ${visibleText(t.text)}`);
  return { fields, description: visibleText(draft.description), attachments, notes, transcript };
}

function optionalLine(text: string | undefined): string | undefined {
  return text === undefined ? undefined : visibleLine(text);
}

/**
 * One line of `triage tickets list`: number, date, status, kind, urgency and title, nothing that could
 * steer the operator's terminal (escape sequences, bidi overrides) or break the line.
 */
export function ticketListLine(ticket: { id: string; createdAt: string; status: string; draft: TicketDraft }): string {
  const { draft } = ticket;
  return `${visibleLine(ticket.id)}  ${ticket.createdAt.slice(0, 16).replace('T', ' ')}  ${visibleLine(ticket.status).padEnd(8)} ${draft.label.padEnd(9)} ${draft.urgent ? 'URGENT ' : ''}${visibleLine(draft.title)}\n`;
}

/** The ticket as plain text (e-mail text part, systems that take text). */
export function ticketText(draft: TicketDraft, labels: TicketLabels, reference?: string): string {
  const words = WORDS[labels.lang];
  const s = sections(draft, labels, reference);
  const out = [
    ...s.fields.map(([k, v]) => `${k}: ${v}`),
    '',
    `${words.description}:`,
    s.description,
    ...(s.notes.length ? ['', ...s.notes] : []),
    ...(s.attachments.length ? ['', `${words.attachments}: ${s.attachments.join(', ')}`] : []),
    ...(s.transcript.length ? ['', `${words.transcript}:`, ...s.transcript] : []),
  ];
  return `${out.join('\n')}\n`;
}

/** The ticket as HTML; every value the person typed is escaped. */
export function ticketHtml(draft: TicketDraft, labels: TicketLabels, reference?: string): string {
  const words = WORDS[labels.lang];
  const s = sections(draft, labels, reference);
  const para = (text: string) =>
    text
      .split(/\n{2,}/)
      .map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>`)
      .join('');
  const rows = s.fields.map(([k, v]) => `<tr><th align="left">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`);
  return [
    `<table>${rows.join('')}</table>`,
    `<h5>${escapeHtml(words.description)}</h5>`,
    para(s.description),
    ...s.notes.map((n) => `<p><b>${escapeHtml(n)}</b></p>`),
    s.attachments.length ? `<p>${escapeHtml(words.attachments)}: ${escapeHtml(s.attachments.join(', '))}</p>` : '',
    s.transcript.length
      ? `<h5>${escapeHtml(words.transcript)}</h5><p>${s.transcript.map(escapeHtml).join('<br>')}</p>`
      : '',
  ]
    .filter(Boolean)
    .join('\n');
}

/** The ticket in Jira wiki markup: labels bold, every value the person typed escaped. */
export function ticketWiki(draft: TicketDraft, labels: TicketLabels, reference?: string): string {
  const words = WORDS[labels.lang];
  const s = sections(draft, labels, reference);
  const esc = escapeJiraWiki;
  const out = [
    ...s.fields.map(([k, v]) => `*${esc(k)}:* ${esc(v)}`),
    '',
    `*${esc(words.description)}:*`,
    esc(s.description),
    ...(s.notes.length ? ['', ...s.notes.map(esc)] : []),
    ...(s.attachments.length ? ['', `*${esc(words.attachments)}:* ${esc(s.attachments.join(', '))}`] : []),
    ...(s.transcript.length ? ['', `*${esc(words.transcript)}:*`, ...s.transcript.map(esc)] : []),
  ];
  return `${out.join('\n')}\n`;
}

/** The ticket in Markdown: labels bold, every value the person typed escaped, lines kept apart. */
export function ticketMarkdown(draft: TicketDraft, labels: TicketLabels, reference?: string): string {
  const words = WORDS[labels.lang];
  const s = sections(draft, labels, reference);
  const esc = escapeMarkdown;
  // Two spaces before a newline keep lines of one paragraph apart.
  const lines = (text: string) => esc(text).split('\n').join('  \n');
  const out = [
    s.fields.map(([k, v]) => `**${esc(k)}:** ${esc(v)}`).join('  \n'),
    `**${esc(words.description)}:**  \n${lines(s.description)}`,
    ...s.notes.map((n) => `**${esc(n)}**`),
    ...(s.attachments.length ? [`**${esc(words.attachments)}:** ${esc(s.attachments.join(', '))}`] : []),
    ...(s.transcript.length ? [`**${esc(words.transcript)}:**  \n${s.transcript.map(lines).join('  \n')}`] : []),
  ];
  return `${out.join('\n\n')}\n`;
}
