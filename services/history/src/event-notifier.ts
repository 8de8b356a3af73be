// Wakes long polls (GetWorkflowExecutionHistory with wait_new_event, result() waits) when a run writes events.
interface Waiter {
  wake: () => void;
  untilClosed: boolean;
}

export class EventNotifier {
  private readonly waiters = new Map<string, Set<Waiter>>();

  /**
   * Resolves on the next write to the run, at `deadline` (epoch ms), or when `signal` aborts. With `untilClosed`
   * (a reader that only wants the close event) writes to a run still running do not wake it.
   */
  waitForChange(runKey: string, deadline: number, signal?: AbortSignal, untilClosed = false): Promise<void> {
    return new Promise((resolve) => {
      const set = this.waiters.get(runKey) ?? new Set();
      this.waiters.set(runKey, set);
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        set.delete(waiter);
        if (!set.size) this.waiters.delete(runKey);
        resolve();
      };
      const waiter = { wake: done, untilClosed };
      const timer = setTimeout(done, Math.max(0, Math.min(deadline - Date.now(), 2 ** 31 - 1)));
      signal?.addEventListener('abort', done);
      set.add(waiter);
    });
  }

  /** A write to the run; `closed` false when the run is still running after it (a delete or unknown: true). */
  notify(runKey: string, closed = true): void {
    for (const waiter of [...(this.waiters.get(runKey) ?? [])]) if (closed || !waiter.untilClosed) waiter.wake();
  }

  /** Wakes everything (shutdown). */
  notifyAll(): void {
    for (const key of [...this.waiters.keys()]) this.notify(key);
  }
}
