// Building a new run: StartWorkflowExecution, and the runs chained by continue-as-new, workflow retry and cron.
import { randomUUID } from 'node:crypto';
import { cronBackoffMs, msToDuration, type DurationLike } from '@tempora/common';
import type {
  Header,
  Memo,
  Payloads,
  Priority,
  RetryPolicy,
  SearchAttributes,
  WorkflowExecution,
} from '@tempora/proto/common';
import type { ParentInfo } from '@tempora/proto/persistence';
import { EventType, TaskQueueKind, ContinueAsNewInitiator, WorkflowExecutionStatus } from '@tempora/proto/enums';
import type { Failure } from '@tempora/proto/failure';
import type { UserMetadata } from '@tempora/proto/sdk';
import { newMutableState, type MutableState } from './mutable-state.js';
import { normalizeWorkflowTimeouts, type WorkflowTimeouts } from './workflow-timeouts.js';

export interface NewRunParams {
  namespaceId: string;
  workflowId: string;
  runId: string;
  requestId: string;
  workflowType: string;
  taskQueue: string;
  input?: Payloads;
  header?: Header;
  memo?: Memo;
  searchAttributes?: SearchAttributes;
  userMetadata?: UserMetadata;
  priority?: Priority;
  timeouts: WorkflowTimeouts;
  retryPolicy?: RetryPolicy;
  cronSchedule: string;
  attempt: number;
  identity: string;
  firstExecutionRunId: string;
  /** Epoch ms the whole chain must finish by (0 = unbounded); set by the first run, carried by the others. */
  executionExpirationTime: number;
  /** Delay before the first workflow task (start delay, retry backoff, cron). */
  backoffMs: number;
  /** The same delay exactly as the caller gave it (a start delay), echoed by the started event. */
  backoff?: DurationLike;
  /** Eager start: the first workflow task is started for this worker instead of being sent to matching. */
  eagerWorker?: { requestId: string; identity: string };
  continuedExecutionRunId?: string;
  initiator?: ContinueAsNewInitiator;
  continuedFailure?: Failure;
  lastCompletionResult?: Payloads;
  /** Set on a child workflow's runs. */
  parent?: ParentInfo;
  /** A child's root workflow (its parent's root, or its parent); unset for a top-level workflow. */
  rootExecution?: WorkflowExecution;
  /** Records events that must precede the first workflow task (SignalWithStart's signal). */
  beforeFirstWorkflowTask?: (ms: MutableState) => void;
  now: Date;
}

