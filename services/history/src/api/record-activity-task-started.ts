import type { RecordActivityTaskStartedRequest, RecordActivityTaskStartedResponse } from '@tempora/proto/internal';
import { Code, RpcError, notFound, type DeepPartial } from '@tempora/rpc';
import { activityTaskFor, startActivityAttempt } from '../activities.js';
import type { HistoryContext } from '../context.js';

export function recordActivityTaskStarted(ctx: HistoryContext) {
  return async (req: RecordActivityTaskStartedRequest): Promise<DeepPartial<RecordActivityTaskStartedResponse>> => {
    const execution = req.execution!;
    const engine = ctx.shards.engineFor(req.namespaceId, execution.workflowId);
    const key = { namespaceId: req.namespaceId, workflowId: execution.workflowId, runId: execution.runId };
    const identity = req.pollRequest?.identity ?? '';
    return engine.executions.update(key, (ms) => {
      if (!ms.isRunning) throw notFound('Workflow execution already completed.');
      const activity = ms.state.activities[req.scheduledEventId];
      if (!activity || activity.attempt !== req.attempt) throw notFound('Activity task not found.');
      // A task dispatched before PauseActivity is dropped by matching; UnpauseActivity dispatches the attempt again.
      if (activity.paused && activity.startedEventId === 0) {
        throw new RpcError(Code.FAILED_PRECONDITION, 'Activity is paused.');
      }
      if (activity.startedEventId !== 0 && activity.startRequestId !== req.requestId) {
        throw new RpcError(Code.ALREADY_EXISTS, 'Activity task already started.');
      }
      if (activity.startedEventId === 0) {
        startActivityAttempt(ms, activity, { requestId: req.requestId, identity });
      }
      return { response: activityTaskFor(ms, activity, req.pollRequest?.namespace ?? '') };
    });
  };
}
