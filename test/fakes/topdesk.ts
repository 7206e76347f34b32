import { randomUUID } from 'node:crypto';
import { basicUser, FakeHttp, type FakeRequest, type FakeResponse, formFiles } from './http.ts';

export interface TopdeskIncident {
  id: string;
  number: string;
  body: Record<string, unknown>;
  attachments: string[];
  closed: boolean;
  completed: boolean;
}

/**
 * TOPdesk's incident API as documented: application-password Basic auth, `POST /tas/api/incidents`,
 * FIQL `query=` on `/incidents` and `/persons` (204 No Content for no match), `/incidents/number/{n}`
 * (GET, and PATCH of fields such as the category),
 * and its `/attachments` (multipart field `file`); errors as `[{"message": ...}]`.
 */
export class FakeTopdesk {
  readonly incidents: TopdeskIncident[] = [];
  readonly persons = [{ id: randomUUID(), email: 'an@academy.example' }];
  readonly categories = new Set(['Vraag', 'Storing', 'Wijziging', 'Klacht']);
  readonly http: FakeHttp;

  constructor(
    readonly user = 'triagebot',
    readonly password = 'td-app-password',
  ) {
    this.http = new FakeHttp(
      (req) => this.route(req),
      (req) => {
        const u = basicUser(req);
        return u?.[0] === this.user && u[1] === this.password;
      },
      { status: 401, body: [{ message: 'Unauthorized' }] },
    );
  }

  private filter<T>(items: T[], query: string | null, field: (t: T, name: string) => unknown): T[] {
    const m = /^(\w+)=="((?:[^"\\]|\\.)*)"$/.exec(query ?? '');
    if (!m) return items;
    const value = m[2]!.replace(/\\(.)/g, '$1');
    return items.filter((t) => field(t, m[1]!) === value);
  }

  private list(items: object[]): FakeResponse {
    return items.length === 0 ? { status: 204 } : { status: 200, body: items };
  }

  private async route(req: FakeRequest): Promise<FakeResponse> {
    const one = /^\/tas\/api\/incidents\/number\/([^/]+)(\/attachments)?$/.exec(req.path);
    if (req.method === 'GET' && req.path === '/tas/api/persons') {
      return this.list(this.filter(this.persons, req.query.get('query'), (p, f) => (p as Record<string, unknown>)[f]));
    }
    if (req.method === 'GET' && req.path === '/tas/api/incidents') {
      const found = this.filter(this.incidents, req.query.get('query'), (i, f) => i.body[f]);
      return this.list(found.map((i) => ({ id: i.id, number: i.number, externalNumber: i.body.externalNumber })));
    }
    if (req.method === 'POST' && req.path === '/tas/api/incidents') {
      const body = req.json() as Record<string, unknown>;
      const lookup = (body.callerLookup as { id?: string } | undefined)?.id;
      if (lookup && !this.persons.some((p) => p.id === lookup))
        return { status: 400, body: [{ message: 'Caller lookup: person not found' }] };
      if (!lookup && !(body.caller as { dynamicName?: string } | undefined)?.dynamicName)
        return { status: 400, body: [{ message: 'A caller is required' }] };
      if (typeof body.briefDescription === 'string' && body.briefDescription.length > 80)
        return { status: 400, body: [{ message: 'briefDescription: maximum length is 80' }] };
      const category = (body.category as { name?: string } | undefined)?.name;
      if (category && !this.categories.has(category))
        return { status: 400, body: [{ message: `Category '${category}' not found` }] };
      const n = this.incidents.length + 1;
      const incident: TopdeskIncident = {
        id: randomUUID(),
        number: `I 2611 ${String(n).padStart(3, '0')}`,
        body,
        attachments: [],
        closed: false,
        completed: false,
      };
      this.incidents.push(incident);
      return { status: 201, body: { id: incident.id, number: incident.number, ...body } };
    }
    if (one) {
      const incident = this.incidents.find((i) => i.number === one[1]);
      if (!incident) return { status: 404, body: [{ message: 'Incident not found' }] };
      if (!one[2] && req.method === 'PATCH') {
        const patch = req.json() as Record<string, unknown>;
        const category = (patch.category as { name?: string } | undefined)?.name;
        if (category && !this.categories.has(category))
          return { status: 400, body: [{ message: `Category '${category}' not found` }] };
        incident.body = { ...incident.body, ...patch };
        return { status: 200, body: { id: incident.id, number: incident.number, ...incident.body } };
      }
      if (!one[2])
        return {
          status: 200,
          body: { id: incident.id, number: incident.number, closed: incident.closed, completed: incident.completed },
        };
      if (req.method === 'GET') return this.list(incident.attachments.map((fileName) => ({ fileName })));
      const files = formFiles(await req.form(), 'file');
      if (files.length !== 1) return { status: 400, body: [{ message: 'Exactly one file expected' }] };
      incident.attachments.push(files[0]!.name);
      return { status: 200, body: { id: randomUUID(), fileName: files[0]!.name } };
    }
    return { status: 404, body: [{ message: 'Not found' }] };
  }
}
