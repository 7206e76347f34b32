import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type App,
  type Logger as BoltLogger,
  HTTPModuleFunctions,
  HTTPResponseAck,
  type Receiver,
  type ReceiverEvent,
  verifySlackRequest,
} from '@slack/bolt';
import type restify from 'restify';

/** Slack rejects requests older than this; so do we, in both directions (a clock ahead is no better). */
const MAX_SKEW_SECONDS = 5 * 60;

export interface RestifyReceiverOptions {
  signingSecret: string;
  /** Where Slack posts events, commands and button clicks (one Request URL for all three). */
  path?: string;
  logger: BoltLogger;
  /** Milliseconds since the epoch: injected so tests can check the timestamp rule. */
  now?: () => number;
  bodyLimit?: number;
  /**
   * Whether the app can act (its token was accepted). Until then events get 503, so Slack delivers them
   * again later instead of their being acknowledged and lost.
   */
  ready?: () => boolean;
  /**
   * Whether the app has more work waiting than it should take on. Events then get 503, so Slack
   * delivers them again later (or the load balancer's next process takes them) instead of the backlog,
   * and the memory it holds, growing without bound.
   */
  busy?: () => boolean;
}

/**
 * Bolt's receiver on the shared restify server: verifies each request's signature and timestamp (401
 * otherwise), answers `url_verification`, and hands everything else to Bolt, whose `ack()` sends the
 * HTTP response at once, so the work after it never delays Slack's 3 s deadline.
 */
export class RestifyReceiver implements Receiver {
  readonly path: string;
  private app: App | undefined;

  constructor(private readonly options: RestifyReceiverOptions) {
    this.path = options.path ?? '/slack/events';
  }

  init(app: App): void {
    this.app = app;
  }

  /** Add the route. The raw body is read here, never by a body parser: the signature covers its bytes. */
  mount(server: restify.Server): void {
    // restify tells async handlers from callback ones by their kind: this one must be `async`.
    server.post(this.path, async (req: restify.Request, res: restify.Response) => this.handle(req, res));
  }

  /** The server owns the port; nothing to open. */
  async start(): Promise<void> {}

  /** Nothing to close: the server closes its port (the channel waits for the work under way). */
  async stop(): Promise<void> {}

  /** Resolves once the response is sent; processing the event may go on after that. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const sent = new Promise<void>((resolve) => {
      res.once('finish', resolve);
      res.once('close', resolve);
    });
    void this.process(req, res).catch((error) => {
      this.options.logger.error(`Slack request failed: ${(error as Error).message}`);
      if (!res.headersSent) HTTPModuleFunctions.buildNoBodyResponse(res, 500);
    });
    return sent;
  }

  private async process(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const logger = this.options.logger;
    let buffered: Awaited<ReturnType<typeof HTTPModuleFunctions.bufferIncomingMessage>>;
    try {
      buffered = await HTTPModuleFunctions.bufferIncomingMessage(req, this.options.bodyLimit);
    } catch (error) {
      const tooLarge = HTTPModuleFunctions.isRawBodyError(error) && error.statusCode === 413;
      HTTPModuleFunctions.buildNoBodyResponse(res, tooLarge ? 413 : 400);
      return;
    }
    const rawBody = buffered.rawBody.toString();
    if (!this.isSslCheck(req, rawBody) && !this.verified(req, rawBody)) {
      HTTPModuleFunctions.buildNoBodyResponse(res, 401);
      return;
    }
    let parsed: unknown;
    try {
      parsed = HTTPModuleFunctions.parseHTTPRequestBody(buffered);
    } catch {
      logger.warn('Slack request with a malformed body');
      HTTPModuleFunctions.buildNoBodyResponse(res, 400);
      return;
    }
    // Answered here, at once, what Bolt would hold 3 s (no listener acks it) or fail on (not an object).
    const verdict = screen(parsed);
    if (verdict !== 'bolt') {
      if (verdict.status >= 400) logger.warn(`Slack request refused: ${verdict.reason}`);
      else if (verdict.warn) logger.warn(verdict.reason);
      else logger.debug(verdict.reason);
      plainResponse(res, verdict.status, verdict.reason);
      return;
    }
    const body = parsed as Record<string, unknown>;
    if (body.ssl_check === '1') {
      HTTPModuleFunctions.buildSSLCheckResponse(res);
      return;
    }
    if (body.type === 'url_verification') {
      HTTPModuleFunctions.buildUrlVerificationResponse(res, body);
      return;
    }
    if (!this.app) throw new Error('receiver used before Bolt initialised it');
    if (this.options.ready && !this.options.ready()) {
      logger.warn('Slack request refused: the Slack app is not started');
      HTTPModuleFunctions.buildNoBodyResponse(res, 503);
      return;
    }
    if (this.options.busy?.()) {
      res.setHeader('retry-after', '30');
      HTTPModuleFunctions.buildNoBodyResponse(res, 503);
      return;
    }
    const ack = new HTTPResponseAck({
      logger,
      processBeforeResponse: false,
      httpRequest: buffered,
      httpRequestBody: body,
      httpResponse: res,
    });
    const event: ReceiverEvent = {
      body,
      ack: ack.bind(),
      ...optional('retryNum', HTTPModuleFunctions.extractRetryNumFromHTTPRequest(req)),
      ...optional('retryReason', HTTPModuleFunctions.extractRetryReasonFromHTTPRequest(req)),
    };
    try {
      await this.app.processEvent(event);
    } catch (error) {
      const acknowledged = await HTTPModuleFunctions.defaultProcessEventErrorHandler({
        error: error as Error,
        logger,
        request: req,
        response: res,
        storedResponse: ack.storedResponse,
      });
      if (acknowledged) ack.ack();
    }
  }

  /** Slack's SSL check is unsigned and carries nothing else (Bolt strips anything smuggled along). */
  private isSslCheck(req: IncomingMessage, rawBody: string): boolean {
    return (
      req.headers['content-type'] === 'application/x-www-form-urlencoded' &&
      new URLSearchParams(rawBody).get('ssl_check') === '1' &&
      !new URLSearchParams(rawBody).has('payload')
    );
  }

