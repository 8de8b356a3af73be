// Workflow timeout defaults and caps (upstream overrideWorkflowTaskTimeout / workflow run timeout rules), computed in
// exact nanoseconds so the events echo what the caller gave (a 10 s + 5 ns task timeout stays that).
import { durationToNanos, nanosToDuration, type DurationLike } from '@tempora/common';

const DEFAULT_WORKFLOW_TASK_TIMEOUT_NANOS = 10_000_000_000n;
const MAX_WORKFLOW_TASK_TIMEOUT_NANOS = 120_000_000_000n;

export interface WorkflowTimeouts {
  executionTimeoutMs: number;
  runTimeoutMs: number;
  taskTimeoutMs: number;
  /** The same three as Durations for the events and the state; unset when unbounded. */
  execution?: DurationLike;
  run?: DurationLike;
  task: DurationLike;
}

const min = (a: bigint, b: bigint) => (a < b ? a : b);
const ms = (nanos: bigint) => Number(nanos / 1_000_000n);

/** 0 means unbounded. The run timeout defaults to and is capped by the execution timeout. */
export function normalizeWorkflowTimeouts(
  execution: DurationLike | undefined,
  run: DurationLike | undefined,
  task: DurationLike | undefined,
): WorkflowTimeouts {
  const executionNanos = durationToNanos(execution);
  let runNanos = durationToNanos(run);
  if (executionNanos > 0n && (runNanos === 0n || runNanos > executionNanos)) runNanos = executionNanos;
  let taskNanos = durationToNanos(task) || DEFAULT_WORKFLOW_TASK_TIMEOUT_NANOS;
  taskNanos = min(taskNanos, MAX_WORKFLOW_TASK_TIMEOUT_NANOS);
  if (runNanos > 0n) taskNanos = min(taskNanos, runNanos);
  return {
    executionTimeoutMs: ms(executionNanos),
    runTimeoutMs: ms(runNanos),
    taskTimeoutMs: ms(taskNanos),
    execution: executionNanos > 0n ? nanosToDuration(executionNanos) : undefined,
    run: runNanos > 0n ? nanosToDuration(runNanos) : undefined,
    task: nanosToDuration(taskNanos),
  };
}
