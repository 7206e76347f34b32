import type { InScopeLabel } from '../../../core/config/schema.ts';
import type { FiledTicket, Slots, TicketDraft } from '../../../core/types.ts';
import { blobOf, type FileReader } from '../files.ts';
import { basicAuth, call, type HttpSettings } from '../http.ts';
import { escapeHtml, requesterEmail, requesterName, type TicketLabels, ticketSubject, ticketText } from '../render.ts';
import {
  attachmentsFailed,
  externalRef,
  type RelabelResult,
  TicketError,
  type TicketKind,
  type TicketSink,
  type TicketStatus,
} from '../sink.ts';

/** A TOPdesk category (and subcategory) by name, as set up in the customer's TOPdesk. */
export interface TopdeskCategory {
  category?: string | undefined;
  subcategory?: string | undefined;
}

export interface TopdeskSinkOptions {
  /** `https://yourcompany.topdesk.net` */
  baseUrl: string;
  /** Operator login name and application password. */
  username: string;
  applicationPassword: string;
  categories: Partial<Record<InScopeLabel, TopdeskCategory>>;
  callTypes: Partial<Record<InScopeLabel, string>>;
  priority?: { high: string; normal: string } | undefined;
  entryType?: string | undefined;
  operatorGroup?: string | undefined;
  /** The registered person incidents fall back to when the requester is not found by e-mail. */
  defaultCallerId?: string | undefined;
  /** Detail -> free field of `optionalFields1` (`text1`..`text5`). */
  optionalFields: Partial<Record<keyof Slots, string>>;
  labels: TicketLabels;
  files: FileReader;
  http: HttpSettings;
}

/** FIQL string literal. */
function fiql(value: string): string {
  return `"${value.replace(/["\\]/g, '\\$&')}"`;
}

/**
 * TOPdesk incidents API (`/tas/api/incidents`), application-password Basic auth. The caller is looked
 * up by e-mail among registered persons (else the default caller, else an unregistered caller by
 * name); the kind of request picks the category. The external reference goes into the incident's
 * `externalNumber`, which is searched before creating, so a repeated create finds the first incident.
 */
export class TopdeskTicketSink implements TicketSink {
  readonly name = 'topdesk';
  readonly dedupe = 'lookup';
  readonly readsStatus = true;
  private readonly base: string;

  constructor(private readonly options: TopdeskSinkOptions) {
    this.base = `${options.baseUrl.replace(/\/+$/, '')}/tas/api`;
  }

  private headers(json: boolean): Record<string, string> {
    return {
      authorization: basicAuth(this.options.username, this.options.applicationPassword),
      accept: 'application/json',
      ...(json ? { 'content-type': 'application/json' } : {}),
    };
  }

  private get(path: string) {
    return call(this.options.http, `${this.base}${path}`, { method: 'GET', headers: this.headers(false) });
  }

  /** TOPdesk answers 204 No Content for an empty list. */
  private async list<T>(path: string): Promise<T[]> {
    const response = await this.get(path);
    return Array.isArray(response.body) ? (response.body as T[]) : [];
  }

  private filed(incident: { id?: string; number?: string }): FiledTicket {
    return {
      id: incident.number ?? '',
      ...(incident.id
        ? {
            url: `${this.options.baseUrl.replace(/\/+$/, '')}/tas/public/ssp/content/detail/incident?unid=${incident.id}`,
          }
        : {}),
    };
  }

  async findByKey(key: string): Promise<FiledTicket | null> {
    const query = `externalNumber==${fiql(externalRef(key))}`;
    const found = await this.list<{ id?: string; number?: string }>(
      `/incidents?query=${encodeURIComponent(query)}&fields=id,number,externalNumber`,
    );
    const hit = found.find((i) => i.number);
    return hit ? this.filed(hit) : null;
  }

  private async caller(draft: TicketDraft): Promise<Record<string, unknown>> {
    const email = requesterEmail(draft);
    if (email) {
      const persons = await this.list<{ id?: string }>(
        `/persons?query=${encodeURIComponent(`email==${fiql(email)}`)}&fields=id`,
      );
      if (persons[0]?.id) return { callerLookup: { id: persons[0].id } };
    }
    if (this.options.defaultCallerId) return { callerLookup: { id: this.options.defaultCallerId } };
    const name = requesterName(draft) ?? draft.requester.id;
    return {
      caller: {
        dynamicName: name.slice(0, 109),
        ...(email ? { email } : {}),
        ...(draft.slots.phone ? { phoneNumber: draft.slots.phone } : {}),
      },
    };
  }