  private verified(req: IncomingMessage, rawBody: string): boolean {
    const signature = req.headers['x-slack-signature'];
    const timestamp = Number(req.headers['x-slack-request-timestamp']);
    const now = this.options.now?.() ?? Date.now();
    if (typeof signature !== 'string' || !Number.isInteger(timestamp)) {
      this.options.logger.warn('Slack request without signature or timestamp');
      return false;
    }
    if (Math.abs(now / 1000 - timestamp) > MAX_SKEW_SECONDS) {
      this.options.logger.warn('Slack request with a stale or future timestamp');
      return false;
    }
    try {
      verifySlackRequest({
        signingSecret: this.options.signingSecret,
        body: rawBody,
        headers: { 'x-slack-signature': signature, 'x-slack-request-timestamp': timestamp },
        nowMilliseconds: now,
      });
      return true;
    } catch {
      this.options.logger.warn('Slack request with a wrong signature');
      return false;
    }
  }
}

/** Interactive payloads the app listens to (its buttons); other kinds are acknowledged and left. */
const INTERACTIONS = new Set(['block_actions']);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * What a signed, parsed body is: for Bolt (an event, a command, a click on the app's buttons, Slack's
 * own checks), or answered here with a status and why. Slack's notice that it holds events back
 * (`app_rate_limited`) and kinds the app does not listen to get 200; what is not a Slack request at all
 * (`[1,2]`, `"x"`, `null`, `payload={}`, an event without its event) gets 400.
 */
export function screen(body: unknown): 'bolt' | { status: number; reason: string; warn?: true } {
  if (!isObject(body)) return { status: 400, reason: 'not a Slack request: the body is not an object' };
  if (body.ssl_check === '1' || body.type === 'url_verification') return 'bolt';
  if (body.type === 'app_rate_limited')
    return {
      status: 200,
      warn: true,
      reason: `Slack holds back this app's events: more than 30,000 in an hour (from minute ${String(body.minute_rate_limited ?? '?')}); they are not sent again`,
    };
  if (body.event !== undefined)
    return isObject(body.event) && typeof body.event.type === 'string'
      ? 'bolt'
      : { status: 400, reason: 'not a Slack event: "event" is not an event object' };
  if (body.command !== undefined)
    return typeof body.command === 'string' ? 'bolt' : { status: 400, reason: 'not a Slack command' };
  if (typeof body.type !== 'string') return { status: 400, reason: 'not a Slack request: no type, event or command' };
  if (body.type === 'event_callback') return { status: 400, reason: 'not a Slack event: no event' };
  if (!INTERACTIONS.has(body.type)) return { status: 200, reason: `Slack ${body.type} ignored: not used by this app` };
  return Array.isArray(body.actions) && body.actions.length > 0 && body.actions.every(isObject)
    ? 'bolt'
    : { status: 400, reason: `not a Slack ${body.type}: no actions` };
}

/** A short plain-text answer (the reason), for Slack's delivery log and whoever tests the URL. */
function plainResponse(res: ServerResponse, status: number, reason: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(status >= 400 ? reason : '');
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined || (typeof value === 'number' && Number.isNaN(value))
    ? {}
    : ({ [key]: value } as Record<K, V>);
}
