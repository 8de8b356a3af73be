// Workflow timeout defaults and caps (upstream overrideWorkflowTaskTimeout / workflow run timeout rules).
import { durationToMs, msToDuration, type DurationLike } from '@tempora/common';

const DEFAULT_WORKFLOW_TASK_TIMEOUT_MS = 10_000;
const MAX_WORKFLOW_TASK_TIMEOUT_MS = 120_000;

export interface WorkflowTimeouts {
  executionTimeoutMs: number;
  runTimeoutMs: number;
  taskTimeoutMs: number;
}

/** 0 means unbounded. The run timeout defaults to and is capped by the execution timeout. */
export function normalizeWorkflowTimeouts(
  execution: DurationLike | undefined,
  run: DurationLike | undefined,
  task: DurationLike | undefined,
): WorkflowTimeouts {
  const executionTimeoutMs = durationToMs(execution);
  let runTimeoutMs = durationToMs(run);
  if (executionTimeoutMs > 0 && (runTimeoutMs === 0 || runTimeoutMs > executionTimeoutMs))
    runTimeoutMs = executionTimeoutMs;
  let taskTimeoutMs = durationToMs(task) || DEFAULT_WORKFLOW_TASK_TIMEOUT_MS;
  taskTimeoutMs = Math.min(taskTimeoutMs, MAX_WORKFLOW_TASK_TIMEOUT_MS);
  if (runTimeoutMs > 0) taskTimeoutMs = Math.min(taskTimeoutMs, runTimeoutMs);
  return { executionTimeoutMs, runTimeoutMs, taskTimeoutMs };
}

export const optionalDuration = (ms: number) => (ms > 0 ? msToDuration(ms) : undefined);
