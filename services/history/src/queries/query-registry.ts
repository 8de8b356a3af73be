// Consistent queries that must wait for a workflow task (upstream query_registry.go): a query arriving while a
// workflow task is pending or started rides on the next task that starts (poll response `queries`) and is answered
// by that task's completion (`query_results`). When a task completes and no new one follows, the queries still
// waiting are unblocked: nothing precedes them any more, so they go directly through matching. In memory only.
import type { WorkflowQuery, WorkflowQueryResult } from '@tempora/proto/query';
import { randomUUID } from 'node:crypto';

export type BufferedQueryOutcome = { kind: 'answered'; result: WorkflowQueryResult } | { kind: 'unblocked' };

interface BufferedQuery {
  query: WorkflowQuery;
  settle(outcome: BufferedQueryOutcome): void;
}

/** Upstream's history.MaxBufferedQueryCount default. */
export const MAX_BUFFERED_QUERIES_PER_RUN = 1;

export class QueryRegistry {
  private readonly runs = new Map<string, Map<string, BufferedQuery>>();

  bufferedCount(runKey: string): number {
    return this.runs.get(runKey)?.size ?? 0;
  }

  /** Buffers a query; `outcome` settles when a task answers it or unblocks it. Call `remove` when done waiting. */
  buffer(runKey: string, query: WorkflowQuery): { outcome: Promise<BufferedQueryOutcome>; remove(): void } {
    const id = randomUUID();
    let queries = this.runs.get(runKey);
    if (!queries) {
      queries = new Map();
      this.runs.set(runKey, queries);
    }
    const run = queries;
    const outcome = new Promise<BufferedQueryOutcome>((settle) => run.set(id, { query, settle }));
    const remove = () => {
      run.delete(id);
      if (run.size === 0 && this.runs.get(runKey) === run) this.runs.delete(runKey);
    };
    return { outcome, remove };
  }

  /** The queries a workflow task starting now carries, by query id. */
  forWorkflowTask(runKey: string): Record<string, WorkflowQuery> {
    return Object.fromEntries([...(this.runs.get(runKey) ?? [])].map(([id, q]) => [id, q.query]));
  }

  /** Settles the queries a completed task answered; unblocks the others when no workflow task follows. */
  workflowTaskCompleted(
    runKey: string,
    results: Record<string, WorkflowQueryResult>,
    workflowTaskFollows: boolean,
  ): void {
    for (const [id, query] of this.runs.get(runKey) ?? []) {
      const result = results[id];
      if (result) query.settle({ kind: 'answered', result });
      else if (!workflowTaskFollows) query.settle({ kind: 'unblocked' });
    }
  }
}
