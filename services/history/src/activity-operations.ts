// PauseActivity / UnpauseActivity / ResetActivity / UpdateActivityOptions (upstream service/history/api/
// pauseactivity, unpauseactivity, resetactivity, updateactivityoptions): changes to a pending activity's mutable
// state that write no history events. Dispatch reads the changed state: a paused activity gets no new attempt
// (its retry timer and schedule-to-start timer do nothing, a task already in matching is refused at start), and
// a running attempt learns of pause or reset from its next heartbeat response.
import { durationToMs, msToDuration } from '@tempora/common';
import { ActivityOptions } from '@tempora/proto/activity';
import { TaskQueueKind } from '@tempora/proto/enums';
import type { ActivityInfo } from '@tempora/proto/persistence';
import type { Duration } from '@tempora/proto/google';
import { invalidArgument, notFound } from '@tempora/rpc';
import { redispatchActivity } from './activities.js';
import type { HistoryContext } from './context.js';
import type { MutableState } from './mutable-state.js';
import { targetRun, workflowCompleted } from './run-target.js';
import type { WorkflowExecution } from '@tempora/proto/common';

/** Which pending activities a request names (the `activity` oneof of the upstream requests). */
export interface ActivitySelector {
  id?: string | undefined;
  type?: string | undefined;
  all?: boolean | undefined;
}

const NOT_FOUND_MESSAGE = "Can't find pending activity with such ID. Invalid activityID or activity already completed";

/** Runs `fn` on each selected pending activity of the run in one transaction; NOT_FOUND when none matches. */
export async function withSelectedActivities<T>(
  ctx: HistoryContext,
  namespaceId: string,
  execution: WorkflowExecution,
  selector: ActivitySelector,
  fn: (ms: MutableState, activity: ActivityInfo) => T,
): Promise<T[]> {
  const engine = ctx.shards.engineFor(namespaceId, execution.workflowId);
  const key = await targetRun(engine, namespaceId, execution);
  return engine.executions.update(key, (ms) => {
    if (!ms.isRunning) throw workflowCompleted();
    const selected = Object.values(ms.state.activities).filter((a) =>
      selector.all
        ? true
        : selector.id !== undefined
          ? a.activityId === selector.id
          : a.scheduled?.activityType?.name === selector.type,
    );
    if (!selected.length) throw notFound(NOT_FOUND_MESSAGE);
    const results = selected.map((activity) => fn(ms, activity));
    ms.markDirty();
    return results;
  });
}

export function pauseActivity(ms: MutableState, activity: ActivityInfo, identity: string, reason: string): void {
  if (activity.paused) return; // upstream: pausing a paused activity has no effect
  activity.paused = true;
  activity.pauseTime = ms.now;
  activity.pauseIdentity = identity;
  activity.pauseReason = reason;
}

export interface ResumeOptions {
  resetAttempts: boolean;
  resetHeartbeat: boolean;
  jitter: Duration | undefined;
}

/**
 * UnpauseActivity (no effect on an activity that is not paused): a started attempt simply goes on (it is no longer
 * told it is paused); one waiting for its retry is dispatched now, or within the jitter.
 */
export function unpauseActivity(ms: MutableState, activity: ActivityInfo, options: ResumeOptions): void {
  if (!activity.paused) return;
  clearPause(activity);
  applyReset(activity, options);
  if (activity.startedEventId === 0) dispatchSoon(ms, activity, options.jitter);
}

/**
 * ResetActivity: attempts start again from 1 and one waiting for its retry is dispatched now; a paused activity is
 * unpaused unless keepPaused.
 */
export function resetActivity(
  ms: MutableState,
  activity: ActivityInfo,
  options: Omit<ResumeOptions, 'resetAttempts'> & { keepPaused: boolean; restoreOriginalOptions: boolean },
): void {
  if (options.restoreOriginalOptions) restoreOriginalOptions(activity);
  applyReset(activity, { ...options, resetAttempts: true });
  if (activity.paused && options.keepPaused) return;
  clearPause(activity);
  if (activity.startedEventId === 0) dispatchSoon(ms, activity, options.jitter);
}

function clearPause(activity: ActivityInfo): void {
  activity.paused = false;
  activity.pauseTime = undefined;
  activity.pauseIdentity = '';
  activity.pauseReason = '';
}

function applyReset(activity: ActivityInfo, options: ResumeOptions): void {
  if (options.resetHeartbeat) {
    activity.lastHeartbeatDetails = undefined;
    activity.lastHeartbeatTime = undefined;
  }
  if (!options.resetAttempts) return;
  if (activity.startedEventId !== 0) {
    // The running attempt keeps its token (its completion still counts); its failure retries from attempt 1.
    activity.resetRequested = true;
    return;
  }
  activity.attempt = 1;
  activity.lastFailure = undefined;
  activity.lastAttemptCompleteTime = undefined;
  activity.currentRetryInterval = undefined;
}

