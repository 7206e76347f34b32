import { parseCsv } from './csv.ts';
import { LearnError } from './examples.ts';

/** The exports `triage learn import` reads. */
export const EXPORT_FORMATS = ['freshdesk', 'jira', 'topdesk', 'local', 'webhook', 'labelled'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** One ticket of an export, before mapping and scrubbing. */
export interface ImportRow {
  /** The ticket's number in its system. */
  ref?: string;
  text: string;
  /** The helpdesk's categories for it, most specific first: the first the mapping knows decides. */
  categories: string[];
  /** Names and e-mail addresses of the people on the ticket: scrubbed wherever the text repeats them. */
  people: string[];
  /** The profile a labelled line names (lines of another profile are not imported into this one). */
  profile?: string;
}

type Row = Record<string, unknown>;

/** A field by any of its names (exports differ in language and version), case and spacing ignored. */
function field(row: Row, ...names: string[]): string {
  const wanted = names.map(key);
  for (const [k, v] of Object.entries(row)) {
    if (!wanted.includes(key(k))) continue;
    const s = textOf(v);
    if (s) return s;
  }
  return '';
}

const key = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');

/** A value as text: strings as they are, `{name}` / `{displayName}` objects by their name, ADF documents by their text. */
function textOf(v: unknown): string {
  if (typeof v === 'string') return v.trim();
  if (typeof v === 'number') return String(v);
  if (v && typeof v === 'object') {
    const o = v as Row;
    for (const k of ['name', 'displayName', 'dynamicName', 'value'])
      if (typeof o[k] === 'string') return o[k] as string;
    if (o.requestType && typeof o.requestType === 'object') return textOf(o.requestType);
    if (o.type === 'doc' || Array.isArray(o.content)) return adfText(o).trim();
  }
  return '';
}

/** The text of an Atlassian Document Format node (Jira Cloud descriptions). */
function adfText(node: Row): string {
  if (typeof node.text === 'string') return node.text;
  const inner = Array.isArray(node.content) ? (node.content as Row[]).map(adfText).join('') : '';
  return node.type === 'paragraph' || node.type === 'heading' ? `${inner}\n` : inner;
}

/** Plain text from an export's HTML or wiki markup, at most 1,000 characters (the first message matters). */
export function plainText(raw: string): string {
  return raw
    .replace(/<br\s*\/?>|<\/p>|<\/div>/gi, '\n')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/\{(code|noformat|quote)[^}]*\}/g, ' ')
    .replace(/^\s*\d{1,2}[-/]\d{1,2}[-/]\d{2,4} \d{1,2}:\d{2}.*:\s*$/gm, '')
    .replace(/[ \t]+/g, ' ')
    .replace(/\n\s*\n+/g, '\n')
    .trim()
    .slice(0, 1000);
}

function joined(...parts: string[]): string {
  const [first, ...rest] = parts.map(plainText).filter(Boolean);
  if (!first) return '';
  // A description that repeats the subject adds nothing.
  return [first, ...rest.filter((r) => !r.startsWith(first))].join('\n');
}

const nonEmpty = (xs: string[]) => xs.filter((x) => x.trim() !== '');

const readers: Record<ExportFormat, (row: Row) => ImportRow> = {
  freshdesk: (r) => ({
    ref: field(r, 'Ticket ID', 'id'),
    text: joined(field(r, 'Subject'), field(r, 'description_text', 'Description')),
    categories: nonEmpty([field(r, 'Category', 'cf_category'), field(r, 'Type')]),
    people: nonEmpty([
      field(r, 'Requester Name', 'Full name', 'Contact'),
      field(r, 'Requester Email', 'Email'),
      field(r, 'Agent'),
      personOf(r.requester),
    ]),
  }),
  jira: (r) => {
    const f = (r.fields && typeof r.fields === 'object' ? r.fields : r) as Row;
    const requestType = Object.values(f).find((v) => v && typeof v === 'object' && 'requestType' in (v as Row)) as
      | Row
      | undefined;
    return {
      ref: field(r, 'Issue key', 'key'),
      text: joined(field(f, 'Summary'), field(f, 'Description')),
      categories: nonEmpty([
        field(f, 'Custom field (Request Type)', 'Customer Request Type', 'Request Type'),
        requestType ? textOf(requestType) : '',
        field(f, 'Issue Type', 'issuetype'),
      ]),
      people: nonEmpty([
        field(f, 'Reporter'),
        field(f, 'Assignee'),
        field(f, 'Creator'),
        personOf(f.reporter),
        personOf(f.creator),
      ]),
    };
  },
  topdesk: (r) => {
    const category = field(r, 'Category', 'Categorie', 'Category name');
    const sub = field(r, 'Subcategory', 'Subcategorie', 'Subcategory name');
    return {
      ref: field(r, 'Incident number', 'Aanmeldingsnummer', 'Number', 'Nummer'),
      text: joined(
        field(r, 'Brief description', 'Korte omschrijving', 'briefDescription'),
        field(r, 'Request', 'Verzoek'),
      ),
      categories: nonEmpty([
        category && sub ? `${category} / ${sub}` : '',
        sub,
        category,
        field(r, 'Call type', 'Soort melding', 'callType'),
      ]),
      people: nonEmpty([
        field(r, 'Caller', 'Aanmelder', 'Caller name', 'Naam aanmelder'),
        field(r, 'Caller email', 'E-mail aanmelder'),
        field(r, 'Operator', 'Behandelaar'),
        personOf(r.caller),
      ]),
    };
  },
  local: (r) => {
    const d = (r.draft && typeof r.draft === 'object' ? r.draft : r) as Row;
    return {
      ref: field(r, 'id'),
      text: firstUserLine(d.transcript) || joined(field(d, 'description')) || joined(field(d, 'title')),
      categories: nonEmpty([field(r, 'relabelled'), field(d, 'label')]),
      people: nonEmpty([personOf(d.requester)]),
    };
  },
  webhook: (r) => {
    const t = (r.ticket && typeof r.ticket === 'object' ? r.ticket : r) as Row;
    return {
      ref: field(r, 'reference', 'id'),
      text: firstUserLine(t.transcript) || joined(field(t, 'description')) || joined(field(t, 'title')),
      categories: nonEmpty([field(t, 'category'), field(t, 'type'), field(t, 'kind')]),
      people: nonEmpty([personOf(t.requester)]),
    };
  },
  labelled: (r) => {
    const label = field(r, 'label');
    const reason = field(r, 'oos_reason');
    return {
      ref: field(r, 'id'),
      text: field(r, 'text'),
      categories: nonEmpty([label === 'out_of_scope' ? `out_of_scope/${reason || 'other'}` : label]),
      people: [],
      ...(field(r, 'profile') ? { profile: field(r, 'profile') } : {}),
    };
  },
};

