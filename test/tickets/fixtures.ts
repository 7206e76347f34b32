import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../adapters/config/load.ts';
import { FileBlobStore } from '../../adapters/files/blobs.ts';
import { createSink } from '../../adapters/tickets/factory.ts';
import type { LocalTicketStore } from '../../adapters/tickets/local/store.ts';
import { externalRef, type TicketSink } from '../../adapters/tickets/sink.ts';
import { type Config, configSchema } from '../../core/config/schema.ts';
import type { TicketDraft } from '../../core/types.ts';
import { FakeFreshdesk } from '../fakes/freshdesk.ts';
import type { Fault } from '../fakes/http.ts';
import { FakeJira } from '../fakes/jira.ts';
import { FakeSmtp } from '../fakes/smtp.ts';
import { FakeTopdesk } from '../fakes/topdesk.ts';
import { FakeWebhookReceiver } from '../fakes/webhook.ts';

/** A PNG's first bytes: enough for a "screenshot". */
export const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4]);

/** A ticket as it arrived at the helpdesk. */
export interface Received {
  /** What the helpdesk could merge repeats on (ticket id, Message-ID). */
  identity: string;
  text: string;
  files: string[];
}

export type FaultKind = 'unavailable' | 'rate_limited' | 'rejected' | 'auth';

/** One adapter against its helpdesk (a fake on loopback, a real SMTP server, or the disk). */
export interface SinkFixture {
  sink: TicketSink;
  dataDir: string;
  blobs: FileBlobStore;
  /** Every copy the helpdesk holds of the ticket filed under this key. */
  received(key: string): Promise<Received[]>;
  /** The helpdesk takes the next ticket but its answer never arrives (undefined: the system has no wire). */
  loseNextAnswer?(): void;
  /** The next `times` requests fail this way. */
  fail?(kind: FaultKind, times?: number): void;
  /** The helpdesk is down (every request fails as unavailable) until `up()`. */
  down?(): void;
  up?(): void;
  /** Requests (or SMTP messages) the helpdesk saw. */
  calls(): number;
  close(): Promise<void>;
}

let academy: Config | null = null;

/** A fresh temporary data folder (not from ../helpers.ts: the bench imports these fixtures outside vitest). */
function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'triage-tickets-'));
}

/** The shipped academy config with another `tickets:` section. */
export function withTickets(raw: unknown, base: Config = (academy ??= loadConfig({ profile: 'academy' }))): Config {
  return { ...base, tickets: configSchema.shape.tickets.parse(raw) };
}

/** A plain draft as the core files one (no files), with what a test needs changed. */
export function ticketDraft(over: Partial<TicketDraft> = {}): TicketDraft {
  return {
    idempotencyKey: `k-${Math.random()}`,
    conversation: 'c1',
    requester: { id: 'u1', name: 'Lien Baert', email: 'lien@example.org' },
    label: 'incident',
    title: 'Foutmelding bij opslaan',
    description: 'Foutmelding bij opslaan',
    slots: {},
    attachments: [],
    lang: 'nl',
    urgent: false,
    priority: 'normal',
    multiSubject: false,
    missing: [],
    handoff: false,
    transcript: [],
    createdAt: '2026-11-24T09:00:00.000Z',
    ...over,
  };
}

/** A draft like the core files, with a stored screenshot. */
export async function draftFor(
  blobs: FileBlobStore,
  key: string,
  over: Partial<TicketDraft> = {},
): Promise<TicketDraft> {
  const ref = await blobs.put(PNG);
  return {
    idempotencyKey: key,
    conversation: key.split('#')[0] ?? key,
    requester: { id: 'U123', name: 'An Peeters', email: 'an@academy.example' },
    label: 'incident',
    title: '[AKW] Rapporten: lege pdf bij afdrukken',
    description: 'Rapporten afdrukken geeft een lege pdf sinds vanmorgen, voor Lotte Peeters.',
    slots: { academy: 'AKW', screen: 'rapporten', student: 'Lotte Peeters' },
    attachments: [{ name: 'scherm.png', contentType: 'image/png', size: PNG.byteLength, ref }],
    lang: 'nl',
    urgent: false,
    priority: 'normal',
    multiSubject: false,
    missing: [],
    handoff: false,
    transcript: [{ from: 'user', text: 'Rapporten afdrukken geeft een lege pdf', at: '2026-11-24T09:00:00.000Z' }],
    createdAt: '2026-11-24T09:00:00.000Z',
    ...over,
  };
}

