// The embedded database's cost per operation, as a turn pays it: the inbox write before an
// acknowledgement, a delivery claim, and a turn's last commit (conversation, waiting list, delivery
// record in one transaction). Prints figures; asserts nothing. Usage: npm run bench:state [-- N]
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileBackend } from '../adapters/state/backend.ts';

const n = Number(process.argv[2] ?? 1000);
const backend = fileBackend(mkdtempSync(join(tmpdir(), 'triage-bench-state-')));
const conversation = {
  transcript: Array.from({ length: 40 }, (_, i) => ({ from: 'user', text: `regel ${i} `.repeat(8) })),
};

async function measure(what: string, op: (i: number) => Promise<unknown>): Promise<void> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const start = performance.now();
    await op(i);
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!.toFixed(3);
  process.stdout.write(`${what}: n=${n} p50 ${at(0.5)} ms, p95 ${at(0.95)} ms, max ${at(1)} ms\n`);
}

await measure('inbox write (before the ack)', (i) => backend.inbox!.put(`slack:event:E${i}`, 'slack', { event: i }));
await measure('delivery claim', (i) => backend.deliveries.claim(`event:E${i}`));
await measure('turn commit (state + waiting + done)', (i) =>
  backend.atomic(async () => {
    await backend.store.set(`slack:D${i}`, conversation as never, 86_400_000);
    await backend.waiting.add(`slack:D${i}`);
    await backend.deliveries.done(`event:E${i}`);
  }),
);
await backend.close();
