import { describe, expect, it } from 'vitest';
import { Limiter } from '../bots/runtime/limiter.ts';

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('Limiter', () => {
  it('runs at most its size at once, the rest in arrival order, and frees the slot of a failing task', async () => {
    const limiter = new Limiter(2);
    const started: number[] = [];
    const finish = new Map<number, () => void>();
    const tasks = Array.from({ length: 5 }, (_, i) =>
      limiter.run(async () => {
        started.push(i);
        await new Promise<void>((resolve) => finish.set(i, resolve));
        if (i === 1) throw new Error('task 1 fails');
        return i;
      }),
    );
    const outcomes = Promise.allSettled(tasks);
    await settle();
    expect(started).toEqual([0, 1]);
    expect(limiter.load).toEqual({ running: 2, waiting: 3 });
    finish.get(1)!();
    await settle();
    expect(started).toEqual([0, 1, 2]);
    finish.get(0)!();
    await settle();
    expect(started).toEqual([0, 1, 2, 3]);
    finish.get(3)!();
    await settle();
    expect(started).toEqual([0, 1, 2, 3, 4]);
    finish.get(2)!();
    finish.get(4)!();
    const results = await outcomes;
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled']);
    expect(limiter.load).toEqual({ running: 0, waiting: 0 });
  });
});
