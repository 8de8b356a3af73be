// Namespace deletion (upstream service/worker/deletenamespace, rewritten): the delete workflow validates, marks the
// namespace DELETED and renames it, so the name is free at once, then starts the reclaim workflow and returns; the
// reclaim workflow deletes every run of the namespace at a bounded rate and finally the namespace record.
import {
  ActivityFailure,
  ApplicationFailure,
  ParentClosePolicy,
  proxyActivities,
  proxyLocalActivities,
  sleep,
  startChild,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { DeleteNamespaceArgs, DeleteNamespaceResult, ReclaimNamespaceResourcesArgs } from '@tempora/common';
import type { NamespaceDeletionActivities } from '../namespace-deletion-activities.js';

// Values duplicated from @tempora/common: the sandbox bundle imports types only from there.
const RECLAIM_NAMESPACE_RESOURCES_WORKFLOW_TYPE = 'temporal-sys-reclaim-namespace-resources-workflow';
const PER_NAMESPACE_TASK_QUEUE = 'temporal-sys-per-ns-tq';
/** Upstream's error types the frontend maps to gRPC codes (FAILED_PRECONDITION, INVALID_ARGUMENT). */
const CALLER_ERRORS = new Set(['InvalidArgument', 'FailedPrecondition']);
/**
 * Before deleting runs, wait until every process's namespace cache has seen the DELETED state (the registry
 * re-reads every 10 s), so no process still starts runs in the namespace; upstream waits its refresh interval + 2 s.
 */
const NAMESPACE_CACHE_REFRESH_MS = 12_000;
/** Rounds without a single deletion before the reclaim workflow gives up (upstream's NoProgress). */
const MAX_ROUNDS_WITHOUT_PROGRESS = 30;

const local = proxyLocalActivities<NamespaceDeletionActivities>({
  startToCloseTimeout: '30s',
  scheduleToCloseTimeout: '5m',
  retry: { initialInterval: '1s', maximumInterval: '10s' },
});

const remote = proxyActivities<NamespaceDeletionActivities>({
  startToCloseTimeout: '1h',
  heartbeatTimeout: '30s',
  retry: { initialInterval: '1s', maximumInterval: '30s' },
});

/** A caller's mistake surfaces as the workflow's own failure, so DeleteNamespace can answer with its code. */
function unwrapCallerError(err: unknown): unknown {
  if (
    err instanceof ActivityFailure &&
    err.cause instanceof ApplicationFailure &&
    CALLER_ERRORS.has(err.cause.type ?? '')
  ) {
    return err.cause;
  }
  return err;
}

export async function deleteNamespaceWorkflow(args: DeleteNamespaceArgs): Promise<DeleteNamespaceResult> {
  if (!args.namespace === !args.namespaceId) {
    throw ApplicationFailure.nonRetryable('exactly one of namespace or namespace ID must be set', 'InvalidArgument');
  }
  try {
    const { namespaceId, namespace } = await local.getNamespaceInfo(args);
    await local.markNamespaceDeleted(namespaceId);
    const deletedNamespace = await local.generateDeletedNamespaceName(namespaceId, namespace);
    await local.renameNamespace(namespaceId, deletedNamespace);
    const reclaim: ReclaimNamespaceResourcesArgs = { namespace: deletedNamespace, namespaceId };
    try {
      await startChild(RECLAIM_NAMESPACE_RESOURCES_WORKFLOW_TYPE, {
        workflowId: `${RECLAIM_NAMESPACE_RESOURCES_WORKFLOW_TYPE}/${deletedNamespace}`,
        taskQueue: PER_NAMESPACE_TASK_QUEUE,
        args: [reclaim],
        // The reclaim outlives this workflow, which ends as soon as the name is free.
        parentClosePolicy: ParentClosePolicy.ABANDON,
        retry: { initialInterval: '60s', maximumAttempts: 3 },
      });
    } catch (err) {
      // A repeated DeleteNamespace of the renamed namespace finds its reclaim already running.
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
    return { deletedNamespace, deletedNamespaceId: namespaceId };
  } catch (err) {
    throw unwrapCallerError(err);
  }
}

export async function reclaimNamespaceResourcesWorkflow(args: ReclaimNamespaceResourcesArgs): Promise<void> {
  await sleep(NAMESPACE_CACHE_REFRESH_MS);
  let roundsWithoutProgress = 0;
  for (;;) {
    const { deleted, remaining } = await remote.deleteExecutions(args.namespaceId);
    if (remaining === 0) break;
    roundsWithoutProgress = deleted > 0 ? 0 : roundsWithoutProgress + 1;
    if (roundsWithoutProgress >= MAX_ROUNDS_WITHOUT_PROGRESS) {
      throw ApplicationFailure.nonRetryable(
        `no progress was made: ${remaining} executions are still exist`,
        'NoProgress',
      );
    }
    // Runs asked to delete while running go once their close is processed; look again shortly.
    if (deleted === 0) await sleep(1_000);
  }
  await local.deleteNamespace(args.namespaceId);
}
