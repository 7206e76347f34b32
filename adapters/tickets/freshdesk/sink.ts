import type { InScopeLabel } from '../../../core/config/schema.ts';
import type { FiledTicket, Slots, TicketDraft } from '../../../core/types.ts';
import { blobOf, type FileReader, type TicketFile } from '../files.ts';
import { basicAuth, call, type HttpSettings } from '../http.ts';
import { requesterEmail, requesterName, type TicketLabels, ticketHtml, ticketSubject } from '../render.ts';
import {
  type Dedupe,
  externalRef,
  type RelabelResult,
  TicketError,
  type TicketKind,
  type TicketSink,
  type TicketStatus,
} from '../sink.ts';

export interface FreshdeskSinkOptions {
  /** `https://yourcompany.freshdesk.com` */
  baseUrl: string;
  apiKey: string;
  /** Kind of request -> Freshdesk ticket type (a kind left out files without a type). */
  types: Partial<Record<InScopeLabel, string>>;
  /** 1 low, 2 medium, 3 high, 4 urgent. */
  priority: { high: number; normal: number };
  /** 7 chat (Freshdesk's source ids). */
  source: number;
  tags: string[];
  groupId?: number | undefined;
  /** Detail -> custom field (`cf_academy`). */
  customFields: Partial<Record<keyof Slots, string>>;
  /** Where the external reference goes: a tag (no setup), a custom text field, or nowhere (no lookup). */
  externalRef: { kind: 'tag' } | { kind: 'field'; field: string } | { kind: 'none' };
  labels: TicketLabels;
  files: FileReader;
  http: HttpSettings;
}

const STATUS: Record<number, TicketStatus> = { 2: 'open', 3: 'pending', 4: 'resolved', 5: 'closed' };

/**
 * Freshdesk API v2: `POST /api/v2/tickets` (JSON, or multipart with `attachments[]`), API key as the
 * Basic-auth user. Before creating, the adapter searches the ticket's external reference (a tag or a
 * custom field), so a create repeated after a lost answer finds the first ticket.
 */
export class FreshdeskTicketSink implements TicketSink {
  readonly name = 'freshdesk';
  readonly dedupe: Dedupe;
  readonly readsStatus = true;
  private readonly base: string;

  constructor(private readonly options: FreshdeskSinkOptions) {
    this.base = options.baseUrl.replace(/\/+$/, '');
    this.dedupe = options.externalRef.kind === 'none' ? 'none' : 'lookup';
  }

  private headers(json: boolean): Record<string, string> {
    return {
      authorization: basicAuth(this.options.apiKey, 'X'),
      accept: 'application/json',
      ...(json ? { 'content-type': 'application/json' } : {}),
    };
  }

  private filed(id: unknown): FiledTicket {
    return { id: String(id), url: `${this.base}/support/tickets/${id}` };
  }

  /** The ticket filed earlier under this key, found through the filter API. */
  async findByKey(key: string): Promise<FiledTicket | null> {
    const ref = externalRef(key);
    const where = this.options.externalRef;
    if (where.kind === 'none') return null;
    const query = where.kind === 'tag' ? `"tag:'${ref}'"` : `"${where.field}:'${ref}'"`;
    const response = await call(
      this.options.http,
      `${this.base}/api/v2/search/tickets?query=${encodeURIComponent(query)}`,
      {
        method: 'GET',
        headers: this.headers(false),
      },
    );
    const results = (response.body as { results?: { id?: unknown }[] } | null)?.results ?? [];
    const first = results.find((r) => r.id !== undefined);
    return first ? this.filed(first.id) : null;
  }

