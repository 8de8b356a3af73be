// Group commit: the execution writes of one shard that arrive while its previous write is in flight (or in the same
// turn of the event loop) go to the store together, as one conditional write fenced once by the shard's range id.
// At low load a write goes alone at once; under load one round trip carries many transitions, and a shard never
// has two conditional writes racing for its partition (on Cassandra, rival Paxos rounds on one partition retry).
import type { ExecutionStore, ExecutionWrite } from '@tempora/persistence';

import type { HistoryServiceConfig } from '@tempora/common';

/** services.history.groupCommit */
export type GroupCommitLimits = HistoryServiceConfig['groupCommit'];

/** For tests that build an ExecutionManager by hand: the config's defaults. */
export const DEFAULT_GROUP_COMMIT: GroupCommitLimits = { maxWrites: 32, maxBytes: 32 * 1024 };

interface PendingWrite {
  write: ExecutionWrite;
  /** namespaceId/workflowId: two writes of one workflow id (its current row) never share a group. */
  workflowKey: string;
  bytes: number;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export class ShardWriteGroups {
  private readonly queue: PendingWrite[] = [];
  private writing = false;
  private scheduled = false;

  constructor(
    private readonly executions: ExecutionStore,
    private readonly limits: GroupCommitLimits = DEFAULT_GROUP_COMMIT,
    /** Told the size of every group written (metrics). */
    private readonly onGroup: (size: number) => void = () => {},
  ) {}

  /** Settles with this write's own outcome. */
  write(write: ExecutionWrite): Promise<void> {
    const { execution, tasks } = write.request;
    const newExecution = write.kind === 'update' ? write.request.newExecution : undefined;
    const bytes =
      execution.state.length +
      (newExecution?.state.length ?? 0) +
      tasks.reduce((sum, task) => sum + task.data.length, 0);
    return new Promise<void>((resolve, reject) => {
      this.queue.push({
        write,
        workflowKey: `${execution.namespaceId}/${execution.workflowId}`,
        bytes,
        resolve,
        reject,
      });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.writing || this.scheduled) return;
    this.scheduled = true;
    // The writes of every request handled in this turn join the group.
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    const group = this.takeGroup();
    if (!group.length) return;
    this.writing = true;
    this.onGroup(group.length);
    try {
      if (group.length === 1) {
        const [only] = group as [PendingWrite];
        await this.writeAlone(only.write).then(only.resolve, only.reject);
      } else {
        const outcomes = await this.executions.writeWorkflowExecutions(group.map((pending) => pending.write));
        group.forEach((pending, i) => {
          const outcome = outcomes[i];
          if (outcome) pending.reject(outcome);
          else pending.resolve();
        });
      }
    } catch (err) {
      for (const pending of group) pending.reject(err);
    } finally {
      this.writing = false;
    }
    if (this.queue.length) void this.flush();
  }

  private writeAlone(write: ExecutionWrite): Promise<void> {
    return write.kind === 'create'
      ? this.executions.createWorkflowExecution(write.request)
      : this.executions.updateWorkflowExecution(write.request);
  }

  /** The oldest writes that fit the limits, at most one per workflow id; the rest wait, in order, for the next. */
  private takeGroup(): PendingWrite[] {
    const group: PendingWrite[] = [];
    const workflowKeys = new Set<string>();
    let bytes = 0;
    for (let i = 0; i < this.queue.length && group.length < this.limits.maxWrites;) {
      const pending = this.queue[i]!;
      const fits = group.length === 0 || bytes + pending.bytes <= this.limits.maxBytes;
      if (!fits) break;
      if (workflowKeys.has(pending.workflowKey)) {
        i++;
        continue;
      }
      this.queue.splice(i, 1);
      group.push(pending);
      workflowKeys.add(pending.workflowKey);
      bytes += pending.bytes;
    }
    return group;
  }
}
