// Wakes long polls (GetWorkflowExecutionHistory with wait_new_event, result() waits) when a run writes events.
export class EventNotifier {
  private readonly waiters = new Map<string, Set<() => void>>();

  /** Resolves on the next write to the run, at `deadline` (epoch ms), or when `signal` aborts. */
  waitForChange(runKey: string, deadline: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const set = this.waiters.get(runKey) ?? new Set();
      this.waiters.set(runKey, set);
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        set.delete(done);
        if (!set.size) this.waiters.delete(runKey);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, Math.min(deadline - Date.now(), 2 ** 31 - 1)));
      signal?.addEventListener('abort', done);
      set.add(done);
    });
  }

  notify(runKey: string): void {
    for (const wake of [...(this.waiters.get(runKey) ?? [])]) wake();
  }

  /** Wakes everything (shutdown). */
  notifyAll(): void {
    for (const key of [...this.waiters.keys()]) this.notify(key);
  }
}
