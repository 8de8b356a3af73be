import { randomUUID } from 'node:crypto';
import { capDuration, cronBackoffMs, durationToMs, isZeroDuration } from '@tempora/common';
import {
  CurrentWorkflowConditionFailedError,
  ExecutionState,
  type CurrentExecutionCondition,
  type CurrentExecutionRow,
} from '@tempora/persistence';
import {
  ContinueAsNewInitiator,
  WorkflowExecutionStatus,
  WorkflowIdConflictPolicy,
  WorkflowIdReusePolicy,
} from '@tempora/proto/enums';
import type { WorkflowExecution } from '@tempora/proto/common';
import type {
  PollWorkflowTaskQueueResponse,
  StartWorkflowExecutionRequest as UpstreamStartRequest,
} from '@tempora/proto/workflowservice';
import type {
  ParentExecutionInfo,
  StartWorkflowExecutionRequest,
  StartWorkflowExecutionResponse,
} from '@tempora/proto/internal';
import { workflowAlreadyStarted, type DeepPartial } from '@tempora/rpc';
import { terminateRun } from '../close-run.js';
import type { HistoryContext } from '../context.js';
import type { MutableState } from '../mutable-state.js';
import { buildNewRun } from '../new-run.js';
import { normalizeWorkflowTimeouts } from '../workflow-timeouts.js';
import { withRetryDefaults } from '../retry.js';
import { buildWorkflowTaskResponse, workflowTaskSnapshot } from '../workflow-task-response.js';

const FAILED_STATUSES = new Set([
  WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_FAILED,
  WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_CANCELED,
  WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_TERMINATED,
  WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_TIMED_OUT,
]);

export function startWorkflowExecution(ctx: HistoryContext) {
  return async ({
    namespaceId,
    request,
    parentExecutionInfo,
    rootExecution,
  }: StartWorkflowExecutionRequest): Promise<DeepPartial<StartWorkflowExecutionResponse>> => {
    return {
      response: await startWorkflow(ctx, namespaceId, request!, {
        parent: parentExecutionInfo,
        rootExecution,
        eager: request!.requestEagerExecution,
      }),
    };
  };
}

export interface StartOptions {
  parent?: ParentExecutionInfo;
  rootExecution?: WorkflowExecution;
  /** Called with the running current run instead of the conflict policy (SignalWithStart signals it). */
  onRunning?: (current: CurrentExecutionRow) => Promise<{ runId: string; started: boolean } | undefined>;
  /** Events the new run records before its first workflow task is scheduled (SignalWithStart's signal). */
  beforeFirstWorkflowTask?: (ms: MutableState) => void;
  /**
   * request_eager_execution: the caller's worker takes the first workflow task, started in the start's own write
   * and answered with the start. Upstream grants it unless the first task waits (start delay, cron).
   */
  eager?: boolean;
}

export interface StartResult {
  runId: string;
  started: boolean;
  eagerWorkflowTask?: DeepPartial<PollWorkflowTaskQueueResponse>;
}

