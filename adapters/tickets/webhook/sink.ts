import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FiledTicket, TicketDraft } from '../../../core/types.ts';
import type { FileReader, TicketFile } from '../files.ts';
import { call, type HttpSettings } from '../http.ts';
import { type TicketLabels, ticketMarkdown } from '../render.ts';
import {
  kindWord,
  type RelabelResult,
  referenceNumber,
  TicketError,
  type TicketKind,
  type TicketSink,
  type TicketStatus,
} from '../sink.ts';

/** Header names of a signed webhook call. */
export const WEBHOOK_HEADERS = {
  timestamp: 'x-triage-timestamp',
  signature: 'x-triage-signature',
  idempotencyKey: 'idempotency-key',
} as const;

/**
 * `v1=` + hex HMAC-SHA256(secret, `v1:{timestamp}:{METHOD}:{path and query}:{raw body}`): the method
 * and path are signed too, so a signed status read cannot be replayed as a ticket.
 */
export function signWebhook(secret: string, timestamp: number, method: string, path: string, body: string): string {
  const base = `v1:${timestamp}:${method.toUpperCase()}:${path}:${body}`;
  return `v1=${createHmac('sha256', secret).update(base).digest('hex')}`;
}

/** A signed call as a receiver sees it. */
export interface SignedCall {
  timestamp: string | undefined;
  signature: string | undefined;
  method: string;
  path: string;
  body: string;
}

/** For receivers: throws when the signature is wrong or the timestamp is more than `toleranceS` away from `nowMs`. */
export function verifyWebhook(secret: string, signed: SignedCall, nowMs: number, toleranceS = 300): void {
  const ts = Number(signed.timestamp);
  if (!signed.timestamp || !Number.isInteger(ts)) throw new Error('missing or malformed timestamp');
  if (Math.abs(nowMs / 1000 - ts) > toleranceS) throw new Error('timestamp too old or in the future');
  const expected = Buffer.from(signWebhook(secret, ts, signed.method, signed.path, signed.body));
  const given = Buffer.from(signed.signature ?? '');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new Error('signature mismatch');
}

/** For receivers: the boolean twin of `verifyWebhook`. */
export function isValidWebhook(secret: string, signed: SignedCall, nowMs: number, toleranceS = 300): boolean {
  try {
    verifyWebhook(secret, signed, nowMs, toleranceS);
    return true;
  } catch {
    return false;
  }
}

export interface WebhookSinkOptions {
  url: string;
  /** `{id}` is replaced by the ticket id; without it, status reads answer `unknown`. */
  statusUrl?: string | undefined;
  secret: string;
  prefix: string;
  files: FileReader;
  http: HttpSettings;
  /** With labels, the payload also carries the whole ticket as escaped Markdown (`description_markdown`). */
  labels?: TicketLabels;
  clock?: () => number;
}

function filesJson(files: TicketFile[]) {
  return files.map((f) => ({
    name: f.name,
    content_type: f.contentType,
    size: f.bytes.byteLength,
    data_base64: Buffer.from(f.bytes).toString('base64'),
  }));
}

/**
 * Files a ticket as a signed JSON POST, so any system can take tickets. The receiver answers
 * `{"id": "...", "url": "..."}` (2xx) and must answer the same ticket for a repeated `Idempotency-Key`.
 */
export class WebhookTicketSink implements TicketSink {
  readonly name = 'webhook';
  readonly dedupe = 'receiver';
  readonly readsStatus: boolean;

  constructor(private readonly options: WebhookSinkOptions) {
    this.readsStatus = Boolean(options.statusUrl);
  }

  private async send(method: 'POST' | 'GET', url: string, key: string, payload?: object) {
    const body = payload ? JSON.stringify(payload) : '';
    const timestamp = Math.floor((this.options.clock ?? Date.now)() / 1000);
    const target = new URL(url);
    const headers: Record<string, string> = {
      [WEBHOOK_HEADERS.timestamp]: String(timestamp),
      [WEBHOOK_HEADERS.signature]: signWebhook(
        this.options.secret,
        timestamp,
        method,
        target.pathname + target.search,
        body,
      ),
      accept: 'application/json',
    };
    if (key) headers[WEBHOOK_HEADERS.idempotencyKey] = key;
    if (payload) headers['content-type'] = 'application/json';
    return call(this.options.http, url, { method, headers, ...(payload ? { body } : {}) });
  }

  async create(draft: TicketDraft): Promise<FiledTicket> {
    const reference = referenceNumber(this.options.prefix, draft.idempotencyKey);
    const files = await this.options.files(draft);
    const { transcript, requester, attachments: _a, idempotencyKey, conversation: _c, ...rest } = draft;
    const response = await this.send('POST', this.options.url, idempotencyKey, {
      event: 'ticket.create',
      idempotency_key: idempotencyKey,
      reference,
      ticket: {
        kind: rest.label,
        title: rest.title,
        description: rest.description,
        ...(this.options.labels ? { description_markdown: ticketMarkdown(draft, this.options.labels, reference) } : {}),
        priority: rest.priority,
        urgent: rest.urgent,
        lang: rest.lang,
        slots: rest.slots,
        missing: rest.missing,
        handoff: rest.handoff,
        multi_subject: rest.multiSubject,
        created_at: rest.createdAt,
        requester,
        transcript,
        attachments: filesJson(files),
        attachments_not_sent: draft.attachments.filter((a) => !a.ref).map((a) => ({ name: a.name, url: a.url })),
      },
    });
    const body = (response.body ?? {}) as { id?: unknown; url?: unknown };
    const id = typeof body.id === 'string' || typeof body.id === 'number' ? String(body.id) : reference;
    return { id, ...(typeof body.url === 'string' ? { url: body.url } : {}) };
  }

  async addAttachments(ticket: FiledTicket, draft: TicketDraft): Promise<void> {
    const files = await this.options.files(draft);
    if (files.length === 0) return;
    await this.send('POST', this.options.url, `${draft.idempotencyKey}#files`, {
      event: 'ticket.attachments',
      idempotency_key: `${draft.idempotencyKey}#files`,
      ticket_id: ticket.id,
      attachments: filesJson(files),
    });
  }

  /**
   * A `ticket.relabelled` event: the ticket's id and the corrected kind (`kind` as one word, `label` and
   * `oos_reason` apart). The idempotency key names the ticket and the kind, so a repeat is the same event.
   */
  async relabel(ticket: FiledTicket, kind: TicketKind): Promise<RelabelResult> {
    const word = kindWord(kind);
    const key = `relabel:${ticket.id}:${word}`;
    await this.send('POST', this.options.url, key, {
      event: 'ticket.relabelled',
      idempotency_key: key,
      ticket_id: ticket.id,
      kind: word,
      label: kind.label,
      oos_reason: kind.oos_reason,
    });
    return 'updated';
  }

  async status(ticket: FiledTicket): Promise<TicketStatus> {
    if (!this.options.statusUrl) return 'unknown';
    const url = this.options.statusUrl.replace('{id}', encodeURIComponent(ticket.id));
    try {
      const response = await this.send('GET', url, '');
      const status = (response.body as { status?: unknown } | null)?.status;
      return status === 'open' || status === 'pending' || status === 'resolved' || status === 'closed'
        ? status
        : 'unknown';
    } catch (error) {
      if (error instanceof TicketError && error.code === 'NOT_FOUND') return 'unknown';
      throw error;
    }
  }
}
