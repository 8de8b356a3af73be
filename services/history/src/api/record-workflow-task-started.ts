import { SuggestContinueAsNewReason, TaskQueueKind } from '@tempora/proto/enums';
import type { RecordWorkflowTaskStartedRequest, RecordWorkflowTaskStartedResponse } from '@tempora/proto/internal';
import { Code, RpcError, notFound, type DeepPartial } from '@tempora/rpc';
import type { HistoryContext } from '../context.js';
import type { HistoryLimits } from '../execution-manager.js';
import type { MutableState } from '../mutable-state.js';
import { attachWorkflowTaskMessages } from '../updates/workflow-task-messages.js';
import { buildWorkflowTaskResponse, workflowTaskSnapshot } from '../workflow-task-response.js';

export function recordWorkflowTaskStarted(ctx: HistoryContext) {
  return async (req: RecordWorkflowTaskStartedRequest): Promise<DeepPartial<RecordWorkflowTaskStartedResponse>> => {
    const execution = req.execution!;
    const engine = ctx.shards.engineFor(req.namespaceId, execution.workflowId);
    const key = { namespaceId: req.namespaceId, workflowId: execution.workflowId, runId: execution.runId };
    const poll = req.pollRequest!;
    const pollQueue = poll.taskQueue!;
    const fromStickyQueue = pollQueue.kind === TaskQueueKind.TASK_QUEUE_KIND_STICKY;
    const snapshot = await engine.executions.update(key, (ms) => {
      if (!ms.isRunning) throw notFound('Workflow execution already completed.');
      const task = ms.workflowTask;
      if (!task || task.scheduledEventId !== req.scheduledEventId) throw notFound('Workflow task not found.');
      if (task.startedEventId !== 0) {
        if (task.requestId === req.requestId) return workflowTaskSnapshot(ms, fromStickyQueue);
        throw new RpcError(Code.ALREADY_EXISTS, 'Workflow task already started.');
      }
      if (fromStickyQueue && ms.info.stickyTaskQueue !== pollQueue.name) {
        // The run is no longer sticky to this worker; the task went (or goes) to the normal queue.
        throw notFound('Workflow task not found: the run is no longer on this sticky queue.');
      }
      // A normal-queue poller took over: later tasks go to the normal queue too.
      if (!fromStickyQueue) ms.clearStickyness();
      ms.startWorkflowTask(task, {
        requestId: req.requestId,
        identity: poll.identity,
        suggestContinueAsNewReasons: continueAsNewReasons(ms, ctx.historyLimits),
      });
      return workflowTaskSnapshot(ms, fromStickyQueue);
    });
    const response = await buildWorkflowTaskResponse(ctx.stores, engine.shard.shardId, snapshot);
    return { response: attachWorkflowTaskMessages(ctx, key, snapshot, response) };
  };
}

/**
 * Upstream's limit.historySize/historyCount.suggestContinueAsNew: the started event tells the workflow its history
 * reached a threshold (the event count includes the started event itself).
 */
function continueAsNewReasons(ms: MutableState, limits: HistoryLimits): SuggestContinueAsNewReason[] {
  const reasons: SuggestContinueAsNewReason[] = [];
  const size = Number(ms.info.historySizeBytes);
  if (limits.size.suggestContinueAsNew > 0 && size >= limits.size.suggestContinueAsNew)
    reasons.push(SuggestContinueAsNewReason.SUGGEST_CONTINUE_AS_NEW_REASON_HISTORY_SIZE_TOO_LARGE);
  if (limits.count.suggestContinueAsNew > 0 && ms.info.nextEventId >= limits.count.suggestContinueAsNew)
    reasons.push(SuggestContinueAsNewReason.SUGGEST_CONTINUE_AS_NEW_REASON_TOO_MANY_HISTORY_EVENTS);
  return reasons;
}
