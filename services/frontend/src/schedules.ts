// What the schedule RPCs share: the scheduler workflow's ids, the plain-data contract with it (@tempora/common's
// scheduler module), upstream's validation and the conversions between the protos and that contract.
import {
  SCHEDULER_MEMO_INFO,
  SCHEDULER_QUERY_DESCRIBE,
  type DescribeResult,
  SCHEDULER_WORKFLOW_ID_PREFIX,
  type ActionResultData,
  type ScheduleData,
  type ScheduleInfoData,
  type ScheduleListInfoData,
  type SchedulePatchData,
} from '@tempora/common';
import {
  canonicalSpec,
  compileSpec,
  nextTime,
  ScheduleSpecError,
  type CompiledSpec,
  type ScheduleSpecJson,
} from '@tempora/schedule';
import { scheduleSpecFromJson, scheduleSpecToJson } from '@tempora/schedule/proto';
import type { Memo, Payload, Payloads, SearchAttributes } from '@tempora/proto/common';
import {
  Schedule,
  type ScheduleActionResult,
  type ScheduleInfo,
  type ScheduleListInfo,
  type SchedulePatch,
} from '@tempora/proto/schedule';
import type { NewWorkflowExecutionInfo } from '@tempora/proto/workflow';
import type { NamespaceRecord } from '@tempora/proto/persistence';
import { internalError, invalidArgument, notFound, type CallContext, type DeepPartial } from '@tempora/rpc';
import type { WorkflowExecutionInfo } from '@tempora/proto/workflow';
import { WorkflowExecutionStatus, WorkflowIdReusePolicy } from '@tempora/proto/enums';
import type { FrontendContext } from './context.js';
import { MAX_ID_LENGTH } from './namespaces.js';
import { validateDuration, validateTaskQueue, validateWorkflowId } from './validation.js';
import { validateRequestSearchAttributes } from './visibility.js';

/** Upstream's scheduler.AppendedTimestampForValidation: the suffix a started workflow's id gets. */
const APPENDED_TIMESTAMP_FOR_VALIDATION = '-2009-11-10T23:00:00Z';
/** common.ScheduleNotesSizeLimit */
export const SCHEDULE_NOTES_SIZE_LIMIT = 1000;
const DEFAULT_CATCHUP_WINDOW_MS = 365 * 24 * 3600_000;
const MIN_CATCHUP_WINDOW_MS = 10_000;
const OVERLAP_SKIP = 1;
const FUTURE_ACTION_COUNT_FOR_LIST = 5;

export function schedulerWorkflowId(scheduleId: string): string {
  return SCHEDULER_WORKFLOW_ID_PREFIX + scheduleId;
}

export function jitterSeed(namespaceId: string, scheduleId: string): string {
  return `${namespaceId}-${scheduleId}`;
}

export function jsonPayloads(value: unknown): DeepPartial<Payloads> {
  return { payloads: [jsonPayload(value)] };
}

export function jsonPayload(value: unknown): DeepPartial<Payload> {
  return { metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from(JSON.stringify(value)) };
}

export function decodeJsonPayload<T>(payload: Payload | undefined): T | undefined {
  if (!payload) return undefined;
  return JSON.parse(Buffer.from(payload.data).toString('utf8')) as T;
}

/**
 * Upstream's canonicalizeScheduleSpec: the compiled spec and the canonical form the schedule keeps and describes
 * (cron strings and string calendars become structured calendars and intervals, as the Web UI reads them), or
 * INVALID_ARGUMENT with the engine's message.
 */
export function compileScheduleSpec(schedule: Schedule): { compiled: CompiledSpec; json: ScheduleSpecJson } {
  try {
    const compiled = compileSpec(scheduleSpecToJson(schedule.spec ?? scheduleSpecFromJson({})));
    return { compiled, json: canonicalSpec(compiled) };
  } catch (err) {
    if (err instanceof ScheduleSpecError) throw invalidArgument(err.message);
    throw err;
  }
}

/**
 * validateStartWorkflowArgsForSchedule. A schedule without an action is accepted, as the official server does (its
 * scheduler then starts nothing).
 */
export function validateScheduleAction(namespace: NamespaceRecord, schedule: Schedule): void {
  const start = schedule.action?.startWorkflow;
  if (!start) return;
  validateStartAction(namespace, start);
}