  async create(draft: TicketDraft): Promise<FiledTicket> {
    const earlier = await this.findByKey(draft.idempotencyKey);
    if (earlier) {
      await this.addAttachments(earlier, draft);
      return earlier;
    }
    const o = this.options;
    const category = o.categories[draft.label];
    const callType = o.callTypes[draft.label];
    const optional: Record<string, string> = {};
    for (const [slot, field] of Object.entries(o.optionalFields)) {
      const value = draft.slots[slot as keyof Slots];
      if (field && value) optional[field] = value.slice(0, 100);
    }
    const body = {
      ...(await this.caller(draft)),
      briefDescription: ticketSubject(draft, o.labels).replace(/\s+/g, ' ').slice(0, 80),
      request: escapeHtml(ticketText(draft, o.labels)).replace(/\n/g, '<br>'),
      externalNumber: externalRef(draft.idempotencyKey),
      ...(category?.category ? { category: { name: category.category } } : {}),
      ...(category?.subcategory ? { subcategory: { name: category.subcategory } } : {}),
      ...(callType ? { callType: { name: callType } } : {}),
      ...(o.priority ? { priority: { name: draft.priority === 'high' ? o.priority.high : o.priority.normal } } : {}),
      ...(o.entryType ? { entryType: { name: o.entryType } } : {}),
      ...(o.operatorGroup ? { operatorGroup: { name: o.operatorGroup } } : {}),
      ...(Object.keys(optional).length > 0 ? { optionalFields1: optional } : {}),
    };
    const response = await call(o.http, `${this.base}/incidents`, {
      method: 'POST',
      headers: this.headers(true),
      body: JSON.stringify(body),
    });
    const incident = response.body as { id?: string; number?: string } | null;
    if (!incident?.number)
      throw new TicketError('UNAVAILABLE', 'topdesk: answer without an incident number', { system: this.name });
    const filed = this.filed(incident);
    try {
      await this.addAttachments(filed, draft);
    } catch (error) {
      // The ticket exists: only the files are retried, never the ticket.
      throw attachmentsFailed(this.name, 'incident', filed, error);
    }
    return filed;
  }

  /** One upload per file (`POST .../attachments`, form field `file`); names already there are skipped. */
  async addAttachments(ticket: FiledTicket, draft: TicketDraft): Promise<void> {
    const files = await this.options.files(draft);
    if (files.length === 0) return;
    const path = `/incidents/number/${encodeURIComponent(ticket.id)}/attachments`;
    const have = new Set((await this.list<{ fileName?: string }>(path)).map((a) => a.fileName));
    for (const f of files.filter((f) => !have.has(f.name))) {
      const form = new FormData();
      form.append('file', blobOf(f), f.name);
      await call(this.options.http, `${this.base}${path}`, {
        method: 'POST',
        headers: this.headers(false),
        body: form,
      });
    }
  }

  /**
   * `PATCH /incidents/number/{number}` with the category, subcategory and call type mapped to the kind;
   * a kind none of them is mapped to (out of scope) is `unmapped`.
   */
  async relabel(ticket: FiledTicket, kind: TicketKind): Promise<RelabelResult> {
    if (kind.label === 'out_of_scope') return 'unmapped';
    const category = this.options.categories[kind.label];
    const callType = this.options.callTypes[kind.label];
    const body = {
      ...(category?.category ? { category: { name: category.category } } : {}),
      ...(category?.subcategory ? { subcategory: { name: category.subcategory } } : {}),
      ...(callType ? { callType: { name: callType } } : {}),
    };
    if (Object.keys(body).length === 0) return 'unmapped';
    await call(this.options.http, `${this.base}/incidents/number/${encodeURIComponent(ticket.id)}`, {
      method: 'PATCH',
      headers: this.headers(true),
      body: JSON.stringify(body),
    });
    return 'updated';
  }

  async status(ticket: FiledTicket): Promise<TicketStatus> {
    try {
      const response = await this.get(`/incidents/number/${encodeURIComponent(ticket.id)}`);
      const incident = response.body as { closed?: boolean; completed?: boolean; onHold?: boolean } | null;
      if (!incident) return 'unknown';
      if (incident.closed) return 'closed';
      if (incident.completed) return 'resolved';
      if (incident.onHold) return 'pending';
      return 'open';
    } catch (error) {
      if (error instanceof TicketError && error.code === 'NOT_FOUND') return 'unknown';
      throw error;
    }
  }
}
