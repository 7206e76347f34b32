import { LocalTicketStore } from '../../adapters/tickets/local/store.ts';
import { type Serving, serve } from '../../bots/server/main.ts';
import type { WebChannel } from '../../bots/web/channel.ts';
import type { TriageCore } from '../../core/engine.ts';
import { OPEN_HOURS, shippedCore, tempDir } from '../helpers.ts';
import { memoryLog } from '../slack/harness.ts';

/** The real server (`serve`, as `npm start` runs it) on 127.0.0.1 with a fresh data folder: the web chat on. */
export async function webBot(env: NodeJS.ProcessEnv = {}, core: TriageCore = shippedCore('academy')) {
  const dataDir = tempDir();
  const { lines, log } = memoryLog();
  const serving: Serving = await serve({
    core,
    dataDir,
    port: 0,
    host: '127.0.0.1',
    env,
    log,
    clock: () => OPEN_HOURS,
  });
  return {
    url: serving.url,
    dataDir,
    logs: lines,
    serving,
    web: serving.channels.find((c) => c.name === 'web') as WebChannel,
    tickets: new LocalTicketStore(dataDir),
    close: () => serving.close(),
  };
}
export type WebBot = Awaited<ReturnType<typeof webBot>>;

/** A person's browser, as far as HTTP goes: the session cookie, the CSRF token, this origin. */
export class Visitor {
  cookie = '';
  csrf = '';

  constructor(readonly url: string) {}

  get origin(): string {
    return this.url;
  }

  async open(fields: Record<string, unknown> = { name: 'Sofie Peeters', email: 'sofie@klankkast.example' }) {
    const res = await fetch(`${this.url}/web/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: this.origin },
      body: JSON.stringify(fields),
    });
    const body = (await res.json()) as { csrf?: string; welcome?: string; lang?: string; error?: string };
    if (res.status === 200) {
      this.cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
      this.csrf = body.csrf!;
    }
    return { status: res.status, body, setCookie: res.headers.get('set-cookie') };
  }

  async say(
    message: Record<string, unknown>,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: WebAnswer }> {
    const res = await fetch(`${this.url}/web/messages`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        origin: this.origin,
        cookie: this.cookie,
        'x-csrf-token': this.csrf,
        ...headers,
      },
      body: JSON.stringify(message),
    });
    return { status: res.status, body: (await res.json()) as WebAnswer };
  }

  async upload(bytes: Uint8Array, type = 'image/png', name = 'scherm.png') {
    const res = await fetch(`${this.url}/web/files`, {
      method: 'POST',
      headers: {
        'content-type': type,
        'x-file-name': name,
        origin: this.origin,
        cookie: this.cookie,
        'x-csrf-token': this.csrf,
      },
      body: Buffer.from(bytes),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }
}

export interface WebAnswer {
  replies: { text: string; choices?: { value: string; label: string }[]; preview?: { fields: { value: string }[] } }[];
  tickets: { id: string }[];
  status: string;
  error?: string;
}

/** Read server-sent events from `/web/events` until `until` says enough; resolves with the events' data. */
export async function readEvents(
  url: string,
  cookie: string,
  until: (events: { event: string; data: unknown }[]) => boolean,
  onOpen?: () => void | Promise<void>,
): Promise<{ event: string; data: unknown }[]> {
  const controller = new AbortController();
  const res = await fetch(`${url}/web/events`, { headers: { cookie }, signal: controller.signal });
  if (res.status !== 200) throw new Error(`events: ${res.status}`);
  const events: { event: string; data: unknown }[] = [];
  const decoder = new TextDecoder();
  let buffer = '';
  let opened = false;
  for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let end = buffer.indexOf('\n\n');
    while (end >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (event && data) events.push({ event, data: JSON.parse(data) });
      end = buffer.indexOf('\n\n');
    }
    if (!opened) {
      opened = true;
      await onOpen?.();
    }
    if (until(events)) break;
  }
  controller.abort();
  return events;
}