function validateStartAction(namespace: NamespaceRecord, start: NewWorkflowExecutionInfo): void {
  validateWorkflowId(start.workflowId + APPENDED_TIMESTAMP_FOR_VALIDATION);
  if (!start.workflowType?.name) throw invalidArgument('WorkflowType is not set on request.');
  if (start.workflowType.name.length > MAX_ID_LENGTH) throw invalidArgument('WorkflowType length exceeds limit.');
  validateTaskQueue(start.taskQueue);
  validateDuration(start.workflowExecutionTimeout, 'Invalid WorkflowExecutionTimeout.');
  validateDuration(start.workflowRunTimeout, 'Invalid WorkflowRunTimeout.');
  validateDuration(start.workflowTaskTimeout, 'Invalid WorkflowTaskTimeout.');
  if (start.cronSchedule) throw invalidArgument('Scheduled workflow must not contain CronSchedule');
  if (
    start.workflowIdReusePolicy !== WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_UNSPECIFIED &&
    start.workflowIdReusePolicy !== WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE
  ) {
    throw invalidArgument('Scheduled workflow must not contain WorkflowIDReusePolicy');
  }
  validateRequestSearchAttributes(namespace, start.searchAttributes);
}

const durationMs = (d: { seconds: number; nanos: number } | undefined) =>
  d ? d.seconds * 1000 + Math.round(d.nanos / 1e6) : undefined;
const msDuration = (ms: number) => ({ seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 });

/** The workflow's view of a schedule: the opaque proto beside the parts it reads and changes. */
export function toScheduleData(schedule: Schedule, spec: ScheduleSpecJson): ScheduleData {
  const policies = schedule.policies;
  const state = schedule.state;
  return {
    encoded: Buffer.from(Schedule.encode(schedule).finish()).toString('base64'),
    spec: spec as Record<string, unknown>,
    policies: {
      overlapPolicy: policies?.overlapPolicy ?? 0,
      catchupWindowMs: durationMs(policies?.catchupWindow),
      pauseOnFailure: policies?.pauseOnFailure ?? false,
      keepOriginalWorkflowId: policies?.keepOriginalWorkflowId ?? false,
    },
    state: {
      notes: state?.notes ?? '',
      paused: state?.paused ?? false,
      limitedActions: state?.limitedActions ?? false,
      remainingActions: Number(state?.remainingActions ?? 0),
    },
    workflowId: schedule.action?.startWorkflow?.workflowId ?? '',
    workflowType: schedule.action?.startWorkflow?.workflowType?.name ?? '',
  };
}

/** The Schedule DescribeSchedule returns, with upstream's defaults filled in (ensureFields). */
export function fromScheduleData(data: ScheduleData): DeepPartial<Schedule> {
  const schedule = Schedule.decode(Buffer.from(data.encoded, 'base64'));
  const cw = data.policies.catchupWindowMs;
  return {
    ...schedule,
    spec: scheduleSpecFromJson(data.spec as ScheduleSpecJson),
    policies: {
      overlapPolicy: data.policies.overlapPolicy || OVERLAP_SKIP,
      catchupWindow: msDuration(cw ? Math.max(cw, MIN_CATCHUP_WINDOW_MS) : DEFAULT_CATCHUP_WINDOW_MS),
      pauseOnFailure: data.policies.pauseOnFailure,
      keepOriginalWorkflowId: data.policies.keepOriginalWorkflowId,
    },
    state: { ...data.state },
  };
}

function actionResult(a: ActionResultData): DeepPartial<ScheduleActionResult> {
  return {
    scheduleTime: new Date(a.scheduleTimeMs),
    actualTime: new Date(a.actualTimeMs),
    startWorkflowResult: { workflowId: a.workflowId, runId: a.runId },
    startWorkflowStatus: a.status,
  };
}

export function fromInfoData(info: ScheduleInfoData): DeepPartial<ScheduleInfo> {
  return {
    actionCount: info.actionCount,
    missedCatchupWindow: info.missedCatchupWindow,
    overlapSkipped: info.overlapSkipped,
    bufferDropped: info.bufferDropped,
    bufferSize: info.bufferSize,
    runningWorkflows: info.runningWorkflows,
    recentActions: info.recentActions.map(actionResult),
    futureActionTimes: info.futureActionTimesMs.map((t) => new Date(t)),
    createTime: new Date(info.createTimeMs),
    updateTime: info.updateTimeMs === undefined ? undefined : new Date(info.updateTimeMs),
    invalidScheduleError: info.invalidScheduleError,
  };
}

export function fromListInfoData(info: ScheduleListInfoData): DeepPartial<ScheduleListInfo> {
  return {
    spec: scheduleSpecFromJson(info.spec as ScheduleSpecJson),
    workflowType: info.workflowType ? { name: info.workflowType } : undefined,
    notes: info.notes,
    paused: info.paused,
    recentActions: info.recentActions.map(actionResult),
    futureActionTimes: info.futureActionTimesMs.map((t) => new Date(t)),
  };
}

/** The list info a new schedule starts with (upstream's addInitialScheduleMemo). */
export function initialListInfo(
  data: ScheduleData,
  compiled: CompiledSpec,
  seed: string,
  now: number,
): ScheduleListInfoData {
  let n = FUTURE_ACTION_COUNT_FOR_LIST;
  if (data.state.limitedActions) n = Math.min(n, data.state.remainingActions);
  const future: number[] = [];
  for (let t = now; future.length < n;) {
    const next = nextTime(compiled, t, seed);
    if (!next) break;
    future.push(next.actualMs);
    t = next.actualMs;
  }
  return {
    spec: data.spec,
    workflowType: data.workflowType,
    notes: data.state.notes,
    paused: data.state.paused,
    recentActions: [],
    futureActionTimesMs: future,
  };
}

