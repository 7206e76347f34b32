import { basicUser, FakeHttp, type FakeRequest, type FakeResponse, formFiles } from './http.ts';

export interface FreshdeskTicket {
  id: number;
  subject: string;
  description: string;
  email?: string;
  name?: string;
  unique_external_id?: string;
  status: number;
  priority: number;
  source: number;
  type?: string;
  tags: string[];
  custom_fields: Record<string, string>;
  attachments: { name: string; content_type: string; size: number }[];
}

const TYPES = ['Question', 'Incident', 'Problem', 'Feature Request', 'Refund'];

function validation(field: string, message: string, code = 'invalid_value'): FakeResponse {
  return { status: 400, body: { description: 'Validation failed', errors: [{ field, message, code }] } };
}

/**
 * Freshdesk API v2 as documented: Basic auth with the API key as user, `POST /api/v2/tickets` in JSON
 * or multipart (`attachments[]`, `tags[]`, `custom_fields[cf_x]`), `GET /api/v2/tickets/{id}`,
 * `PUT` with attachments or fields (`type`), the filter API `GET /api/v2/search/tickets?query="tag:'x'"`, and its error
 * bodies (`{"description":"Validation failed","errors":[...]}`, `invalid_credentials`).
 */
export class FakeFreshdesk {
  readonly tickets: FreshdeskTicket[] = [];
  readonly http: FakeHttp;

  constructor(readonly apiKey = 'fd-test-key') {
    this.http = new FakeHttp(
      (req) => this.route(req),
      (req) => basicUser(req)?.[0] === this.apiKey,
      {
        status: 401,
        body: { code: 'invalid_credentials', message: 'You have to be logged in to perform this action.' },
      },
    );
  }

  private async fields(
    req: FakeRequest,
  ): Promise<{ f: Record<string, unknown>; files: FreshdeskTicket['attachments'] }> {
    if (!String(req.headers['content-type']).startsWith('multipart/form-data'))
      return { f: req.json() as Record<string, unknown>, files: [] };
    const form = await req.form();
    const f: Record<string, unknown> = {};
    const custom: Record<string, string> = {};
    for (const [key, value] of form.entries()) {
      if (typeof value !== 'string') continue;
      const cf = /^custom_fields\[(.+)\]$/.exec(key);
      if (cf?.[1]) custom[cf[1]] = value;
      else if (key.endsWith('[]')) f[key.slice(0, -2)] = [...((f[key.slice(0, -2)] as string[]) ?? []), value];
      else f[key] = /^(status|priority|source|group_id)$/.test(key) ? Number(value) : value;
    }
    if (Object.keys(custom).length) f.custom_fields = custom;
    const files = formFiles(form, 'attachments[]').map((x) => ({ name: x.name, content_type: x.type, size: x.size }));
    return { f, files };
  }

  private async route(req: FakeRequest): Promise<FakeResponse> {
    const one = /^\/api\/v2\/tickets\/(\d+)$/.exec(req.path);
    if (req.method === 'POST' && req.path === '/api/v2/tickets') {
      const { f, files } = await this.fields(req);
      if (!f.subject) return validation('subject', 'It should be a/an String', 'missing_field');
      if (!f.description) return validation('description', 'It should be a/an String', 'missing_field');
      if (!f.email && !f.phone && !f.unique_external_id && !f.requester_id)
        return validation(
          'requester_id',
          'Please fill at least 1 of requester_id, phone, email, unique_external_id fields',
          'missing_field',
        );
      if (![1, 2, 3, 4].includes(Number(f.priority)))
        return validation('priority', "It should be one of these values: '1,2,3,4'");
      if (f.type !== undefined && !TYPES.includes(String(f.type)))
        return validation('type', `It should be one of these values: '${TYPES.join(',')}'`);
      const ticket: FreshdeskTicket = {
        id: this.tickets.length + 1,
        subject: String(f.subject),
        description: String(f.description),
        ...(f.email ? { email: String(f.email) } : {}),
        ...(f.name ? { name: String(f.name) } : {}),
        ...(f.unique_external_id ? { unique_external_id: String(f.unique_external_id) } : {}),
        status: Number(f.status ?? 2),
        priority: Number(f.priority),
        source: Number(f.source ?? 2),
        ...(f.type ? { type: String(f.type) } : {}),
        tags: (f.tags as string[]) ?? [],
        custom_fields: (f.custom_fields as Record<string, string>) ?? {},
        attachments: files,
      };
      this.tickets.push(ticket);
      return { status: 201, body: ticket };
    }
    if (one && (req.method === 'GET' || req.method === 'PUT')) {
      const ticket = this.tickets.find((t) => t.id === Number(one[1]));
      if (!ticket) return { status: 404 };
      if (req.method === 'PUT') {
        const { f, files } = await this.fields(req);
        if (f.type !== undefined && !TYPES.includes(String(f.type)))
          return validation('type', `It should be one of these values: '${TYPES.join(',')}'`);
        if (f.type !== undefined) ticket.type = String(f.type);
        ticket.attachments.push(...files);
      }
      return { status: 200, body: ticket };
    }
    if (req.method === 'GET' && req.path === '/api/v2/search/tickets') {
      const m = /^"(\w+):'([^']*)'"$/.exec(req.query.get('query') ?? '');
      if (!m)
        return {
          status: 400,
          body: {
            description: 'Validation failed',
            errors: [{ field: 'query', message: 'Invalid query', code: 'invalid_value' }],
          },
        };
      const [, field, value] = m;
      const results = this.tickets.filter((t) =>
        field === 'tag' ? t.tags.includes(value!) : t.custom_fields[field!] === value,
      );
      return { status: 200, body: { results, total: results.length } };
    }
    return { status: 404 };
  }
}
