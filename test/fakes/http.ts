import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request as a fake helpdesk sees it. */
export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  raw: Buffer;
  json(): unknown;
  form(): Promise<FormData>;
}

export interface FakeResponse {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

/** A fault the next request meets: an answer, or the connection cut before or after the work is done. */
export type Fault = FakeResponse | { drop: 'before' | 'after' };

/**
 * A helpdesk API on 127.0.0.1 for tests: routes by a handler, checks credentials, and can be told to
 * fail (`fail`), to be down (`down`), or to lose its answer after doing the work (`loseNextAnswer`).
 */
export class FakeHttp {
  readonly requests: { method: string; path: string }[] = [];
  private readonly faults: Fault[] = [];
  /** While set, every request gets this (e.g. 503) or a cut connection. */
  down: Fault | null = null;
  url = '';
  /** Runs after a request was carried out and before its answer goes out (a test may crash a client there). */
  beforeAnswer: ((req: FakeRequest, res: FakeResponse) => Promise<void> | void) | null = null;
  private loseNextWrite = false;
  private server: Server | null = null;

  constructor(
    private readonly handler: (req: FakeRequest) => Promise<FakeResponse> | FakeResponse,
    private readonly authorised: (req: FakeRequest) => boolean,
    private readonly unauthorised: FakeResponse,
  ) {}

  fail(times: number, fault: Fault): void {
    for (let i = 0; i < times; i++) this.faults.push(fault);
  }

  /** The next write (POST, PUT) is carried out, then its connection cut before the answer. */
  loseNextAnswer(): void {
    this.loseNextWrite = true;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.serve(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', 'http://fake');
    const request: FakeRequest = {
      method: req.method ?? 'GET',
      path: decodeURIComponent(url.pathname),
      query: url.searchParams,
      headers: req.headers,
      raw,
      json: () => JSON.parse(raw.toString('utf8') || 'null'),
      form: () =>
        new Request('http://fake/', {
          method: 'POST',
          headers: { 'content-type': String(req.headers['content-type']) },
          body: raw,
        }).formData(),
    };
    this.requests.push({ method: request.method, path: request.path });
    const fault = this.down ?? this.faults.shift();
    if (fault && 'drop' in fault && fault.drop === 'before') return void req.socket.destroy();
    if (fault && !('drop' in fault)) return this.send(res, fault);
    let response: FakeResponse;
    try {
      response = this.authorised(request) ? await this.handler(request) : this.unauthorised;
    } catch (error) {
      response = { status: 500, body: { message: String(error) } };
    }
    await this.beforeAnswer?.(request, response);
    const lose = this.loseNextWrite && request.method !== 'GET';
    if (lose) this.loseNextWrite = false;
    if ((fault && 'drop' in fault) || lose) return void req.socket.destroy();
    this.send(res, response);
  }

  private send(res: ServerResponse, r: FakeResponse): void {
    const body = r.body === undefined ? '' : typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
    res.writeHead(r.status, {
      ...(body ? { 'content-type': typeof r.body === 'string' ? 'text/plain' : 'application/json' } : {}),
      ...r.headers,
    });
    res.end(body);
  }
}

/** `Authorization: Basic` as the fake reads it. */
export function basicUser(req: FakeRequest): [string, string] | null {
  const m = /^Basic (.+)$/.exec(String(req.headers.authorization ?? ''));
  if (!m?.[1]) return null;
  const text = Buffer.from(m[1], 'base64').toString('utf8');
  const i = text.indexOf(':');
  return i < 0 ? null : [text.slice(0, i), text.slice(i + 1)];
}

/** The files of a multipart form under one field name. */
export function formFiles(form: FormData, field: string): { name: string; type: string; size: number }[] {
  return form
    .getAll(field)
    .flatMap((v) => (typeof v === 'string' ? [] : [v]))
    .map((f) => ({ name: f.name, type: f.type, size: f.size }));
}
