import { type InScopeLabel, LABELS, OOS_REASONS } from '../../../core/config/schema.ts';
import type { FiledTicket, Slots, TicketDraft } from '../../../core/types.ts';
import { blobOf, type FileReader } from '../files.ts';
import { basicAuth, call, type HttpSettings } from '../http.ts';
import { type TicketLabels, ticketSubject, ticketWiki } from '../render.ts';
import {
  attachmentsFailed,
  type Dedupe,
  externalRef,
  kindWord,
  type RelabelResult,
  TicketError,
  type TicketKind,
  type TicketSink,
  type TicketStatus,
} from '../sink.ts';

/** The Jira label of a kind: `triage-kind-incident`, `triage-kind-out_of_scope-hardware` (labels take no `/`). */
export function jiraKindLabel(kind: TicketKind): string {
  return `triage-kind-${kindWord(kind).replace('/', '-')}`;
}

/** Every kind's label, to take the earlier one off when a kind is corrected again. */
const KIND_LABELS = [
  ...LABELS.filter((l) => l !== 'out_of_scope').map((label) => jiraKindLabel({ label, oos_reason: null })),
  ...OOS_REASONS.map((r) => jiraKindLabel({ label: 'out_of_scope', oos_reason: r })),
];

export interface JiraSinkOptions {
  /** `https://yourcompany.atlassian.net` */
  baseUrl: string;
  /** Basic auth (Atlassian account e-mail and API token); or `token` alone as a Bearer personal access token (Data Center). */
  email?: string | undefined;
  token: string;
  serviceDeskId: string;
  /** Kind of request -> request type id. */
  requestTypes: Record<InScopeLabel, string>;
  /** Urgency -> priority name, when the request types show the priority field. */
  priority?: { high: string; normal: string } | undefined;
  /** Detail -> field id (`customfield_10050`), for fields on the request types. */
  customFields: Partial<Record<keyof Slots, string>>;
  /** A text field on every request type holding the external reference; without it no lookup. */
  externalRefField?: string | undefined;
  /** JQL search endpoint: Cloud `/rest/api/3/search/jql`, Data Center `/rest/api/2/search`. */
  searchPath: string;
  labels: TicketLabels;
  files: FileReader;
  http: HttpSettings;
}

/**
 * Jira Service Management: `POST /rest/servicedeskapi/request` with the request type of the kind;
 * screenshots go up as temporary files (`attachTemporaryFile`) and are then attached to the request.
 * With `externalRefField` set, a JQL search finds a request filed before under the same key.
 */
export class JiraTicketSink implements TicketSink {
  readonly name = 'jira';
  readonly dedupe: Dedupe;
  readonly readsStatus = true;
  private readonly base: string;

  constructor(private readonly options: JiraSinkOptions) {
    this.base = options.baseUrl.replace(/\/+$/, '');
    this.dedupe = options.externalRefField ? 'lookup' : 'none';
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    const o = this.options;
    return {
      authorization: o.email ? basicAuth(o.email, o.token) : `Bearer ${o.token}`,
      accept: 'application/json',
      ...extra,
    };
  }

