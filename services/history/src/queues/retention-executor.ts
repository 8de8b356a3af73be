// Executes retention tasks (upstream DeleteHistoryEventTask): a closed run whose namespace retention has passed is
// deleted with its history branch, its visibility record and the current-run pointer when that still points at it.
// Deletes are paced per history host, so a wave of closes a retention period ago cannot crowd out live traffic;
// they run in their own queue, so the pacing never holds back the shard's workflow timers.
import type { HistoryTask } from '@tempora/persistence';
import type { ExecutionManager } from '../execution-manager.js';

/** Hands out evenly spaced slots: `take()` resolves at the caller's slot, at most `perSecond` a second. */
export class DeletionPacer {
  private nextSlot = 0;

  constructor(private readonly perSecond: number) {}

  take(): Promise<void> {
    if (this.perSecond <= 0) return Promise.resolve();
    const now = Date.now();
    const slot = Math.max(now, this.nextSlot);
    this.nextSlot = slot + 1000 / this.perSecond;
    if (slot <= now) return Promise.resolve();
    return new Promise((resolve) => setTimeout(resolve, slot - now));
  }
}

export function retentionExecutor(executions: ExecutionManager, pacer: DeletionPacer) {
  return async (task: HistoryTask): Promise<void> => {
    await pacer.take();
    // Closed runs never reopen; the check only guarantees that no store state can make retention delete a live run.
    await executions.delete(
      { namespaceId: task.namespaceId, workflowId: task.workflowId, runId: task.runId },
      { onlyIfClosed: true },
    );
  };
}