/** Starts a run under the workflow id reuse and conflict policies. */
export async function startWorkflow(
  ctx: HistoryContext,
  namespaceId: string,
  req: WorkflowStartRequest,
  options: StartOptions = {},
): Promise<StartResult> {
  const engine = ctx.shards.engineFor(namespaceId, req.workflowId);
  const requestId = req.requestId || randomUUID();
  // As upstream: a start's first attempt creates the run as brand-new without reading the current row; when one
  // exists, the refusal carries it and the policies decide on it (SignalWithStart, which usually finds its run
  // running, reads first). A lost race with another start decides again.
  let known: { current: CurrentExecutionRow | undefined } | undefined = options.onRunning
    ? undefined
    : { current: undefined };
  for (let attempt = 1; ; attempt++) {
    const current = known ? known.current : await engine.executions.getCurrent(namespaceId, req.workflowId);
    known = undefined;
    let condition: CurrentExecutionCondition = { kind: 'brand-new' };
    if (current) {
      if (current.createRequestId === requestId) return { runId: current.runId, started: true };
      const running = current.state !== ExecutionState.Completed;
      if (running) {
        const conflict = req.workflowIdConflictPolicy;
        const terminateExisting =
          conflict === WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_TERMINATE_EXISTING ||
          req.workflowIdReusePolicy === WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_TERMINATE_IF_RUNNING;
        if (!terminateExisting && options.onRunning) {
          const result = await options.onRunning(current);
          if (result) return result;
          continue; // it closed in the meantime
        }
        if (conflict === WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING) {
          return { runId: current.runId, started: false };
        }
        if (!terminateExisting) {
          throw workflowAlreadyStarted(
            `Workflow execution is already running. WorkflowId: ${req.workflowId}, RunId: ${current.runId}.`,
            current.createRequestId,
            current.runId,
          );
        }
        await engine.executions.update({ namespaceId, workflowId: req.workflowId, runId: current.runId }, (ms) => {
          if (ms.isRunning) terminateRun(ms, 'terminated by new StartWorkflowExecution', undefined, req.identity);
        });
      } else {
        const reuse = req.workflowIdReusePolicy;
        if (reuse === WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE) {
          throw workflowAlreadyStarted(
            `Workflow execution already finished. WorkflowId: ${req.workflowId}, RunId: ${current.runId}. Workflow ID reuse policy: reject duplicate.`,
            current.createRequestId,
            current.runId,
          );
        }
        if (
          reuse === WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY &&
          !FAILED_STATUSES.has(current.status)
        ) {
          throw workflowAlreadyStarted(
            `Workflow execution already finished successfully. WorkflowId: ${req.workflowId}, RunId: ${current.runId}. Workflow ID reuse policy: allow duplicate workflow ID if last run failed.`,
            current.createRequestId,
            current.runId,
          );
        }
      }
      condition = { kind: 'replace-current', previousRunId: current.runId };
    }

    const now = new Date();
    const runId = randomUUID();
    const timeouts = normalizeWorkflowTimeouts(
      req.workflowExecutionTimeout,
      req.workflowRunTimeout,
      req.workflowTaskTimeout,
    );
    const parent = options.parent;
    // A cron workflow's first run waits for the schedule's first fire time.
    const backoffMs = !isZeroDuration(req.workflowStartDelay)
      ? durationToMs(req.workflowStartDelay)
      : req.cronSchedule
        ? cronBackoffMs(req.cronSchedule, now, now)
        : 0;
    const eagerWorker =
      options.eager && isZeroDuration(req.workflowStartDelay) && backoffMs === 0
        ? { requestId, identity: req.identity }
        : undefined;
    const ms = buildNewRun({
      namespaceId,
      workflowId: req.workflowId,
      runId,
      requestId,
      workflowType: req.workflowType!.name,
      taskQueue: req.taskQueue!.name,
      input: req.input,
      header: req.header,
      memo: req.memo,
      searchAttributes: req.searchAttributes,
      userMetadata: req.userMetadata,
      priority: req.priority,
      timeouts,
      // Upstream stores a given policy with its defaults filled in (backoff 2, maximum 100x initial).
      retryPolicy: req.retryPolicy && withRetryDefaults(req.retryPolicy),
      cronSchedule: req.cronSchedule,
      attempt: 1,
      identity: req.identity,
      firstExecutionRunId: runId,
      executionExpirationTime: timeouts.executionTimeoutMs > 0 ? now.getTime() + timeouts.executionTimeoutMs : 0,
      backoffMs,
      eagerWorker,
      backoff: isZeroDuration(req.workflowStartDelay) ? undefined : capDuration(req.workflowStartDelay),
      // Upstream marks even the first run of a cron workflow as started by its schedule.
      initiator: req.cronSchedule ? ContinueAsNewInitiator.CONTINUE_AS_NEW_INITIATOR_CRON_SCHEDULE : undefined,
      parent: parent && {
        namespaceId: parent.namespaceId,
        namespace: parent.namespace,
        workflowId: parent.execution!.workflowId,
        runId: parent.execution!.runId,
        initiatedId: parent.initiatedId,
      },
      rootExecution: options.rootExecution,
      beforeFirstWorkflowTask: options.beforeFirstWorkflowTask,
      now,
    });
    try {
      await engine.executions.create(ms, condition);
    } catch (err) {
      if (err instanceof CurrentWorkflowConditionFailedError && attempt < 4) {
        known = { current: err.current };
        continue;
      }
      throw err;
    }
    if (!eagerWorker) return { runId, started: true };
    const eagerWorkflowTask = await buildWorkflowTaskResponse(
      ctx.stores,
      engine.shard.shardId,
      workflowTaskSnapshot(ms, false),
    );
    return { runId, started: true, eagerWorkflowTask };
  }
}

/** The start fields StartWorkflowExecution and SignalWithStartWorkflowExecution share. */
export type WorkflowStartRequest = Pick<
  UpstreamStartRequest,
  | 'workflowId'
  | 'workflowType'
  | 'taskQueue'
  | 'input'
  | 'workflowExecutionTimeout'
  | 'workflowRunTimeout'
  | 'workflowTaskTimeout'
  | 'identity'
  | 'requestId'
  | 'workflowIdReusePolicy'
  | 'workflowIdConflictPolicy'
  | 'retryPolicy'
  | 'cronSchedule'
  | 'memo'
  | 'searchAttributes'
  | 'header'
  | 'workflowStartDelay'
  | 'userMetadata'
  | 'priority'
>;
