import type { Config, InScopeLabel } from '../../core/config/schema.ts';
import type { Slots } from '../../core/types.ts';
import { type BlobStore, FileBlobStore } from '../files/blobs.ts';
import { EmailTicketSink } from './email/sink.ts';
import { blobFiles } from './files.ts';
import { FreshdeskTicketSink } from './freshdesk/sink.ts';
import { secretFrom } from './http.ts';
import { JiraTicketSink } from './jira/sink.ts';
import { LocalTicketStore } from './local/store.ts';
import { fileOutbox, type Outbox } from './outbox/outbox.ts';
import { DEFAULT_POLICY, DeliveryWorker, type RetryPolicy, type WorkerLog } from './outbox/worker.ts';
import { labelsOf } from './render.ts';
import type { TicketSink } from './sink.ts';
import { TopdeskTicketSink } from './topdesk/sink.ts';
import { WebhookTicketSink } from './webhook/sink.ts';

/** What building a sink needs besides the config: where files are, the environment (secrets), test seams. */
export interface SinkDeps {
  dataDir: string;
  env?: NodeJS.ProcessEnv;
  blobs?: BlobStore;
  fetch?: typeof fetch;
}

type Defined<T> = { [K in keyof T]: Exclude<T[K], undefined> };

function defined<T extends object>(o: T): Partial<Defined<T>> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<Defined<T>>;
}

/**
 * The ticket sink the configuration names, with its secrets read from the environment. Throws at once
 * (a TicketError `CONFIG`) when a secret is missing, so a bot never starts with a sink that cannot work.
 */
export function createSink(config: Config, deps: SinkDeps): TicketSink {
  const t = config.tickets;
  const env = deps.env ?? process.env;
  const files = blobFiles(deps.blobs ?? new FileBlobStore(deps.dataDir));
  const labels = labelsOf(config);
  const http = (system: string) => ({
    system,
    timeoutMs: t.delivery.timeout_seconds * 1000,
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
  });
  switch (t.adapter) {
    case 'local':
      return new LocalTicketStore(deps.dataDir, config.ticket_prefix);
    case 'email': {
      const c = t.email!;
      const user = env[c.user_env];
      return new EmailTicketSink({
        to: c.to,
        from: c.from,
        smtp: {
          host: c.host,
          port: c.port,
          secure: c.secure,
          requireTLS: c.require_tls,
          ...(user ? { user, password: secretFrom(env, c.password_env, 'email') } : {}),
          timeoutMs: t.delivery.timeout_seconds * 1000,
        },
        prefix: config.ticket_prefix,
        labels,
        files,
      });
    }
    case 'webhook': {
      const c = t.webhook!;
      return new WebhookTicketSink({
        url: c.url,
        statusUrl: c.status_url,
        secret: secretFrom(env, c.secret_env, 'webhook'),
        prefix: config.ticket_prefix,
        files,
        labels,
        http: http('webhook'),
      });
    }
    case 'freshdesk': {
      const c = t.freshdesk!;
      return new FreshdeskTicketSink({
        baseUrl: c.url,
        apiKey: secretFrom(env, c.api_key_env, 'freshdesk'),
        types: defined(c.types) as Partial<Record<InScopeLabel, string>>,
        priority: c.priority,
        source: c.source,
        tags: c.tags,
        groupId: c.group_id,
        customFields: defined(c.custom_fields) as Partial<Record<keyof Slots, string>>,
        externalRef:
          c.external_ref === 'tag' || c.external_ref === 'none'
            ? { kind: c.external_ref }
            : { kind: 'field', field: c.external_ref },
        labels,
        files,
        http: http('freshdesk'),
      });
    }
    case 'jira': {
      const c = t.jira!;
      return new JiraTicketSink({
        baseUrl: c.url,
        email: c.auth === 'basic' ? secretFrom(env, c.email_env, 'jira') : undefined,
        token: secretFrom(env, c.token_env, 'jira'),
        serviceDeskId: c.service_desk_id,
        requestTypes: c.request_types,
        priority: c.priority,
        customFields: defined(c.custom_fields) as Partial<Record<keyof Slots, string>>,
        externalRefField: c.external_ref_field,
        searchPath: c.deployment === 'cloud' ? '/rest/api/3/search/jql' : '/rest/api/2/search',
        labels,
        files,
        http: http('jira'),
      });
    }
    case 'topdesk': {
      const c = t.topdesk!;
      return new TopdeskTicketSink({
        baseUrl: c.url,
        username: secretFrom(env, c.username_env, 'topdesk'),
        applicationPassword: secretFrom(env, c.password_env, 'topdesk'),
        categories: defined(c.categories),
        callTypes: defined(c.call_types) as Partial<Record<InScopeLabel, string>>,
        priority: c.priority,
        entryType: c.entry_type,
        operatorGroup: c.operator_group,
        defaultCallerId: c.default_caller_id,
        optionalFields: defined(c.optional_fields) as Partial<Record<keyof Slots, string>>,
        labels,
        files,
        http: http('topdesk'),
      });
    }
  }
}

/** The retry policy of a configuration. */
export function retryPolicy(config: Config): RetryPolicy {
  const d = config.tickets.delivery;
  return {
    ...DEFAULT_POLICY,
    maxAttempts: d.max_attempts,
    firstDelayMs: d.first_retry_seconds * 1000,
    maxDelayMs: d.max_retry_seconds * 1000,
    // A delivery may take a few requests (lookup, create, files): the lease outlasts them.
    leaseMs: Math.max(DEFAULT_POLICY.leaseMs, d.timeout_seconds * 1000 * 6),
  };
}

/** A host's ticket delivery: the sink, the durable outbox and its worker, and how long a turn waits. */
export interface Ticketing {
  sink: TicketSink;
  outbox: Outbox;
  worker: DeliveryWorker;
  waitMs: number;
  close(): Promise<void>;
}

/** Build the configured sink over the file outbox in `<dataDir>/outbox` (or the outbox given, e.g. Redis). */
export function createTicketing(
  config: Config,
  deps: SinkDeps & {
    outbox?: Outbox;
    log?: WorkerLog;
    clock?: () => number;
    random?: () => number;
    policy?: RetryPolicy;
  },
): Ticketing {
  const sink = createSink(config, deps);
  const outbox = deps.outbox ?? fileOutbox(deps.dataDir);
  const worker = new DeliveryWorker(outbox, sink, {
    policy: deps.policy ?? retryPolicy(config),
    ...(deps.log ? { log: deps.log } : {}),
    ...(deps.clock ? { clock: deps.clock } : {}),
    ...(deps.random ? { random: deps.random } : {}),
  });
  return {
    sink,
    outbox,
    worker,
    waitMs: config.tickets.delivery.wait_seconds * 1000,
    async close() {
      await worker.stop();
      await sink.close?.();
      await outbox.close();
    },
  };
}
