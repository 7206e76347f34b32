import { createTransport } from 'nodemailer';
import type { FiledTicket, TicketDraft } from '../../../core/types.ts';
import type { FileReader } from '../files.ts';
import { requesterEmail, requesterName, type TicketLabels, ticketHtml, ticketSubject, ticketText } from '../render.ts';
import { externalRef, referenceNumber, TicketError, type TicketSink, type TicketStatus } from '../sink.ts';

/** Where and how the ticket e-mails go. Credentials come from the environment (see the factory). */
export interface EmailSinkOptions {
  /** The helpdesk's ticket address. */
  to: string;
  /** The bot's sender address (its domain also names the Message-ID). */
  from: string;
  smtp: {
    host: string;
    port: number;
    /** TLS from the first byte (port 465); otherwise STARTTLS when the server offers it. */
    secure: boolean;
    /** Refuse to send when the server does not offer STARTTLS. */
    requireTLS?: boolean;
    user?: string;
    password?: string;
    timeoutMs: number;
  };
  /** Prefix of the reference number the person quotes (`HD-7K3M9Q2P`). */
  prefix: string;
  labels: TicketLabels;
  files: FileReader;
}

interface SmtpError extends Error {
  code?: string;
  responseCode?: number;
}

/** SMTP answers in 4xx are "try later", 5xx are final; 530/535 mean the login was refused. */
function toTicketError(error: unknown): TicketError {
  const e = error as SmtpError;
  const system = 'email';
  const said = `${e.code ?? 'error'}${e.responseCode ? ` ${e.responseCode}` : ''}`;
  if (e.code === 'EAUTH' || e.responseCode === 530 || e.responseCode === 535)
    return new TicketError('AUTH', `email: the SMTP server refused the login (${said})`, { system, cause: e });
  if (e.code === 'ENOAUTH' || e.code === 'ECONFIG')
    return new TicketError('CONFIG', `email: ${said}`, { system, cause: e });
  if (e.responseCode && e.responseCode >= 500)
    return new TicketError('REJECTED', `email: the SMTP server refused the message (${said})`, { system, cause: e });
  if (e.responseCode && e.responseCode >= 400)
    return new TicketError('UNAVAILABLE', `email: the SMTP server asked to try later (${said})`, { system, cause: e });
  return new TicketError('NETWORK', `email: no SMTP answer (${said})`, { system, cause: e });
}

/**
 * Files a ticket as an e-mail to the helpdesk's address: subject with the kind and title, a text and an
 * HTML part, screenshots attached, `Reply-To` the person. E-mail answers no ticket number, so the
 * person gets a reference derived from the idempotency key; a retry sends the same reference and the
 * same Message-ID, which mail-based ticket systems can use to merge a repeat (nothing guarantees it).
 */
export class EmailTicketSink implements TicketSink {
  readonly name = 'email';
  readonly dedupe = 'none';
  readonly readsStatus = false;
  private readonly transport;
  private readonly domain: string;

  constructor(private readonly options: EmailSinkOptions) {
    const { smtp } = options;
    // A pooled connection: setting up SMTP (greeting, TLS, login) costs more than sending a ticket.
    this.transport = createTransport({
      pool: true,
      maxConnections: 2,
      host: smtp.host,
      port: smtp.port,
      secure: smtp.secure,
      requireTLS: smtp.requireTLS ?? false,
      ...(smtp.user ? { auth: { user: smtp.user, pass: smtp.password ?? '' } } : {}),
      connectionTimeout: smtp.timeoutMs,
      greetingTimeout: smtp.timeoutMs,
      socketTimeout: smtp.timeoutMs,
      disableFileAccess: true,
      disableUrlAccess: true,
    });
    this.domain = options.from.split('@').pop()?.replace(/[>\s]/g, '') || 'triage.invalid';
  }

  private messageId(draft: TicketDraft, part = ''): string {
    return `<${externalRef(draft.idempotencyKey)}${part}@${this.domain}>`;
  }

  private replyTo(draft: TicketDraft) {
    const email = requesterEmail(draft);
    if (!email) return {};
    const name = requesterName(draft);
    return { replyTo: name ? { name, address: email } : email };
  }

  async create(draft: TicketDraft): Promise<FiledTicket> {
    const reference = referenceNumber(this.options.prefix, draft.idempotencyKey);
    const files = await this.options.files(draft);
    try {
      await this.transport.sendMail({
        from: this.options.from,
        to: this.options.to,
        ...this.replyTo(draft),
        subject: ticketSubject(draft, this.options.labels, reference),
        text: ticketText(draft, this.options.labels, reference),
        html: ticketHtml(draft, this.options.labels, reference),
        messageId: this.messageId(draft),
        priority: draft.priority === 'high' ? 'high' : 'normal',
        headers: { 'X-Triage-Reference': reference, 'X-Triage-Kind': draft.label },
        attachments: files.map((f) => ({
          filename: f.name,
          content: Buffer.from(f.bytes),
          contentType: f.contentType,
        })),
      });
    } catch (error) {
      throw toTicketError(error);
    }
    return { id: reference };
  }

  /** A follow-up mail in the same thread (In-Reply-To the ticket's first mail) carrying the files. */
  async addAttachments(ticket: FiledTicket, draft: TicketDraft): Promise<void> {
    const files = await this.options.files(draft);
    if (files.length === 0) return;
    try {
      await this.transport.sendMail({
        from: this.options.from,
        to: this.options.to,
        ...this.replyTo(draft),
        subject: `Re: ${ticketSubject(draft, this.options.labels, ticket.id)}`,
        text: `${ticket.id}: ${files.map((f) => f.name).join(', ')}\n`,
        messageId: this.messageId(draft, '.files'),
        inReplyTo: this.messageId(draft),
        references: [this.messageId(draft)],
        headers: { 'X-Triage-Reference': ticket.id },
        attachments: files.map((f) => ({
          filename: f.name,
          content: Buffer.from(f.bytes),
          contentType: f.contentType,
        })),
      });
    } catch (error) {
      throw toTicketError(error);
    }
  }

  async status(): Promise<TicketStatus> {
    return 'unknown';
  }

  async close(): Promise<void> {
    this.transport.close();
  }
}