  private json(method: string, path: string, body?: unknown) {
    return call(this.options.http, `${this.base}${path}`, {
      method,
      headers: this.headers(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  }

  private filed(key: string, links: unknown): FiledTicket {
    const web = (links as { web?: unknown } | undefined)?.web;
    return { id: key, url: typeof web === 'string' ? web : `${this.base}/browse/${key}` };
  }

  async findByKey(key: string): Promise<FiledTicket | null> {
    const field = this.options.externalRefField;
    if (!field) return null;
    const ref = externalRef(key);
    const number = /^customfield_(\d+)$/.exec(field)?.[1];
    const jql = `${number ? `cf[${number}]` : `"${field}"`} ~ "${ref}"`;
    const response = await this.json(
      'GET',
      `${this.options.searchPath}?jql=${encodeURIComponent(jql)}&fields=${encodeURIComponent(field)}&maxResults=5`,
    );
    const issues =
      (response.body as { issues?: { key?: string; fields?: Record<string, unknown> }[] } | null)?.issues ?? [];
    const hit = issues.find((i) => i.key && i.fields?.[field] === ref);
    if (!hit?.key) return null;
    const request = await this.json('GET', `/rest/servicedeskapi/request/${encodeURIComponent(hit.key)}`);
    return this.filed(hit.key, (request.body as { _links?: unknown } | null)?._links);
  }

  async create(draft: TicketDraft): Promise<FiledTicket> {
    const earlier = await this.findByKey(draft.idempotencyKey);
    if (earlier) {
      await this.addAttachments(earlier, draft);
      return earlier;
    }
    const o = this.options;
    const values: Record<string, unknown> = {
      summary: ticketSubject(draft, o.labels).replace(/\s+/g, ' ').slice(0, 254),
      // Service Management renders the description as wiki markup: what the person typed is escaped.
      description: ticketWiki(draft, o.labels),
    };
    if (o.priority) values.priority = { name: draft.priority === 'high' ? o.priority.high : o.priority.normal };
    for (const [slot, field] of Object.entries(o.customFields)) {
      const value = draft.slots[slot as keyof Slots];
      if (field && value) values[field] = value;
    }
    if (o.externalRefField) values[o.externalRefField] = externalRef(draft.idempotencyKey);
    const response = await this.json('POST', '/rest/servicedeskapi/request', {
      serviceDeskId: o.serviceDeskId,
      requestTypeId: o.requestTypes[draft.label],
      requestFieldValues: values,
    });
    const body = response.body as { issueKey?: string; _links?: unknown } | null;
    if (!body?.issueKey)
      throw new TicketError('UNAVAILABLE', 'jira: answer without an issue key', { system: this.name });
    const filed = this.filed(body.issueKey, body._links);
    try {
      await this.addAttachments(filed, draft);
    } catch (error) {
      // The ticket exists: only the files are retried, never the ticket.
      throw attachmentsFailed(this.name, 'request', filed, error);
    }
    return filed;
  }

  /** Temporary files first, then one call attaching them to the request; names already there are skipped. */
  async addAttachments(ticket: FiledTicket, draft: TicketDraft): Promise<void> {
    const files = await this.options.files(draft);
    if (files.length === 0) return;
    const key = encodeURIComponent(ticket.id);
    const existing = await this.json('GET', `/rest/servicedeskapi/request/${key}/attachment`);
    const have = new Set(
      ((existing.body as { values?: { filename?: string }[] })?.values ?? []).map((a) => a.filename),
    );
    const missing = files.filter((f) => !have.has(f.name));
    if (missing.length === 0) return;
    const form = new FormData();
    for (const f of missing) form.append('file', blobOf(f), f.name);
    const temporary = await call(
      this.options.http,
      `${this.base}/rest/servicedeskapi/servicedesk/${encodeURIComponent(this.options.serviceDeskId)}/attachTemporaryFile`,
      {
        method: 'POST',
        headers: this.headers({ 'X-Atlassian-Token': 'no-check', 'X-ExperimentalApi': 'opt-in' }),
        body: form,
      },
    );
    const ids = (
      (temporary.body as { temporaryAttachments?: { temporaryAttachmentId?: string }[] })?.temporaryAttachments ?? []
    )
      .map((t) => t.temporaryAttachmentId)
      .filter((id): id is string => typeof id === 'string');
    await this.json('POST', `/rest/servicedeskapi/request/${key}/attachment`, {
      temporaryAttachmentIds: ids,
      public: true,
    });
  }

  /**
   * The corrected kind as a label on the issue (`PUT /rest/api/{2,3}/issue/{key}`, the other kinds'
   * labels taken off in the same call): a request type cannot be changed through the API once filed,
   * a label can, and JQL and queues can filter on it.
   */
  async relabel(ticket: FiledTicket, kind: TicketKind): Promise<RelabelResult> {
    const version = this.options.searchPath.includes('/api/3/') ? 3 : 2;
    const add = jiraKindLabel(kind);
    await this.json('PUT', `/rest/api/${version}/issue/${encodeURIComponent(ticket.id)}`, {
      update: {
        labels: [...KIND_LABELS.filter((l) => l !== add).map((remove) => ({ remove })), { add }],
      },
    });
    return 'updated';
  }

  async status(ticket: FiledTicket): Promise<TicketStatus> {
    try {
      const response = await this.json('GET', `/rest/servicedeskapi/request/${encodeURIComponent(ticket.id)}`);
      const current = (response.body as { currentStatus?: { status?: string; statusCategory?: string } } | null)
        ?.currentStatus;
      if (!current) return 'unknown';
      if (current.statusCategory === 'DONE') return /closed|cancel/i.test(current.status ?? '') ? 'closed' : 'resolved';
      if (/waiting for customer|pending/i.test(current.status ?? '')) return 'pending';
      return 'open';
    } catch (error) {
      if (error instanceof TicketError && error.code === 'NOT_FOUND') return 'unknown';
      throw error;
    }
  }
}
