import { describe, expect, it } from 'vitest';
import { ProcessingSlots } from './processing-slots';

describe(ProcessingSlots.name, () => {
  it('grants up to its size at once and the next slot to the longest waiter', async () => {
    const slots = new ProcessingSlots(1);
    const first = await slots.acquire(1000);
    const order: string[] = [];
    const second = slots.acquire(1000).then((release) => (order.push('second'), release));
    const third = slots.acquire(1000).then((release) => (order.push('third'), release));
    first?.();
    (await second)?.();
    (await third)?.();
    expect(order).toEqual(['second', 'third']);
  });

  it('forgets a waiter that gave up, so nothing it holds stays queued', async () => {
    const slots = new ProcessingSlots(1);
    const held = await slots.acquire(0);
    await expect(slots.acquire(0)).resolves.toBeUndefined();
    expect(slots.waitingCount).toBe(0);
    held?.();
    held?.(); // releasing twice frees one slot, not two
    const again = await slots.acquire(0);
    expect(again).toBeDefined();
    await expect(slots.acquire(0)).resolves.toBeUndefined();
  });
});