/** A new dispatch of the current attempt, at once or after a random part of the jitter. */
function dispatchSoon(ms: MutableState, activity: ActivityInfo, jitter: Duration | undefined): void {
  const jitterMs = durationToMs(jitter);
  const delayMs = jitterMs > 0 ? Math.floor(Math.random() * jitterMs) : 0;
  activity.currentRetryInterval = undefined;
  if (delayMs === 0) {
    redispatchActivity(ms, activity);
    return;
  }
  activity.currentAttemptScheduledTime = new Date(ms.now.getTime() + delayMs);
  ms.addTimerTask(ms.now.getTime() + delayMs, {
    activityRetry: { scheduledEventId: activity.scheduledEventId, attempt: activity.attempt },
  });
}

/** The activity's current options, as describe and UpdateActivityOptions report them. */
export function activityOptionsOf(activity: ActivityInfo): ActivityOptions {
  const s = activity.scheduled;
  return ActivityOptions.fromPartial({
    taskQueue: s?.taskQueue,
    scheduleToCloseTimeout: s?.scheduleToCloseTimeout ?? msToDuration(0),
    scheduleToStartTimeout: s?.scheduleToStartTimeout ?? msToDuration(0),
    startToCloseTimeout: s?.startToCloseTimeout ?? msToDuration(0),
    heartbeatTimeout: s?.heartbeatTimeout ?? msToDuration(0),
    retryPolicy: s?.retryPolicy,
    priority: s?.priority,
  });
}

/** The update-mask paths UpdateActivityOptions understands (camelCase; snake_case is accepted as upstream does). */
const MASK_PATHS = new Set([
  'taskQueue',
  'taskQueue.name',
  'scheduleToCloseTimeout',
  'scheduleToStartTimeout',
  'startToCloseTimeout',
  'heartbeatTimeout',
  'retryPolicy',
  'retryPolicy.initialInterval',
  'retryPolicy.backoffCoefficient',
  'retryPolicy.maximumInterval',
  'retryPolicy.maximumAttempts',
  'retryPolicy.nonRetryableErrorTypes',
  'priority',
]);

const camel = (path: string) => path.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** Validates an update mask up front, so that a bad one is INVALID_ARGUMENT before anything is read. */
export function parseActivityOptionsMask(paths: readonly string[] | undefined): string[] {
  if (!paths?.length) throw invalidArgument('UpdateMask is not provided');
  const parsed = paths.map(camel);
  const unknown = parsed.find((p) => !MASK_PATHS.has(p));
  if (unknown !== undefined) {
    throw invalidArgument(`invalid update_mask path "${unknown}": not a field of ActivityOptions that can be updated`);
  }
  return parsed;
}

/** Merges the masked fields of `update` into the activity's options (kept in its scheduled attributes). */
export function updateActivityOptions(activity: ActivityInfo, update: ActivityOptions, paths: string[]): void {
  const s = activity.scheduled!;
  activity.originalOptions ??= activityOptionsOf(activity);
  const retry = (s.retryPolicy ??= {
    initialInterval: undefined,
    backoffCoefficient: 0,
    maximumInterval: undefined,
    maximumAttempts: 0,
    nonRetryableErrorTypes: [],
  });
  const u = update.retryPolicy;
  for (const path of paths) {
    switch (path) {
      case 'taskQueue':
      case 'taskQueue.name':
        if (!update.taskQueue?.name) throw invalidArgument('TaskQueue.Name is not set');
        s.taskQueue = { name: update.taskQueue.name, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL, normalName: '' };
        break;
      case 'scheduleToCloseTimeout':
        s.scheduleToCloseTimeout = update.scheduleToCloseTimeout;
        break;
      case 'scheduleToStartTimeout':
        s.scheduleToStartTimeout = update.scheduleToStartTimeout;
        break;
      case 'startToCloseTimeout':
        s.startToCloseTimeout = update.startToCloseTimeout;
        break;
      case 'heartbeatTimeout':
        s.heartbeatTimeout = update.heartbeatTimeout;
        break;
      case 'retryPolicy':
        s.retryPolicy = u;
        break;
      case 'retryPolicy.initialInterval':
        retry.initialInterval = u?.initialInterval;
        break;
      case 'retryPolicy.backoffCoefficient':
        retry.backoffCoefficient = u?.backoffCoefficient ?? 0;
        break;
      case 'retryPolicy.maximumInterval':
        retry.maximumInterval = u?.maximumInterval;
        break;
      case 'retryPolicy.maximumAttempts':
        retry.maximumAttempts = u?.maximumAttempts ?? 0;
        break;
      case 'retryPolicy.nonRetryableErrorTypes':
        retry.nonRetryableErrorTypes = u?.nonRetryableErrorTypes ?? [];
        break;
      case 'priority':
        s.priority = update.priority;
        break;
    }
  }
}

/** The options as the workflow scheduled them (UpdateActivityOptions restore_original, ResetActivity). */
export function restoreOriginalOptions(activity: ActivityInfo): void {
  const original = activity.originalOptions;
  if (!original) return;
  const s = activity.scheduled!;
  s.taskQueue = original.taskQueue;
  s.scheduleToCloseTimeout = original.scheduleToCloseTimeout;
  s.scheduleToStartTimeout = original.scheduleToStartTimeout;
  s.startToCloseTimeout = original.startToCloseTimeout;
  s.heartbeatTimeout = original.heartbeatTimeout;
  s.retryPolicy = original.retryPolicy;
  s.priority = original.priority;
  activity.originalOptions = undefined;
}