/** Upstream's cleanScheduleMemo: the user's memo without the list info; undefined when nothing is left. */
export function cleanScheduleMemo(memo: Memo | undefined): {
  memo: DeepPartial<Memo> | undefined;
  info?: ScheduleListInfoData;
} {
  const fields = { ...(memo?.fields ?? {}) };
  const info = decodeJsonPayload<ScheduleListInfoData>(fields[SCHEDULER_MEMO_INFO]);
  delete fields[SCHEDULER_MEMO_INFO];
  return { memo: Object.keys(fields).length ? { fields } : undefined, info };
}

/** Upstream's cleanScheduleSearchAttributes. */
export function cleanScheduleSearchAttributes(
  attributes: DeepPartial<SearchAttributes> | undefined,
): DeepPartial<SearchAttributes> | undefined {
  const fields = { ...(attributes?.indexedFields ?? {}) };
  for (const name of ['TemporalSchedulePaused', 'TemporalScheduleInfoJSON', 'BinaryChecksums', 'BuildIds']) {
    delete fields[name];
  }
  delete fields['TemporalNamespaceDivision'];
  return Object.keys(fields).length ? { indexedFields: fields } : undefined;
}

/** Upstream's conflict token: the workflow's sequence number, 8 bytes big-endian. */
export function conflictTokenBytes(token: number): Buffer {
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64BE(BigInt(token));
  return bytes;
}

export function conflictTokenFromBytes(bytes: Uint8Array): number {
  return bytes.length >= 8 ? Number(Buffer.from(bytes).readBigUInt64BE(0)) : 0;
}

/** A SchedulePatch as the workflow's patch signal carries it; a trigger without a time gets now (upstream). */
export function patchData(patch: SchedulePatch): SchedulePatchData {
  return {
    triggerImmediately: patch.triggerImmediately
      ? {
          overlapPolicy: patch.triggerImmediately.overlapPolicy,
          scheduledTimeMs: (patch.triggerImmediately.scheduledTime ?? new Date()).getTime(),
        }
      : undefined,
    backfillRequest: patch.backfillRequest.map((b) => ({
      startTimeMs: b.startTime?.getTime() ?? 0,
      endTimeMs: b.endTime?.getTime() ?? 0,
      overlapPolicy: b.overlapPolicy,
    })),
    pause: patch.pause,
    unpause: patch.unpause,
  };
}

/**
 * The scheduler workflow's execution info and its `describe` answer. A schedule exists while its workflow runs:
 * a closed one is NOT_FOUND "schedule not found" (upstream), a missing one history's NOT_FOUND. With `closed`, a
 * closed scheduler answers too (upstream's ListScheduleMatchingTimes queries the workflow whatever its state).
 */
export async function describeScheduler(
  ctx: FrontendContext,
  namespace: NamespaceRecord,
  scheduleId: string,
  call: CallContext,
  options: { closed?: boolean } = {},
): Promise<{ execution: WorkflowExecutionInfo | undefined; result: DescribeResult }> {
  const namespaceId = namespace.info!.id;
  const execution = { workflowId: schedulerWorkflowId(scheduleId), runId: '' };
  const described = await ctx.history.describeWorkflowExecution(
    { namespaceId, request: { namespace: namespace.info!.name, execution } },
    call,
  );
  const info = described.response?.workflowExecutionInfo;
  if (!options.closed && info?.status !== WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING) {
    throw notFound('schedule not found');
  }
  const queried = await ctx.history.queryWorkflow(
    {
      namespaceId,
      request: { namespace: namespace.info!.name, execution, query: { queryType: SCHEDULER_QUERY_DESCRIBE } },
    },
    call,
  );
  const result = decodeJsonPayload<DescribeResult>(queried.response?.queryResult?.payloads[0]);
  if (!result) throw internalError('describe schedule: empty query result');
  return { execution: info, result };
}

/** Signals the scheduler workflow (update, patch). */
export async function signalScheduler(
  ctx: FrontendContext,
  request: { namespace: string; scheduleId: string; identity: string; requestId: string },
  signalName: string,
  input: unknown,
  call: CallContext,
): Promise<void> {
  const namespaceId = await ctx.namespaces.resolveId(request.namespace);
  await ctx.history.signalWorkflowExecution(
    {
      namespaceId,
      request: {
        namespace: request.namespace,
        workflowExecution: { workflowId: schedulerWorkflowId(request.scheduleId) },
        signalName,
        input: jsonPayloads(input),
        identity: request.identity,
        requestId: request.requestId,
      },
    },
    call,
  );
}