  private fields(draft: TicketDraft): Record<string, unknown> {
    const o = this.options;
    const email = requesterEmail(draft);
    const name = requesterName(draft);
    const requester: Record<string, string> = email
      ? { email }
      : draft.slots.phone
        ? { phone: draft.slots.phone, name: name ?? draft.requester.id }
        : { unique_external_id: `triage:${draft.requester.id}`, name: name ?? draft.requester.id };
    if (email && name) requester.name = name;
    const ref = externalRef(draft.idempotencyKey);
    const custom: Record<string, string> = {};
    for (const [slot, field] of Object.entries(o.customFields)) {
      const value = draft.slots[slot as keyof Slots];
      if (field && value) custom[field] = value;
    }
    if (o.externalRef.kind === 'field') custom[o.externalRef.field] = ref;
    const type = o.types[draft.label];
    return {
      ...requester,
      subject: ticketSubject(draft, o.labels).slice(0, 255),
      description: ticketHtml(draft, o.labels),
      status: 2,
      priority: draft.priority === 'high' ? o.priority.high : o.priority.normal,
      source: o.source,
      ...(type ? { type } : {}),
      ...(o.groupId !== undefined ? { group_id: o.groupId } : {}),
      tags: [...o.tags, ...(o.externalRef.kind === 'tag' ? [ref] : [])],
      ...(Object.keys(custom).length > 0 ? { custom_fields: custom } : {}),
    };
  }

  /** Freshdesk's multipart form: arrays as `name[]`, custom fields as `custom_fields[cf_x]`. */
  private form(fields: Record<string, unknown>, files: TicketFile[]): FormData {
    const form = new FormData();
    for (const [key, value] of Object.entries(fields)) {
      if (Array.isArray(value)) for (const v of value) form.append(`${key}[]`, String(v));
      else if (value && typeof value === 'object')
        for (const [k, v] of Object.entries(value)) form.append(`${key}[${k}]`, String(v));
      else form.append(key, String(value));
    }
    for (const f of files) form.append('attachments[]', blobOf(f), f.name);
    return form;
  }

  async create(draft: TicketDraft): Promise<FiledTicket> {
    const earlier = await this.findByKey(draft.idempotencyKey);
    if (earlier) return earlier;
    const files = await this.options.files(draft);
    const fields = this.fields(draft);
    const response = await call(this.options.http, `${this.base}/api/v2/tickets`, {
      method: 'POST',
      headers: this.headers(files.length === 0),
      body: files.length === 0 ? JSON.stringify(fields) : this.form(fields, files),
    });
    const id = (response.body as { id?: unknown } | null)?.id;
    if (id === undefined)
      throw new TicketError('UNAVAILABLE', 'freshdesk: answer without a ticket id', { system: this.name });
    return this.filed(id);
  }

  /** `PUT /api/v2/tickets/{id}` with the files the ticket does not hold yet (by name). */
  async addAttachments(ticket: FiledTicket, draft: TicketDraft): Promise<void> {
    const files = await this.options.files(draft);
    if (files.length === 0) return;
    const current = await call(this.options.http, `${this.base}/api/v2/tickets/${encodeURIComponent(ticket.id)}`, {
      method: 'GET',
      headers: this.headers(false),
    });
    const have = new Set(
      ((current.body as { attachments?: { name?: string }[] })?.attachments ?? []).map((a) => a.name),
    );
    const missing = files.filter((f) => !have.has(f.name));
    if (missing.length === 0) return;
    await call(this.options.http, `${this.base}/api/v2/tickets/${encodeURIComponent(ticket.id)}`, {
      method: 'PUT',
      headers: this.headers(false),
      body: this.form({}, missing),
    });
  }

  /** `PUT /api/v2/tickets/{id}` with the ticket type mapped to the kind (`types`); a kind without a type is `unmapped`. */
  async relabel(ticket: FiledTicket, kind: TicketKind): Promise<RelabelResult> {
    const type = kind.label === 'out_of_scope' ? undefined : this.options.types[kind.label];
    if (!type) return 'unmapped';
    await call(this.options.http, `${this.base}/api/v2/tickets/${encodeURIComponent(ticket.id)}`, {
      method: 'PUT',
      headers: this.headers(true),
      body: JSON.stringify({ type }),
    });
    return 'updated';
  }

  async status(ticket: FiledTicket): Promise<TicketStatus> {
    try {
      const response = await call(this.options.http, `${this.base}/api/v2/tickets/${encodeURIComponent(ticket.id)}`, {
        method: 'GET',
        headers: this.headers(false),
      });
      const status = (response.body as { status?: number } | null)?.status;
      return status === undefined ? 'unknown' : (STATUS[status] ?? 'open');
    } catch (error) {
      if (error instanceof TicketError && error.code === 'NOT_FOUND') return 'unknown';
      throw error;
    }
  }
}
