/**
 * A bot process for the crash test: registers tickets in the durable outbox (`start`) and delivers
 * them to Freshdesk, or only delivers what an earlier process left (`resume`); exits when all are done.
 * Run as `node --import tsx test/tickets/crash-child.ts` with DATA_DIR, FRESHDESK_URL, FRESHDESK_API_KEY,
 * MODE, COUNT, LEASE_MS.
 */
import { loadConfig } from '../../adapters/config/load.ts';
import { createTicketing, retryPolicy } from '../../adapters/tickets/factory.ts';
import { configSchema } from '../../core/config/schema.ts';
import type { TicketDraft } from '../../core/types.ts';

const env = process.env;
const base = loadConfig({ profile: 'academy' });
const config = {
  ...base,
  tickets: configSchema.shape.tickets.parse({ adapter: 'freshdesk', freshdesk: { url: env.FRESHDESK_URL } }),
};
const ticketing = createTicketing(config, {
  dataDir: env.DATA_DIR!,
  env,
  policy: { ...retryPolicy(config), firstDelayMs: 20, maxDelayMs: 100, leaseMs: Number(env.LEASE_MS ?? 300) },
});

function draft(i: number): TicketDraft {
  return {
    idempotencyKey: `crash${i}#1`,
    conversation: `crash${i}`,
    requester: { id: `U${i}`, email: `person${i}@academy.example` },
    label: 'incident',
    title: `Ticket ${i}`,
    description: `Beschrijving ${i}`,
    slots: { academy: 'AKW' },
    attachments: [],
    lang: 'nl',
    urgent: false,
    priority: 'normal',
    multiSubject: false,
    missing: [],
    handoff: false,
    transcript: [],
    createdAt: new Date().toISOString(),
  };
}

if (env.MODE === 'start') {
  for (let i = 0; i < Number(env.COUNT ?? 10); i++) await ticketing.outbox.put(draft(i), 'freshdesk', Date.now());
  process.stdout.write('registered\n');
}
ticketing.worker.start(10);
for (;;) {
  await new Promise((resolve) => setTimeout(resolve, 25));
  const open = (await ticketing.outbox.all()).filter((e) => e.state !== 'done' && e.state !== 'dead');
  if (open.length === 0) break;
}
await ticketing.close();
process.stdout.write('all delivered\n');
