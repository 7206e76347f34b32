import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from './scale/redis-server.ts';
import { type SlackBot, slackBot } from './slack/harness.ts';
import { directMessage, eventCallback, sendSigned } from './slack/requests.ts';

// The shared server's guards and instruments: body limits, /metrics, /healthz.

/** POST with a declared length (or chunked, without one), sending `send` bytes; resolves with the status. */
function post(url: string, options: { declared?: number; send: number }): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(options.declared !== undefined ? { 'content-length': options.declared } : {}),
      },
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    // The server may close before taking everything: that is the point.
    req.on('error', (error) =>
      String(error).includes('EPIPE') || String(error).includes('ECONNRESET') ? null : reject(error),
    );
    const chunk = Buffer.alloc(64 * 1024, 'a');
    let left = options.send;
    const write = () => {
      while (left > 0) {
        const n = Math.min(left, chunk.length);
        left -= n;
        if (!req.write(chunk.subarray(0, n))) return void req.once('drain', write);
      }
      req.end();
    };
    write();
  });
}

describe('the shared server', () => {
  let bot: SlackBot;
  beforeAll(async () => {
    bot = await slackBot({ METRICS_TOKEN: 'metrics-secret' });
  });
  afterAll(async () => {
    await bot.close();
  });

  it('refuses a body declared over 1 MiB with 413 before reading it, and a chunked one once it passes the limit', async () => {
    expect(await post(bot.endpoint, { declared: 50 * 1024 * 1024, send: 0 })).toBe(413);
    expect(await post(bot.endpoint, { send: 1024 * 1024 + 1 })).toBe(413);
    expect(bot.logs.filter((l) => JSON.parse(l).level >= 50)).toEqual([]);
  });

  it('serves Prometheus metrics behind its token: turns, refusals, tickets, outbox, latency', async () => {
    await bot.event(directMessage('Onze printer op het secretariaat loopt vast bij elk rapport.'));
    await bot.event(directMessage('x'.repeat(9000), { channel: 'D0LONG' }));
    await bot.settled();
    expect((await fetch(`${bot.url}/metrics`)).status).toBe(401);
    const res = await fetch(`${bot.url}/metrics`, { headers: { authorization: 'Bearer metrics-secret' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    expect(text).toMatch(/^triage_turns_total\{channel="slack",status="\w+"\} 1$/m);
    expect(text).toMatch(/^triage_refusals_total\{reason="hardware"\} 1$/m);
    expect(text).toMatch(/^triage_refusals_total\{reason="limit_text_length"\} 1$/m);
    expect(text).toMatch(/^triage_deliveries_total\{channel="slack",outcome="handled"\} 2$/m);
    expect(text).toMatch(/^triage_outbox_entries\{state="dead"\} 0$/m);
    expect(text).toMatch(/^triage_turn_duration_seconds_count\{channel="slack"\} 2$/m);
    expect(text).toMatch(
      /^triage_http_request_duration_seconds_count\{route="\/slack\/events",method="POST",status="200"\} 2$/m,
    );
    expect(text).toMatch(/^triage_store_up 1$/m);
    expect(text).toMatch(/^process_resident_memory_bytes \d+/m);
  });

  it('past MAX_WAITING_TURNS refuses events with 503 (Slack delivers them again later) and answers every event it took', async () => {
    const busy = await slackBot({ MAX_WAITING_TURNS: '2' });
    try {
      const events = Array.from({ length: 30 }, (_, i) =>
        JSON.stringify(eventCallback(directMessage('Het programma crasht bij opslaan.', { channel: `D0BUSY${i}` }))),
      );
      const acks = await Promise.all(events.map((body) => sendSigned(busy.endpoint, body, 'application/json')));
      const statuses = acks.map((r) => r.status);
      expect(statuses.filter((s) => s === 503).length).toBeGreaterThan(0);
      expect(statuses.every((s) => s === 200 || s === 503)).toBe(true);
      await busy.settled();
      expect(busy.fake.posted()).toHaveLength(statuses.filter((s) => s === 200).length);
      const metrics = await (await fetch(`${busy.url}/metrics`)).text();
      expect(metrics).toMatch(/^triage_deliveries_total\{channel="slack",outcome="busy"\} [1-9]/m);
    } finally {
      await busy.close();
    }
  });
});

describe('a channel built after the server is up (Teams without a desk)', () => {
  it('answers /healthz while it loads, holds its requests until built, then hands them over', async () => {
    const { DeferredChannel } = await import('../bots/server/deferred.ts');
    const { startServer } = await import('../bots/server/server.ts');
    const { mountTeamsRoute, TEAMS_ROUTE } = await import('../bots/teams/route.ts');
    const { appLogger } = await import('../bots/runtime/log.ts');
    let release!: () => void;
    const loaded = new Promise<void>((resolve) => {
      release = resolve;
    });
    const received: unknown[] = [];
    const built = {
      name: 'teams',
      mount() {},
      async start() {},
      async stop() {},
      status: () => ({ state: 'on' as const, mode: 'local' }),
      async receive(req: { body?: unknown }, res: { send(code: number, body?: unknown): void }) {
        received.push(req.body);
        res.send(200, { ok: true });
      },
    };
    const deferred = new DeferredChannel(
      'teams',
      async () => {
        await loaded;
        return built;
      },
      mountTeamsRoute,
      'local',
    );
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const starting = startServer({
      port,
      host: '127.0.0.1',
      channels: [deferred],
      log: appLogger('silent'),
    });
    let health: Response | null = null;
    for (let i = 0; i < 500 && !health; i++) {
      health = await fetch(`${url}/healthz`).catch(() => null);
      if (!health) await new Promise((r) => setTimeout(r, 10));
    }
    expect(health?.status).toBe(200);
    expect(await health?.json()).toMatchObject({ channels: { teams: { state: 'on', mode: 'local', starting: true } } });

    let answered = false;
    const activity = fetch(`${url}${TEAMS_ROUTE}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'message', text: 'hallo' }),
    }).then((r) => {
      answered = true;
      return r;
    });
    await new Promise((r) => setTimeout(r, 100));
    expect(answered).toBe(false);
    release();
    expect((await activity).status).toBe(200);
    expect(received).toEqual([{ type: 'message', text: 'hallo' }]);
    const server = await starting;
    const after = (await (await fetch(`${url}/healthz`)).json()) as { channels: Record<string, unknown> };
    expect(after.channels.teams).toEqual({ state: 'on', mode: 'local' });
    await server.close();
  });
});
