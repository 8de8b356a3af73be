// UpdateWorkflowExecutionOptions (upstream service/history/api/updateworkflowoptions): merges the masked fields into
// the run's options; a change writes WorkflowExecutionOptionsUpdated (full priority, the override or
// unset_versioning_override), no change writes nothing. The frontend has validated the mask and the override.
import type { Priority } from '@tempora/proto/common';
import { EventType } from '@tempora/proto/enums';
import type {
  UpdateWorkflowExecutionOptionsRequest,
  UpdateWorkflowExecutionOptionsResponse,
} from '@tempora/proto/internal';
import { WorkflowExecutionOptions } from '@tempora/proto/workflow';
import type { DeepPartial } from '@tempora/rpc';
import type { HistoryContext } from '../context.js';
import { targetRun, workflowCompleted } from '../run-target.js';

const camel = (path: string) => path.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

export function updateWorkflowExecutionOptions(ctx: HistoryContext) {
  return async ({
    namespaceId,
    request,
  }: UpdateWorkflowExecutionOptionsRequest): Promise<DeepPartial<UpdateWorkflowExecutionOptionsResponse>> => {
    const req = request!;
    const engine = ctx.shards.engineFor(namespaceId, req.workflowExecution!.workflowId);
    const key = await targetRun(engine, namespaceId, req.workflowExecution!);
    const update = req.workflowExecutionOptions!;
    const paths = (req.updateMask ?? []).map(camel);
    return engine.executions.update(key, (ms) => {
      if (!ms.isRunning) throw workflowCompleted();
      const info = ms.info;
      const before = WorkflowExecutionOptions.fromPartial({
        versioningOverride: info.versioningOverride,
        priority: info.priority,
      });
      const after = WorkflowExecutionOptions.fromPartial(before);
      for (const path of paths) {
        if (path.startsWith('versioningOverride')) {
          after.versioningOverride = update.versioningOverride;
        } else if (path === 'priority') {
          after.priority = update.priority;
        } else if (path.startsWith('priority.')) {
          const field = path.slice('priority.'.length) as keyof Priority;
          const merged: Record<string, unknown> = { ...(after.priority ?? {}) };
          merged[field] = update.priority?.[field];
          after.priority = merged as unknown as Priority;
        }
      }
      const encode = (o: WorkflowExecutionOptions) => Buffer.from(WorkflowExecutionOptions.encode(o).finish());
      if (!encode(before).equals(encode(after))) {
        info.versioningOverride = after.versioningOverride;
        info.priority = after.priority;
        ms.addEvent(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_OPTIONS_UPDATED, {
          workflowExecutionOptionsUpdatedEventAttributes: {
            versioningOverride: after.versioningOverride,
            unsetVersioningOverride: !after.versioningOverride,
            priority: after.priority,
            identity: req.identity,
          },
        });
      }
      return { response: { workflowExecutionOptions: after } };
    });
  };
}
