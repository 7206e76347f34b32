import { type Activity, ConfigurationBotFrameworkAuthentication } from 'botbuilder';
import {
  type AuthenticateRequestResult,
  type ClaimsIdentity,
  type ConnectorClient,
  ConnectorFactory,
  type ServiceClientCredentialsFactory,
} from 'botframework-connector';

/**
 * Statuses after which the Bot Connector did not create the activity and asks to come back later (429
 * throttled, 412 a concurrent update) or a gateway gave up (502, 504): Microsoft's guidance for Teams
 * bots is to retry exactly these, with back-off. Other failures (500, 503 without the advice...) are not
 * retried: a created activity is not idempotent, a blind retry could post twice.
 */
export const RETRIED_STATUSES: ReadonlySet<number> = new Set([412, 429, 502, 504]);

export interface RetryOptions {
  /** Attempts in all, the first included (default 4). */
  attempts?: number;
  /** First back-off; doubles each time, with jitter (default 500 ms). */
  baseMs?: number;
  /** Longest wait, whatever Retry-After says (default 20 s: Teams redelivers after 15 s anyway). */
  maxMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** Told of every retry (for the log). */
  onRetry?: (status: number, attempt: number, delayMs: number) => void;
}

/** How long to wait before attempt `attempt + 1`: the server's Retry-After when it gives one, else back-off. */
export function retryDelay(
  retryAfter: string | null | undefined,
  attempt: number,
  options: Pick<RetryOptions, 'baseMs' | 'maxMs'> = {},
  now = Date.now(),
  random = Math.random,
): number {
  const max = options.maxMs ?? 20_000;
  if (retryAfter) {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds) && seconds >= 0) return Math.min(max, seconds * 1000);
    const date = Date.parse(retryAfter);
    if (Number.isFinite(date)) return Math.min(max, Math.max(0, date - now));
  }
  const base = (options.baseMs ?? 500) * 2 ** (attempt - 1);
  // Half to full back-off, so bots throttled together do not come back together.
  return Math.min(max, Math.round(base * (0.5 + random() / 2)));
}

/** The parts of an HTTP pipeline (`@azure/core-rest-pipeline`) the retry policy touches. */
interface PipelineResponse {
  status: number;
  headers: { get(name: string): string | undefined };
}
interface PipelinePolicy {
  name: string;
  sendRequest(request: unknown, next: (request: unknown) => Promise<PipelineResponse>): Promise<PipelineResponse>;
}
interface Pipeline {
  addPolicy(policy: PipelinePolicy, options?: { phase?: string }): void;
  removePolicy(options: { name?: string; phase?: string }): unknown;
}

/** A pipeline policy that retries {@link RETRIED_STATUSES} with back-off and nothing else. */
export function retryPolicy(options: RetryOptions = {}): PipelinePolicy {
  const attempts = options.attempts ?? 4;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  return {
    name: 'teamsRetryPolicy',
    async sendRequest(request, next) {
      for (let attempt = 1; ; attempt++) {
        const response = await next(request);
        if (!RETRIED_STATUSES.has(response.status) || attempt >= attempts) return response;
        const delay = retryDelay(response.headers.get('retry-after'), attempt, options);
        options.onRetry?.(response.status, attempt, delay);
        await sleep(delay);
      }
    },
  };
}

/**
 * Swap the SDK's default retry policy (every 5xx, network errors; 429 only with Retry-After) for
 * {@link retryPolicy}. The pipeline is not public in botbuilder 4.23: found by shape, and a client
 * without one is returned as it is (the SDK's own policy then applies).
 */
export function withRetryPolicy(client: ConnectorClient, policy: PipelinePolicy): boolean {
  const pipeline = (client as unknown as { client?: { pipeline?: Partial<Pipeline> } }).client?.pipeline;
  if (typeof pipeline?.removePolicy !== 'function' || typeof pipeline.addPolicy !== 'function') return false;
  pipeline.removePolicy({ phase: 'Retry' });
  pipeline.addPolicy(policy, { phase: 'Retry' });
  return true;
}

class RetryingConnectorFactory extends ConnectorFactory {
  constructor(
    private readonly inner: ConnectorFactory,
    private readonly policy: PipelinePolicy,
    private readonly unpatched: () => void,
  ) {
    super();
  }

  override async create(serviceUrl: string, audience?: string): Promise<ConnectorClient> {
    const client = await this.inner.create(serviceUrl, audience);
    if (!withRetryPolicy(client, this.policy)) this.unpatched();
    return client;
  }
}

/**
 * botbuilder's configuration-driven authentication (MicrosoftAppId, MicrosoftAppPassword,
 * MicrosoftAppType, MicrosoftAppTenantId), whose connector clients retry as {@link retryPolicy} says.
 */
export class TeamsAuthentication extends ConfigurationBotFrameworkAuthentication {
  private readonly policy: PipelinePolicy;

  constructor(
    config: Record<string, string>,
    credentials: ServiceClientCredentialsFactory | undefined,
    retry: RetryOptions,
    private readonly unpatched: () => void,
  ) {
    super(config, credentials);
    this.policy = retryPolicy(retry);
  }

  override async authenticateRequest(activity: Activity, authHeader: string): Promise<AuthenticateRequestResult> {
    const result = await super.authenticateRequest(activity, authHeader);
    if (result.connectorFactory)
      result.connectorFactory = new RetryingConnectorFactory(result.connectorFactory, this.policy, this.unpatched);
    return result;
  }

  override createConnectorFactory(claimsIdentity: ClaimsIdentity): ConnectorFactory {
    return new RetryingConnectorFactory(super.createConnectorFactory(claimsIdentity), this.policy, this.unpatched);
  }
}

/**
 * The `Authorization` header the bot's calls to the Bot Connector carry (`Bearer ...`), or null in local
 * mode. Files people paste into Teams are served only with it. Works for every kind of credentials
 * (password, certificate, managed identity): each knows how to sign a request.
 */
export async function authorizationOf(client: ConnectorClient): Promise<string | null> {
  let header: string | null = null;
  const request = {
    headers: {
      set(name: string, value: string) {
        if (name.toLowerCase() === 'authorization') header = value;
      },
      get: () => undefined,
    },
  };
  await client.credentials.signRequest(request as unknown as Parameters<typeof client.credentials.signRequest>[0]);
  return header;
}
