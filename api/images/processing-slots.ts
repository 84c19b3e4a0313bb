/**
 * A counting semaphore whose waiters can give up. p-limit cannot drop a queued task, so a waiter already
 * answered with 503 would stay queued, holding its upload buffer, until a slot freed.
 */
export class ProcessingSlots {
  private active = 0;
  // A Set keeps insertion order, so slots are granted first come, first served.
  private readonly waiting = new Set<() => void>();

  constructor(private readonly size: number) {}

  /** A release function once a slot is held; `undefined` when none freed up within `timeoutMs`. */
  acquire(timeoutMs: number): Promise<(() => void) | undefined> {
    if (this.active < this.size) {
      this.active += 1;
      return Promise.resolve(this.releaser());
    }
    return new Promise((resolve) => {
      const grant = () => {
        clearTimeout(timer);
        this.waiting.delete(grant);
        this.active += 1;
        resolve(this.releaser());
      };
      const timer = setTimeout(() => {
        this.waiting.delete(grant);
        resolve(undefined);
      }, timeoutMs);
      this.waiting.add(grant);
    });
  }

  get waitingCount(): number {
    return this.waiting.size;
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active -= 1;
      this.waiting.values().next().value?.();
    };
  }
}
