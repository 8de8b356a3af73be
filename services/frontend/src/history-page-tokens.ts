// History page tokens leave the frontend sealed (see @tempora/rpc page-tokens) and bound to the namespace and
// workflow they page, whichever RPC hands them out: GetWorkflowExecutionHistory(Reverse), or a workflow task (a poll,
// a completion's next task, an eager start) whose history does not fit one page.
import type { PollWorkflowTaskQueueResponse } from '@tempora/proto/workflowservice';
import type { DeepPartial } from '@tempora/rpc';
import type { FrontendContext } from './context.js';

export type HistoryDirection = 'GetWorkflowExecutionHistory' | 'GetWorkflowExecutionHistoryReverse';

export function historyTokenScope(direction: HistoryDirection, namespaceId: string, workflowId: string): string[] {
  return [direction, namespaceId, workflowId];
}

/** The workflow task with its history page token sealed for GetWorkflowExecutionHistory of its workflow. */
export function sealWorkflowTask<T extends DeepPartial<PollWorkflowTaskQueueResponse>>(
  ctx: FrontendContext,
  namespaceId: string,
  task: T,
): T {
  const token = task.nextPageToken;
  if (!token?.length) return task;
  const scope = historyTokenScope('GetWorkflowExecutionHistory', namespaceId, task.workflowExecution?.workflowId ?? '');
  return { ...task, nextPageToken: ctx.pageTokens.seal(scope, Uint8Array.from(token)) };
}
