import { basicUser, FakeHttp, type FakeRequest, type FakeResponse, formFiles } from './http.ts';

export interface JiraRequest {
  key: string;
  requestTypeId: string;
  fields: Record<string, unknown>;
  attachments: string[];
  status: string;
  category: 'NEW' | 'INDETERMINATE' | 'DONE';
  /** The issue's labels (`PUT /rest/api/{2,3}/issue/{key}` with `update.labels` add/remove). */
  labels: string[];
}

/**
 * Jira Service Management's REST API as documented: `POST /rest/servicedeskapi/request`, `GET` of a
 * request and its attachments, `attachTemporaryFile` (multipart field `file`, XSRF header
 * `X-Atlassian-Token: no-check` required), `POST .../request/{key}/attachment` with the temporary ids,
 * a JQL search (`/rest/api/3/search/jql`) on a text custom field, and the issue edit
 * (`PUT /rest/api/{2,3}/issue/{key}`: `update.labels` add/remove, 204; a label with a space is refused). Errors as `{"errorMessage": ...}`.
 */
export class FakeJira {
  readonly requests: JiraRequest[] = [];
  private readonly temporary = new Map<string, string>();
  readonly http: FakeHttp;

  constructor(
    readonly serviceDeskId = '1',
    readonly requestTypes = ['11', '12', '13', '14'],
    readonly email = 'bot@academy.example',
    readonly token = 'jira-test-token',
  ) {
    this.http = new FakeHttp(
      (req) => this.route(req),
      (req) => {
        const u = basicUser(req);
        return u?.[0] === this.email && u[1] === this.token;
      },
      { status: 401, body: 'Client must be authenticated to access this resource.' },
    );
  }

  private web(key: string): string {
    return `${this.http.url}/servicedesk/customer/portal/${this.serviceDeskId}/${key}`;
  }

  private view(r: JiraRequest) {
    return {
      issueId: r.key.replace(/\D/g, ''),
      issueKey: r.key,
      requestTypeId: r.requestTypeId,
      serviceDeskId: this.serviceDeskId,
      currentStatus: { status: r.status, statusCategory: r.category },
      _links: { web: this.web(r.key) },
    };
  }

  private async route(req: FakeRequest): Promise<FakeResponse> {
    const one = /^\/rest\/servicedeskapi\/request\/([A-Z]+-\d+)(\/attachment)?$/.exec(req.path);
    if (req.method === 'POST' && req.path === '/rest/servicedeskapi/request') {
      const body = req.json() as {
        serviceDeskId?: string;
        requestTypeId?: string;
        requestFieldValues?: Record<string, unknown>;
      };
      if (body.serviceDeskId !== this.serviceDeskId)
        return { status: 404, body: { errorMessage: 'The service project does not exist.' } };
      if (!this.requestTypes.includes(String(body.requestTypeId)))
        return { status: 400, body: { errorMessage: 'The request type you are trying to use does not exist.' } };
      const summary = body.requestFieldValues?.summary;
      if (typeof summary !== 'string' || !summary || summary.length > 255 || summary.includes('\n'))
        return { status: 400, body: { errorMessage: 'Summary: You must specify a valid summary of the issue.' } };
      const r: JiraRequest = {
        key: `HELP-${this.requests.length + 1}`,
        requestTypeId: String(body.requestTypeId),
        fields: body.requestFieldValues ?? {},
        attachments: [],
        status: 'Waiting for support',
        category: 'NEW',
        labels: [],
      };
      this.requests.push(r);
      return { status: 201, body: this.view(r) };
    }
    if (one && req.method === 'GET') {
      const r = this.requests.find((x) => x.key === one[1]);
      if (!r)
        return {
          status: 404,
          body: { errorMessage: 'The request does not exist or you do not have permission to see it.' },
        };
      if (one[2])
        return {
          status: 200,
          body: { size: r.attachments.length, values: r.attachments.map((filename) => ({ filename })) },
        };
      return { status: 200, body: this.view(r) };
    }
    if (one?.[2] && req.method === 'POST') {
      const r = this.requests.find((x) => x.key === one[1]);
      if (!r) return { status: 404, body: { errorMessage: 'The request does not exist.' } };
      const ids = (req.json() as { temporaryAttachmentIds?: string[] }).temporaryAttachmentIds ?? [];
      for (const id of ids) {
        const name = this.temporary.get(id);
        if (!name) return { status: 400, body: { errorMessage: `Temporary attachment ${id} does not exist.` } };
        this.temporary.delete(id);
        r.attachments.push(name);
      }
      return { status: 201, body: { attachments: { values: ids.map((id) => ({ filename: id })) } } };
    }
    const temp = /^\/rest\/servicedeskapi\/servicedesk\/([^/]+)\/attachTemporaryFile$/.exec(req.path);
    if (temp && req.method === 'POST') {
      if (req.headers['x-atlassian-token'] !== 'no-check') return { status: 403, body: 'XSRF check failed' };
      if (temp[1] !== this.serviceDeskId)
        return { status: 404, body: { errorMessage: 'The service project does not exist.' } };
      const files = formFiles(await req.form(), 'file');
      const temporaryAttachments = files.map((f) => {
        const id = `temp${this.temporary.size + 1}-${f.name}`;
        this.temporary.set(id, f.name);
        return { temporaryAttachmentId: id, fileName: f.name };
      });
      return { status: 201, body: { temporaryAttachments } };
    }
    const issue = /^\/rest\/api\/[23]\/issue\/([A-Z]+-\d+)$/.exec(req.path);
    if (issue && req.method === 'PUT') {
      const r = this.requests.find((x) => x.key === issue[1]);
      if (!r)
        return {
          status: 404,
          body: { errorMessages: ['Issue does not exist or you do not have permission to see it.'] },
        };
      const ops = (req.json() as { update?: { labels?: { add?: string; remove?: string }[] } }).update?.labels ?? [];
      for (const op of ops) {
        const label = op.add ?? op.remove ?? '';
        if (/\s/.test(label)) return { status: 400, body: { errors: { labels: 'The label cannot contain spaces.' } } };
        if (op.remove) r.labels = r.labels.filter((l) => l !== op.remove);
        if (op.add && !r.labels.includes(op.add)) r.labels.push(op.add);
      }
      return { status: 204 };
    }
    if (req.method === 'GET' && req.path === '/rest/api/3/search/jql') {
      const m = /^cf\[(\d+)\] ~ "([^"]+)"$/.exec(req.query.get('jql') ?? '');
      if (!m) return { status: 400, body: { errorMessages: ['Error in the JQL Query'] } };
      const field = `customfield_${m[1]}`;
      const issues = this.requests
        .filter((r) => String(r.fields[field] ?? '').includes(m[2]!))
        .map((r) => ({ key: r.key, fields: { [field]: r.fields[field] } }));
      return { status: 200, body: { issues } };
    }
    return { status: 404, body: { errorMessage: 'Not found' } };
  }
}