const HTTP_FAULTS: Record<FaultKind, Fault> = {
  unavailable: { status: 503, body: 'Service Unavailable' },
  rate_limited: { status: 429, headers: { 'retry-after': '7' }, body: { message: 'Rate limit exceeded' } },
  rejected: { status: 400, body: { errorMessage: 'Refused', message: 'Refused' } },
  auth: { status: 401, body: { message: 'Unauthorized' } },
};

function httpFaults(http: {
  fail(n: number, f: Fault): void;
  loseNextAnswer(): void;
  down: Fault | null;
  requests: unknown[];
}) {
  return {
    loseNextAnswer: () => http.loseNextAnswer(),
    fail: (kind: FaultKind, times = 1) => http.fail(times, HTTP_FAULTS[kind]),
    down: () => {
      http.down = HTTP_FAULTS.unavailable;
    },
    up: () => {
      http.down = null;
    },
    calls: () => http.requests.length,
  };
}

export async function localFixture(): Promise<SinkFixture> {
  const dataDir = tempDir();
  const blobs = new FileBlobStore(dataDir);
  const sink = createSink(withTickets({ adapter: 'local' }), { dataDir, blobs }) as LocalTicketStore;
  let calls = 0;
  const counted: TicketSink = new Proxy(sink, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      return typeof value === 'function' && ['create', 'addAttachments'].includes(String(prop))
        ? (...args: unknown[]) => {
            calls++;
            return value.apply(target, args);
          }
        : value;
    },
  });
  return {
    sink: counted,
    dataDir,
    blobs,
    async received(key) {
      return (await sink.list())
        .filter((t) => t.draft.idempotencyKey === key)
        .map((t) => ({
          identity: t.id,
          text: `${t.draft.title}\n${t.draft.description}\n${Object.values(t.draft.slots).join('\n')}`,
          files: t.draft.attachments.map((a) => a.name),
        }));
    },
    calls: () => calls,
    close: async () => {},
  };
}

export async function emailFixture(): Promise<SinkFixture & { smtp: FakeSmtp }> {
  const smtp = await new FakeSmtp().start();
  const dataDir = tempDir();
  const blobs = new FileBlobStore(dataDir);
  const config = withTickets({
    adapter: 'email',
    email: {
      to: 'helpdesk@academiesoftware.example',
      from: 'triage@academiesoftware.example',
      host: '127.0.0.1',
      port: smtp.port,
      require_tls: false,
    },
    delivery: { timeout_seconds: 5 },
  });
  const env = { TRIAGE_SMTP_USER: smtp.user, TRIAGE_SMTP_PASSWORD: smtp.password };
  const sink = createSink(config, { dataDir, blobs, env });
  const reference = (key: string) => `<${externalRef(key)}@academiesoftware.example>`;
  const codes: Record<FaultKind, number> = { unavailable: 451, rate_limited: 421, rejected: 554, auth: 535 };
  return {
    smtp,
    sink,
    dataDir,
    blobs,
    async received(key) {
      const id = reference(key);
      return smtp.mails
        .filter((m) => m.messageId === id || (Array.isArray(m.references) ? m.references : [m.references]).includes(id))
        .map((m) => ({
          identity: m.messageId === id ? id : `${id} (follow-up)`,
          text: `${m.subject}\n${m.text}`,
          files: m.attachments.map((a) => a.filename ?? ''),
        }));
    },
    loseNextAnswer: () => smtp.faults.push({ keepThenFail: true }),
    fail: (kind, times = 1) => {
      for (let i = 0; i < times; i++) smtp.faults.push({ code: codes[kind] });
    },
    down: () => {
      smtp.down = { code: 451 };
    },
    up: () => {
      smtp.down = null;
    },
    calls: () => smtp.attempts,
    close: async () => {
      await sink.close?.();
      await smtp.stop();
    },
  };
}

export async function webhookFixture(): Promise<SinkFixture & { receiver: FakeWebhookReceiver }> {
  const receiver = new FakeWebhookReceiver();
  await receiver.http.start();
  const dataDir = tempDir();
  const blobs = new FileBlobStore(dataDir);
  const config = withTickets({
    adapter: 'webhook',
    webhook: { url: `${receiver.http.url}/hook`, status_url: `${receiver.http.url}/tickets/{id}` },
    delivery: { timeout_seconds: 5 },
  });
  const sink = createSink(config, { dataDir, blobs, env: { TRIAGE_WEBHOOK_SECRET: receiver.secret } });
  return {
    receiver,
    sink,
    dataDir,
    blobs,
    async received(key) {
      return receiver.tickets
        .filter((t) => t.key === key)
        .map((t) => ({
          identity: t.id,
          text: `${t.body.ticket.title}\n${t.body.ticket.description}\n${Object.values(t.body.ticket.slots as object).join('\n')}`,
          files: t.attachments,
        }));
    },
    ...httpFaults(receiver.http),
    close: () => receiver.http.stop(),
  };
}

