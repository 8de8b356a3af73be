// The contract between the frontend's schedule RPCs and the scheduler workflow the worker service runs (upstream's
// service/worker/scheduler names). Payloads are json/plain of these plain objects: the workflow runs in the SDK's
// sandbox and sees plain data only. The Schedule proto travels opaque (base64 of its binary encoding) beside the
// parts the workflow reads and changes (spec as proto3 JSON, policies, state), which win over the opaque copy.
/** A ScheduleSpec in proto3 JSON (@tempora/schedule's ScheduleSpecJson; common does not depend on it). */
export type ScheduleSpecJsonData = Record<string, unknown>;

/** The scheduler workflow of schedule S runs in S's namespace with id WORKFLOW_ID_PREFIX + S. */
export const SCHEDULER_WORKFLOW_ID_PREFIX = 'temporal-sys-scheduler:';
export const SCHEDULER_WORKFLOW_TYPE = 'temporal-sys-scheduler-workflow';
/** The task queue of the worker service's per-namespace workers (upstream primitives.PerNSWorkerTaskQueue). */
export const PER_NAMESPACE_TASK_QUEUE = 'temporal-sys-per-ns-tq';
/** The internal namespace of system-wide workflows (upstream primitives.SystemLocalNamespace). */
export const SYSTEM_NAMESPACE = 'temporal-system';
/** TemporalNamespaceDivision of scheduler workflows: visibility hides them unless a query names it. */
export const SCHEDULER_NAMESPACE_DIVISION = 'TemporalScheduler';
export const SCHEDULER_SIGNAL_UPDATE = 'update';
export const SCHEDULER_SIGNAL_PATCH = 'patch';
export const SCHEDULER_SIGNAL_REFRESH = 'refresh';
export const SCHEDULER_QUERY_DESCRIBE = 'describe';
/** The memo field holding the ScheduleListInfo that ListSchedules returns. */
export const SCHEDULER_MEMO_INFO = 'ScheduleInfo';
export const SCHEDULER_INITIAL_CONFLICT_TOKEN = 1;
/** Upstream's list query base (VisibilityListQueryV1). */
export const SCHEDULER_LIST_QUERY = `TemporalNamespaceDivision = '${SCHEDULER_NAMESPACE_DIVISION}' AND ExecutionStatus = 'Running'`;

export interface SchedulePoliciesData {
  /** ScheduleOverlapPolicy number; 0 = unspecified (skip). */
  overlapPolicy: number;
  /** ms; undefined = default (one year). */
  catchupWindowMs?: number;
  pauseOnFailure: boolean;
  keepOriginalWorkflowId: boolean;
}

export interface ScheduleStateData {
  notes: string;
  paused: boolean;
  limitedActions: boolean;
  remainingActions: number;
}

export interface ScheduleData {
  /** Base64 of the binary Schedule (action and everything else the workflow does not read). */
  encoded: string;
  spec: ScheduleSpecJsonData;
  policies: SchedulePoliciesData;
  state: ScheduleStateData;
  /** The action's workflow id and type, for ids and the list info. */
  workflowId: string;
  workflowType: string;
}

export interface ActionResultData {
  scheduleTimeMs: number;
  actualTimeMs: number;
  workflowId: string;
  runId: string;
  /** WorkflowExecutionStatus number. */
  status: number;
}

export interface ScheduleInfoData {
  actionCount: number;
  missedCatchupWindow: number;
  overlapSkipped: number;
  bufferDropped: number;
  bufferSize: number;
  runningWorkflows: { workflowId: string; runId: string }[];
  recentActions: ActionResultData[];
  futureActionTimesMs: number[];
  createTimeMs: number;
  updateTimeMs?: number;
  invalidScheduleError: string;
}

export interface TriggerData {
  overlapPolicy: number;
  scheduledTimeMs?: number;
}

export interface BackfillData {
  startTimeMs: number;
  endTimeMs: number;
  overlapPolicy: number;
}

export interface SchedulePatchData {
  triggerImmediately?: TriggerData;
  backfillRequest: BackfillData[];
  pause: string;
  unpause: string;
}

export interface SchedulerArgs {
  schedule: ScheduleData;
  info?: ScheduleInfoData;
  initialPatch?: SchedulePatchData;
  state: SchedulerInternalState;
}

export interface BufferedStartData {
  nominalTimeMs: number;
  actualTimeMs: number;
  overlapPolicy: number;
  manual: boolean;
}

export interface SchedulerInternalState {
  namespace: string;
  namespaceId: string;
  scheduleId: string;
  conflictToken: number;
  lastProcessedTimeMs?: number;
  bufferedStarts?: BufferedStartData[];
  ongoingBackfills?: BackfillData[];
  needRefresh?: boolean;
}

export interface ScheduleUpdateData {
  schedule: ScheduleData;
  conflictToken: number;
  /** The new custom search attributes, each value decoded from its json/plain payload; undefined = leave them. */
  searchAttributes?: Record<string, unknown>;
}

export interface DescribeResult {
  schedule: ScheduleData;
  info: ScheduleInfoData;
  conflictToken: number;
}

/** The memo the workflow keeps for ListSchedules. */
export interface ScheduleListInfoData {
  spec: ScheduleSpecJsonData;
  workflowType: string;
  notes: string;
  paused: boolean;
  recentActions: ActionResultData[];
  futureActionTimesMs: number[];
}

/** The start-workflow activity's request: the action of the encoded schedule, at a nominal time. */
export interface StartScheduledWorkflowRequest {
  namespace: string;
  scheduleId: string;
  encodedSchedule: string;
  workflowId: string;
  nominalTimeMs: number;
  requestId: string;
  identity: string;
  /** WorkflowIdReusePolicy number. */
  workflowIdReusePolicy: number;
}

export interface WatchWorkflowRequest {
  namespace: string;
  workflowId: string;
  runId: string;
  longPoll: boolean;
}

export interface WatchWorkflowResult {
  /** WorkflowExecutionStatus number; 0 = not found. */
  status: number;
  closeTimeMs?: number;
  failureMessage?: string;
}