export function buildNewRun(p: NewRunParams): MutableState {
  const now = p.now.getTime();
  const executionTime = new Date(now + p.backoffMs);
  const runExpiration = p.timeouts.runTimeoutMs > 0 ? now + p.backoffMs + p.timeouts.runTimeoutMs : 0;
  // Upstream's started event always carries the backoff, "0s" when there is none.
  const firstWorkflowTaskBackoff = p.backoff ?? msToDuration(p.backoffMs);
  const ms = newMutableState({
    namespaceId: p.namespaceId,
    workflowId: p.workflowId,
    runId: p.runId,
    firstExecutionRunId: p.firstExecutionRunId,
    originalExecutionRunId: p.runId,
    workflowType: p.workflowType,
    taskQueue: p.taskQueue,
    status: WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING,
    startTime: p.now,
    originalStartTime: p.now,
    executionTime,
    workflowExecutionTimeout: p.timeouts.execution,
    workflowRunTimeout: p.timeouts.run,
    defaultWorkflowTaskTimeout: p.timeouts.task,
    executionExpirationTime: p.executionExpirationTime ? new Date(p.executionExpirationTime) : undefined,
    runExpirationTime: runExpiration ? new Date(runExpiration) : undefined,
    attempt: p.attempt,
    retryPolicy: p.retryPolicy,
    cronSchedule: p.cronSchedule,
    memo: p.memo,
    searchAttributes: p.searchAttributes,
    createRequestId: p.requestId,
    header: p.header,
    startInput: p.input,
    firstWorkflowTaskBackoff,
    parent: p.parent,
    priority: p.priority,
    rootExecution: p.rootExecution ?? { workflowId: p.workflowId, runId: p.firstExecutionRunId },
  });
  ms.statusChanged = true;
  ms.addEvent(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED, {
    // The run's start time, which its timeouts count from (the state's own clock may read a millisecond later).
    eventTime: p.now,
    userMetadata: p.userMetadata,
    workflowExecutionStartedEventAttributes: {
      workflowType: { name: p.workflowType },
      taskQueue: { name: p.taskQueue, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
      input: p.input,
      workflowExecutionTimeout: p.timeouts.execution,
      workflowRunTimeout: p.timeouts.run,
      workflowTaskTimeout: p.timeouts.task,
      continuedExecutionRunId: p.continuedExecutionRunId ?? '',
      initiator: p.initiator ?? ContinueAsNewInitiator.CONTINUE_AS_NEW_INITIATOR_UNSPECIFIED,
      continuedFailure: p.continuedFailure,
      lastCompletionResult: p.lastCompletionResult,
      originalExecutionRunId: p.runId,
      identity: p.identity,
      firstExecutionRunId: p.firstExecutionRunId,
      retryPolicy: p.retryPolicy,
      attempt: p.attempt,
      workflowExecutionExpirationTime: p.executionExpirationTime ? new Date(p.executionExpirationTime) : undefined,
      cronSchedule: p.cronSchedule,
      firstWorkflowTaskBackoff,
      memo: p.memo,
      searchAttributes: p.searchAttributes,
      header: p.header,
      workflowId: p.workflowId,
      parentWorkflowNamespace: p.parent?.namespace ?? '',
      parentWorkflowNamespaceId: p.parent?.namespaceId ?? '',
      parentWorkflowExecution: p.parent && { workflowId: p.parent.workflowId, runId: p.parent.runId },
      parentInitiatedEventId: p.parent?.initiatedId ?? 0,
      rootWorkflowExecution: p.rootExecution,
      priority: p.priority,
    },
  });
  p.beforeFirstWorkflowTask?.(ms);
  if (p.backoffMs > 0) {
    ms.addTimerTask(now + p.backoffMs, { workflowBackoff: {} });
  } else {
    ms.scheduleWorkflowTask(1, { eagerWorker: p.eagerWorker });
  }
  // When the run would end with the execution anyway, the execution timeout is what fires (nothing to retry).
  const executionDeadline = p.executionExpirationTime;
  if (runExpiration && (!executionDeadline || runExpiration < executionDeadline)) {
    ms.addTimerTask(runExpiration, { workflowTimeout: { isExecutionTimeout: false } });
  }
  if (executionDeadline) ms.addTimerTask(executionDeadline, { workflowTimeout: { isExecutionTimeout: true } });
  return ms;
}

interface ChainOptions {
  initiator: ContinueAsNewInitiator;
  backoffMs: number;
  attempt?: number;
  continuedFailure?: Failure;
  lastCompletionResult?: Payloads;
  workflowType?: string;
  taskQueue?: string;
  input?: Payloads;
  header?: MutableState['info']['header'];
  memo?: MutableState['info']['memo'];
  searchAttributes?: MutableState['info']['searchAttributes'];
  runTimeout?: { seconds: number; nanos: number };
  taskTimeout?: { seconds: number; nanos: number };
  retryPolicy?: MutableState['info']['retryPolicy'];
  cronSchedule?: string;
}

/** Upstream history.workflowIdReuseMinimalInterval: chained runs start at least this far apart. */
const MIN_RUN_INTERVAL_MS = 1_000;

/** The next cron run's wait, counted from the fire time this run was scheduled for (upstream's ExecutionTime). */
export function nextCronBackoffMs(ms: MutableState): number {
  return cronBackoffMs(ms.info.cronSchedule, ms.info.executionTime ?? ms.info.startTime ?? ms.now, ms.now);
}

/** Builds the next run of this workflow id (continue-as-new, retry, cron), written with this transaction. */
export function chainRun(ms: MutableState, o: ChainOptions): MutableState {
  const info = ms.info;
  if (o.initiator !== ContinueAsNewInitiator.CONTINUE_AS_NEW_INITIATOR_CRON_SCHEDULE) {
    // Prevents tight continue-as-new / retry loops, as upstream does.
    const lifetime = ms.now.getTime() - (info.executionTime ?? info.startTime ?? ms.now).getTime();
    if (lifetime + o.backoffMs < MIN_RUN_INTERVAL_MS) o = { ...o, backoffMs: MIN_RUN_INTERVAL_MS - lifetime };
  }
  const timeouts = normalizeWorkflowTimeouts(
    info.workflowExecutionTimeout,
    o.runTimeout ?? info.workflowRunTimeout,
    o.taskTimeout ?? info.defaultWorkflowTaskTimeout,
  );
  const started = ms.state.executionInfo!;
  const newRun = buildNewRun({
    namespaceId: info.namespaceId,
    workflowId: info.workflowId,
    runId: randomUUID(),
    requestId: randomUUID(),
    workflowType: o.workflowType ?? info.workflowType,
    taskQueue: o.taskQueue ?? info.taskQueue,
    input: o.input ?? info.startInput,
    header: o.header ?? info.header,
    memo: o.memo ?? info.memo,
    searchAttributes: o.searchAttributes ?? info.searchAttributes,
    timeouts,
    retryPolicy: o.retryPolicy ?? info.retryPolicy,
    cronSchedule: o.cronSchedule ?? info.cronSchedule,
    attempt: o.attempt ?? 1,
    identity: '',
    firstExecutionRunId: started.firstExecutionRunId,
    executionExpirationTime: info.executionExpirationTime?.getTime() ?? 0,
    backoffMs: o.backoffMs,
    continuedExecutionRunId: info.runId,
    initiator: o.initiator,
    continuedFailure: o.continuedFailure,
    lastCompletionResult: o.lastCompletionResult,
    parent: info.parent,
    rootExecution: info.parent ? info.rootExecution : undefined,
    priority: info.priority,
    now: ms.now,
  });
  info.newExecutionRunId = newRun.info.runId;
  ms.newRun = newRun;
  return newRun;
}
