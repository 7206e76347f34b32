// Slack acknowledgement latency on loopback: the real server (`serve`, file stores in a temporary
// folder, the shipped academy profile) against the local fake of Slack's Web API, fed signed events.
// Prints figures; asserts nothing. Usage: npm run bench:slack [-- BURST]   (default 200 events at once)
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import { loadConfig } from '../adapters/config/load.ts';
import { appLogger } from '../bots/runtime/log.ts';
import { serve } from '../bots/server/main.ts';
import type { SlackChannel } from '../bots/slack/channel.ts';
import { createCore } from '../core/engine.ts';
import { FakeSlack } from '../test/slack/fake-slack.ts';
import { BOT_TOKEN, directMessage, eventCallback, SIGNING_SECRET } from '../test/slack/requests.ts';

const burst = Number(process.argv[2] ?? 200);
const fake = new FakeSlack(BOT_TOKEN);
await fake.start();
const quiet = new Writable({ write: (_chunk, _encoding, done) => done() });
const running = await serve({
  core: createCore(loadConfig({ profile: 'academy' })),
  dataDir: mkdtempSync(join(tmpdir(), 'triage-bench-')),
  port: 0,
  host: '127.0.0.1',
  env: { SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: fake.apiUrl },
  log: appLogger('warn', quiet),
});
const slack = running.channels[0] as SlackChannel;
const endpoint = `${running.url}/slack/events`;
const texts = [
  'Het programma crasht telkens als ik iets wil opslaan in de evaluaties.',
  'Bij het openen van de leerlingenfiche van Mila Jacobs krijg ik de foutmelding "Geboortedatum ongeldig". Academie De Klankkast',
  'Hoe kan ik een extra vak toevoegen aan het rapport?',
  'Onze printer op het secretariaat loopt vast bij elk rapport.',
];

/**
 * The load comes from a worker thread, like Slack from elsewhere: signing and sending 200 requests in
 * the server's own thread would count the client's work as the server's latency.
 */
const client = new Worker(
  `
  const { parentPort } = require('node:worker_threads');
  const { createHmac } = require('node:crypto');
  parentPort.on('message', async ({ endpoint, secret, bodies }) => {
    const times = await Promise.all(bodies.map(async (body) => {
      const timestamp = Math.floor(Date.now() / 1000);
      const signature = 'v0=' + createHmac('sha256', secret).update('v0:' + timestamp + ':' + body).digest('hex');
      const start = performance.now();
      const res = await fetch(endpoint, { method: 'POST', body, headers: {
        'content-type': 'application/json', 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': signature } });
      const ms = performance.now() - start;
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error('ack ' + res.status);
      return ms;
    }));
    parentPort.postMessage(times);
  });
  `,
  { eval: true },
);
client.on('error', (error) => {
  console.error(error);
  process.exit(1);
});

function acks(from: number, count: number): Promise<number[]> {
  const bodies = Array.from({ length: count }, (_, k) => {
    const i = from + k;
    const event = directMessage(texts[i % texts.length]!, { channel: `D0BENCH${i}`, user: `UBENCH${i}` });
    return JSON.stringify(eventCallback(event));
  });
  return new Promise((resolve) => {
    client.once('message', resolve);
    client.postMessage({ endpoint, secret: SIGNING_SECRET, bodies });
  });
}

function stats(label: string, values: number[]): void {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!.toFixed(1);
  console.log(`${label}: n=${values.length} p50 ${at(0.5)} ms, p95 ${at(0.95)} ms, max ${at(1)} ms`);
}

// One at a time first (warms up the server and the core), then the burst.
const single: number[] = [];
for (let i = 0; i < 20; i++) {
  single.push(...(await acks(100_000 + i, 1)));
  await slack.idle();
}
stats('ack, one event at a time', single);

const start = performance.now();
const times = await acks(0, burst);
const lastAck = performance.now() - start;
await slack.idle();
const allAnswered = performance.now() - start;
stats(`ack, ${burst} concurrent events`, times);
console.log(`burst: last ack after ${lastAck.toFixed(0)} ms, every event answered after ${allAnswered.toFixed(0)} ms`);
console.log(`answers posted: ${fake.posted().length - single.length} of ${burst}`);
await client.terminate();
await running.close();
await fake.close();
