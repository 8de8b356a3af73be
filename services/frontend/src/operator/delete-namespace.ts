// OperatorService.DeleteNamespace, as upstream: it starts temporal-sys-delete-namespace-workflow in temporal-system
// (the worker service runs it) and waits for it. The workflow marks the namespace DELETED and renames it to
// `<name>-deleted-<5 chars of its id>`, so the name can be registered again at once, and starts the reclaim workflow
// that deletes the namespace's runs in the background and then the namespace record.
import { randomUUID } from 'node:crypto';
import {
  DELETE_NAMESPACE_WORKFLOW_TYPE,
  PER_NAMESPACE_TASK_QUEUE,
  SYSTEM_NAMESPACE,
  type DeleteNamespaceArgs,
  type DeleteNamespaceResult,
} from '@tempora/common';
import {
  EventType,
  HistoryEventFilterType,
  WorkflowIdConflictPolicy,
  WorkflowIdReusePolicy,
} from '@tempora/proto/enums';
import type { NamespaceRef } from '@tempora/namespace';
import type { HistoryEvent } from '@tempora/proto/history';
import type { DeleteNamespaceRequest, DeleteNamespaceResponse } from '@tempora/proto/operatorservice';
import {
  Code,
  RpcError,
  failedPrecondition,
  invalidArgument,
  unavailable,
  type CallContext,
  type DeepPartial,
} from '@tempora/rpc';
import type { FrontendContext } from '../context.js';
import { decodeJsonPayload, jsonPayloads } from '../schedules.js';

/** How long a call without a deadline waits for the workflow (it marks and renames within seconds). */
const DEFAULT_WAIT_MS = 60_000;
/** How long a call waits for the worker service to register temporal-system, and how often it looks. */
const SYSTEM_NAMESPACE_WAIT_MS = 10_000;
const SYSTEM_NAMESPACE_POLL_MS = 200;
/** The workflow's caller errors (upstream deletenamespace/errors) and the code DeleteNamespace answers with. */
const CALLER_ERROR_CODES: Record<string, Code> = {
  InvalidArgument: Code.INVALID_ARGUMENT,
  FailedPrecondition: Code.FAILED_PRECONDITION,
};

export function deleteNamespace(ctx: FrontendContext) {
  return async (request: DeleteNamespaceRequest, call: CallContext): Promise<DeepPartial<DeleteNamespaceResponse>> => {
    if (request.namespace && request.namespaceId) {
      throw invalidArgument('Only one of namespace name or Id should be set on request.');
    }
    if (!request.namespace && !request.namespaceId) throw invalidArgument('Namespace not set on request.');
    // Unknown namespaces answer NOT_FOUND here, as upstream's namespace validator does before the workflow runs.
    const record = request.namespaceId
      ? await ctx.namespaces.getById(request.namespaceId, { fresh: true })
      : await ctx.namespaces.getByName(request.namespace, { fresh: true });
    const name = record.info!.name;
    if (name === SYSTEM_NAMESPACE) throw failedPrecondition('unable to delete system namespace');
    const system = await systemNamespace(ctx, call);

    const workflowId = `${DELETE_NAMESPACE_WORKFLOW_TYPE}/${name}`;
    const args: DeleteNamespaceArgs = { namespace: name, namespaceId: '' };
    const { response: started } = await ctx.history.startWorkflowExecution(
      {
        namespaceId: system.id,
        request: {
          namespace: SYSTEM_NAMESPACE,
          workflowId,
          workflowType: { name: DELETE_NAMESPACE_WORKFLOW_TYPE },
          taskQueue: { name: PER_NAMESPACE_TASK_QUEUE },
          input: jsonPayloads(args),
          identity: 'tempora-frontend',
          requestId: randomUUID(),
          workflowIdReusePolicy: WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
          // A second DeleteNamespace while one runs waits for the same run.
          workflowIdConflictPolicy: WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
        },
      },
      call,
    );
    const runId = started?.runId ?? '';
    const close = await closeEvent(ctx, system.id, workflowId, runId, call);
    const result = outcome(close, workflowId, runId);
    ctx.logger.info({ namespace: name, deletedNamespace: result.deletedNamespace }, 'namespace marked deleted');
    return { deletedNamespace: result.deletedNamespace };
  };
}

/**
 * The worker service registers temporal-system once the frontend answers; a call in the first moments of a cluster
 * (or before the worker service is deployed) waits a little for it rather than failing at once.
 */
async function systemNamespace(ctx: FrontendContext, call: CallContext): Promise<NamespaceRef> {
  const until = Math.min(call.deadline, Date.now() + SYSTEM_NAMESPACE_WAIT_MS);
  for (;;) {
    const system = await ctx.namespaces.refByName(SYSTEM_NAMESPACE);
    if (system) return system;
    if (Date.now() + SYSTEM_NAMESPACE_POLL_MS >= until || call.signal.aborted) {
      throw unavailable(
        `unable to start ${DELETE_NAMESPACE_WORKFLOW_TYPE} workflow: the worker service is not running`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, SYSTEM_NAMESPACE_POLL_MS));
  }
}

async function closeEvent(
  ctx: FrontendContext,
  namespaceId: string,
  workflowId: string,
  runId: string,
  call: CallContext,
): Promise<HistoryEvent> {
  const deadline = Number.isFinite(call.deadline) ? call.deadline : Date.now() + DEFAULT_WAIT_MS;
  while (Date.now() < deadline && !call.signal.aborted) {
    const page = await ctx.history.getWorkflowExecutionHistory(
      {
        namespaceId,
        request: {
          namespace: SYSTEM_NAMESPACE,
          execution: { workflowId, runId },
          waitNewEvent: true,
          historyEventFilterType: HistoryEventFilterType.HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT,
        },
      },
      { ...call, deadline },
    );
    const event = page.response?.history?.events[0];
    if (event) return event;
  }
  throw new RpcError(
    Code.DEADLINE_EXCEEDED,
    `${workflowId} (run ${runId}) did not finish before the deadline; the namespace deletion goes on`,
  );
}

function outcome(event: HistoryEvent, workflowId: string, runId: string): DeleteNamespaceResult {
  if (event.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED) {
    const result = decodeJsonPayload<DeleteNamespaceResult>(
      event.workflowExecutionCompletedEventAttributes?.result?.payloads[0],
    );
    if (result) return result;
  }
  const failure = event.workflowExecutionFailedEventAttributes?.failure;
  const code = CALLER_ERROR_CODES[failure?.applicationFailureInfo?.type ?? ''];
  if (failure && code !== undefined) throw new RpcError(code, failure.message);
  throw unavailable(
    `system workflow ${workflowId} (run ${runId}) did not complete: ${failure?.message ?? EventType[event.eventType]}`,
  );
}
