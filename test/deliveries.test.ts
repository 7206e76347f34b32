import { describe, expect, it } from 'vitest';
import { fileDeliveryLog, memoryDeliveryLog } from '../adapters/state/deliveries.ts';
import { tempDir } from './helpers.ts';

describe('delivery log (de-duplication of platform deliveries)', () => {
  it('lets one of several simultaneous copies through', async () => {
    const log = memoryDeliveryLog();
    const claims = await Promise.all(Array.from({ length: 5 }, () => log.claim('event:Ev1')));
    expect(claims.filter(Boolean)).toHaveLength(1);
  });

  it('ignores copies of a handled delivery, long after the lease', async () => {
    let now = 0;
    const log = memoryDeliveryLog({ leaseMs: 1000, keepMs: 60_000, clock: () => now });
    expect(await log.claim('event:Ev1')).toBe(true);
    await log.done('event:Ev1');
    now = 30_000;
    expect(await log.claim('event:Ev1')).toBe(false);
    expect(await log.claim('event:Ev2')).toBe(true);
  });

  it('hands a delivery whose claim lapsed unfinished to the next copy (a crash mid-turn is retried)', async () => {
    let now = 0;
    const dir = tempDir();
    const first = fileDeliveryLog(dir, { leaseMs: 1000, clock: () => now });
    expect(await first.claim('event:Ev1')).toBe(true);
    // The process dies here; a new one starts on the same data folder.
    const second = fileDeliveryLog(dir, { leaseMs: 1000, clock: () => now });
    now = 500;
    expect(await second.claim('event:Ev1')).toBe(false);
    now = 1500;
    expect(await second.claim('event:Ev1')).toBe(true);
    await Promise.all([first.close(), second.close()]);
  });

  it('remembers handled deliveries across a restart', async () => {
    const dir = tempDir();
    const before = fileDeliveryLog(dir);
    expect(await before.claim('event:Ev1')).toBe(true);
    await before.done('event:Ev1');
    await before.close();
    const after = fileDeliveryLog(dir);
    expect(await after.claim('event:Ev1')).toBe(false);
    await after.close();
  });

  it('lets a released delivery be tried again', async () => {
    const log = memoryDeliveryLog();
    expect(await log.claim('buttons:D1:1.0')).toBe(true);
    await log.release('buttons:D1:1.0');
    expect(await log.claim('buttons:D1:1.0')).toBe(true);
  });
});
