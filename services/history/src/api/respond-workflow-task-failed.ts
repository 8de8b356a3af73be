import type { RespondWorkflowTaskFailedRequest, RespondWorkflowTaskFailedResponse } from '@tempora/proto/internal';
import type { DeepPartial } from '@tempora/rpc';
import type { HistoryContext } from '../context.js';
import { decodeWorkflowTaskToken } from '../tokens.js';
import { failWorkflowTask } from '../workflow-task-failure.js';
import { startedTaskForToken } from '../workflow-task-token.js';

export function respondWorkflowTaskFailed(ctx: HistoryContext) {
  return async ({
    request,
  }: RespondWorkflowTaskFailedRequest): Promise<DeepPartial<RespondWorkflowTaskFailedResponse>> => {
    const req = request!;
    const token = decodeWorkflowTaskToken(req.taskToken);
    const engine = ctx.shards.engineFor(token.namespaceId, token.workflowId);
    await engine.executions.update(
      { namespaceId: token.namespaceId, workflowId: token.workflowId, runId: token.runId },
      (ms) => {
        startedTaskForToken(ms, token);
        failWorkflowTask(ms, {
          cause: req.cause,
          failure: req.failure,
          identity: req.identity,
          binaryChecksum: req.binaryChecksum,
        });
      },
    );
    return {};
  };
}