export async function freshdeskFixture(externalRefSetting = 'tag'): Promise<SinkFixture & { fake: FakeFreshdesk }> {
  const fake = new FakeFreshdesk();
  await fake.http.start();
  const dataDir = tempDir();
  const blobs = new FileBlobStore(dataDir);
  const config = withTickets({
    adapter: 'freshdesk',
    freshdesk: { url: fake.http.url, custom_fields: { academy: 'cf_academy' }, external_ref: externalRefSetting },
    delivery: { timeout_seconds: 5 },
  });
  const sink = createSink(config, { dataDir, blobs, env: { FRESHDESK_API_KEY: fake.apiKey } });
  return {
    fake,
    sink,
    dataDir,
    blobs,
    async received(key) {
      const ref = externalRef(key);
      return fake.tickets
        .filter((t) => t.tags.includes(ref) || Object.values(t.custom_fields).includes(ref))
        .map((t) => ({
          identity: String(t.id),
          text: `${t.subject}\n${t.description}\n${Object.values(t.custom_fields).join('\n')}`,
          files: t.attachments.map((a) => a.name),
        }));
    },
    ...httpFaults(fake.http),
    close: () => fake.http.stop(),
  };
}

export async function jiraFixture(): Promise<SinkFixture & { fake: FakeJira }> {
  const fake = new FakeJira();
  await fake.http.start();
  const dataDir = tempDir();
  const blobs = new FileBlobStore(dataDir);
  const config = withTickets({
    adapter: 'jira',
    jira: {
      url: fake.http.url,
      service_desk_id: 1,
      request_types: { question: 11, incident: 12, change: 13, complaint: 14 },
      custom_fields: { academy: 'customfield_10050' },
      external_ref_field: 'customfield_10099',
    },
    delivery: { timeout_seconds: 5 },
  });
  const sink = createSink(config, { dataDir, blobs, env: { JIRA_EMAIL: fake.email, JIRA_API_TOKEN: fake.token } });
  return {
    fake,
    sink,
    dataDir,
    blobs,
    async received(key) {
      const ref = externalRef(key);
      return fake.requests
        .filter((r) => r.fields.customfield_10099 === ref)
        .map((r) => ({
          identity: r.key,
          text: `${r.fields.summary}\n${r.fields.description}\n${r.fields.customfield_10050 ?? ''}`,
          files: r.attachments,
        }));
    },
    ...httpFaults(fake.http),
    close: () => fake.http.stop(),
  };
}

export async function topdeskFixture(): Promise<SinkFixture & { fake: FakeTopdesk }> {
  const fake = new FakeTopdesk();
  await fake.http.start();
  const dataDir = tempDir();
  const blobs = new FileBlobStore(dataDir);
  const config = withTickets({
    adapter: 'topdesk',
    topdesk: {
      url: fake.http.url,
      categories: {
        question: { category: 'Vraag' },
        incident: { category: 'Storing' },
        change: { category: 'Wijziging' },
        complaint: { category: 'Klacht' },
      },
      optional_fields: { academy: 'text1' },
    },
    delivery: { timeout_seconds: 5 },
  });
  const sink = createSink(config, {
    dataDir,
    blobs,
    env: { TOPDESK_USERNAME: fake.user, TOPDESK_APP_PASSWORD: fake.password },
  });
  return {
    fake,
    sink,
    dataDir,
    blobs,
    async received(key) {
      const ref = externalRef(key);
      return fake.incidents
        .filter((i) => i.body.externalNumber === ref)
        .map((i) => ({
          identity: i.number,
          text: `${i.body.briefDescription}\n${i.body.request}\n${Object.values((i.body.optionalFields1 as object) ?? {}).join('\n')}`,
          files: i.attachments,
        }));
    },
    ...httpFaults(fake.http),
    close: () => fake.http.stop(),
  };
}

/** Every adapter, by name, as the contract suite runs them. */
export const FIXTURES: Record<string, () => Promise<SinkFixture>> = {
  local: localFixture,
  email: emailFixture,
  webhook: webhookFixture,
  freshdesk: freshdeskFixture,
  jira: jiraFixture,
  topdesk: topdeskFixture,
};