/** A person object's name and e-mail, space-separated (both are scrubbed). */
function personOf(v: unknown): string {
  if (!v || typeof v !== 'object') return '';
  const p = v as Row;
  return [p.name, p.displayName, p.dynamicName, p.email, p.emailAddress]
    .filter((x) => typeof x === 'string')
    .join('\n');
}

/** The person's first message in a conversation transcript: what the classifier reads. */
function firstUserLine(transcript: unknown): string {
  if (!Array.isArray(transcript)) return '';
  const first = transcript.find((t) => t && typeof t === 'object' && (t as Row).from === 'user');
  return typeof first?.text === 'string' ? plainText(first.text) : '';
}

/** Which export a record comes from, by the fields it has; null when none fits. */
export function detectFormat(row: Row): ExportFormat | null {
  const has = (...names: string[]) => names.every((n) => Object.keys(row).some((k) => key(k) === key(n)));
  if (has('text', 'label')) return 'labelled';
  if (row.draft && typeof row.draft === 'object') return 'local';
  if (row.event === 'ticket.create' || (row.ticket && typeof row.ticket === 'object')) return 'webhook';
  if (has('Issue key') || has('Summary') || (row.fields && typeof row.fields === 'object')) return 'jira';
  if (has('Brief description') || has('Korte omschrijving') || has('briefDescription')) return 'topdesk';
  if (has('Ticket ID', 'Subject') || has('description_text') || has('subject', 'type')) return 'freshdesk';
  if (has('label', 'title', 'description')) return 'local';
  return null;
}

/** The records of an export file: CSV, a JSON array (or Jira's `{issues: [...]}`), or JSON lines. */
export function parseRecords(content: string, fileName: string): Row[] {
  if (/\.csv$/i.test(fileName)) return parseCsv(content);
  const trimmed = content.trim();
  if (trimmed.startsWith('[') || (trimmed.startsWith('{') && /^\{\s*"(issues|tickets|incidents)"/.test(trimmed))) {
    try {
      const value = JSON.parse(trimmed) as unknown;
      const list = Array.isArray(value)
        ? value
        : ((value as Row).issues ?? (value as Row).tickets ?? (value as Row).incidents);
      if (Array.isArray(list)) return list as Row[];
    } catch {
      // Not one JSON document: read it as JSON lines below.
    }
  }
  return trimmed
    .split('\n')
    .map((line, i) => ({ line, i }))
    .filter(({ line }) => line.trim())
    .map(({ line, i }) => {
      try {
        return JSON.parse(line) as Row;
      } catch (error) {
        throw new LearnError('BAD_LINE', `${fileName}:${i + 1}: invalid JSON (${(error as Error).message})`);
      }
    });
}

/** Read an export: its format (given, or detected from the first record) and its tickets. */
export function readExport(
  content: string,
  fileName: string,
  format?: ExportFormat,
): { format: ExportFormat; rows: ImportRow[] } {
  const records = parseRecords(content, fileName);
  const first = records[0];
  const found = format ?? (first ? detectFormat(first) : null);
  if (!found)
    throw new LearnError(
      'BAD_FORMAT',
      `${fileName}: not a known export (give --format ${EXPORT_FORMATS.join('|')}); its fields: ${Object.keys(first ?? {}).join(', ')}`,
    );
  return { format: found, rows: records.map(readers[found]) };
}
