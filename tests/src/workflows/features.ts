// Workflows of the SDK feature tests (activity timeouts, workflow lifecycle, workflow tasks); bundled by the SDK
// worker from the compiled file.
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  continueAsNew,
  proxyActivities,
  proxyLocalActivities,
  sleep,
  TimeoutFailure,
  workflowInfo,
  type ActivityOptions,
} from '@temporalio/workflow';
import type * as activities from '../feature-activities.js';

type Activities = typeof activities;
type ActivityName = {
  [K in keyof Activities]: Activities[K] extends (...args: never[]) => Promise<unknown> ? K : never;
}[keyof Activities];

/** A failure as the workflow caught it, with its causes. */
export interface FailureSummary {
  name: string;
  message: string;
  retryState?: string;
  timeoutType?: string;
  cause?: FailureSummary;
}

export type ActivityOutcome = { result: unknown } | { failure: FailureSummary };

function summarize(err: unknown): FailureSummary {
  if (!(err instanceof Error)) return { name: typeof err, message: String(err) };
  const summary: FailureSummary = { name: err.name, message: err.message };
  if (err instanceof ActivityFailure) summary.retryState = err.retryState;
  if (err instanceof TimeoutFailure) summary.timeoutType = err.timeoutType;
  if (err.cause !== undefined) summary.cause = summarize(err.cause);
  return summary;
}

function activity(name: ActivityName, options: ActivityOptions): (...args: unknown[]) => Promise<unknown> {
  return proxyActivities<Record<string, (...args: unknown[]) => Promise<unknown>>>(options)[name]!;
}

/** Runs one activity with the given options and reports its result or the failure the workflow saw. */
export async function activityOutcomeWorkflow(
  name: ActivityName,
  args: unknown[],
  options: ActivityOptions,
): Promise<ActivityOutcome> {
  try {
    return { result: await activity(name, options)(...args) };
  } catch (err) {
    return { failure: summarize(err) };
  }
}

/** Starts one activity in a cancellation scope, cancels the scope after `cancelAfterMs` and reports the outcome. */
export async function cancelActivityWorkflow(
  name: ActivityName,
  options: ActivityOptions,
  cancelAfterMs: number,
): Promise<ActivityOutcome> {
  const scope = new CancellationScope();
  const running = scope.run(() => activity(name, options)());
  await sleep(cancelAfterMs);
  scope.cancel();
  try {
    return { result: await running };
  } catch (err) {
    return { failure: summarize(err) };
  }
}

export async function sleepWorkflow(ms: number): Promise<string> {
  await sleep(ms);
  return 'slept';
}

/** Fails (retryably) until its workflow attempt reaches `succeedOnAttempt`, then returns the attempt. */
export async function failUntilAttemptWorkflow(succeedOnAttempt: number): Promise<number> {
  const { attempt } = workflowInfo();
  if (attempt < succeedOnAttempt)
    throw ApplicationFailure.retryable(`workflow attempt ${attempt} fails`, 'FlakyWorkflow');
  return attempt;
}

/** A cron run: counts the runs of its chain through the last completion result. */
export async function cronCounterWorkflow(): Promise<{ run: number; attempt: number }> {
  const last = workflowInfo().lastResult as { run: number } | undefined;
  return { run: (last?.run ?? 0) + 1, attempt: workflowInfo().attempt };
}

/** Continues as new until `count` reaches `limit`, then returns it. */
export async function continueAsNewCounterWorkflow(count: number, limit: number): Promise<number> {
  if (count < limit) await continueAsNew<typeof continueAsNewCounterWorkflow>(count + 1, limit);
  return count;
}

const { failOnceThenWait } = proxyActivities<Activities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '100ms', backoffCoefficient: 1, maximumAttempts: 5 },
});

/** Its activity fails once, then its second attempt waits for the test. */
export async function pendingActivityWorkflow(): Promise<number> {
  return await failOnceThenWait();
}

/** Completes; its twin in failing-task.ts throws instead, failing the workflow task. */
export async function taskFailureWorkflow(): Promise<string> {
  return 'recovered';
}

const { echo: localEcho } = proxyLocalActivities<Activities>({ startToCloseTimeout: '10s' });

export async function localActivityWorkflow(value: string): Promise<string[]> {
  return [await localEcho(value), await localEcho(`${value} again`)];
}

const { add, echo } = proxyActivities<Activities>({ startToCloseTimeout: '10s' });

/** `activities` parallel activities and `timers` parallel timers; returns the sum of the activity results. */
export async function fanOutWorkflow(
  activities: number,
  timers: number,
): Promise<{ sum: number; timersFired: number }> {
  let timersFired = 0;
  const [results] = await Promise.all([
    Promise.all(Array.from({ length: activities }, (_, i) => add(i, 1))),
    Promise.all(Array.from({ length: timers }, (_, i) => sleep(100 + i * 50).then(() => timersFired++))),
  ]);
  return { sum: results.reduce((a, b) => a + b, 0), timersFired };
}

/** `count` parallel activities: a history of more than 3 × count events. */
export async function manyActivitiesWorkflow(count: number): Promise<number> {
  const results = await Promise.all(Array.from({ length: count }, (_, i) => echo(`item ${i}`)));
  return results.length;
}
