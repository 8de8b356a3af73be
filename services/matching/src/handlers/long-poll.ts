// The long poll shared by PollWorkflowTaskQueue and PollActivityTaskQueue: wait for a task, have history record it
// as started, and answer with history's response; skip tasks history calls stale; answer empty when time is up.
import type { CallContext } from '@tempora/rpc';
import type { MatchingContext } from '../context.js';
import { isStaleTaskError } from '../errors.js';
import type { TaskQueueKey } from '../task-queue-key.js';
import type { TaskQueueRegistry } from '../task-queue-registry.js';
import type { AddTaskRequest, QueuedTask } from '../task.js';

/** The longest a poll waits, as upstream. */
const MAX_POLL_WAIT_MS = 60_000;
/** Kept back from the caller's deadline so the empty answer arrives before the caller gives up. */
const EMPTY_ANSWER_BUDGET_MS = 1_000;
/** Pause after history failed to record a start, so an unavailable history is not retried in a tight loop. */
const RECORD_FAILURE_BACKOFF_MS = 1_000;

export interface LongPoll<T extends AddTaskRequest, R> {
  queues: TaskQueueRegistry<T>;
  key: TaskQueueKey;
  sticky: boolean;
  identity: string;
  /** Asks history to record the task as started; resolves with the answer for the poller. */
  recordStarted(task: QueuedTask<T>): Promise<R>;
}

/**
 * Resolves with `{ response }` for a task, with the tasks left in the queue once it was handed out, or `{}` at the
 * deadline, on cancellation or at shutdown.
 */
export async function longPoll<T extends AddTaskRequest, R>(
  ctx: MatchingContext,
  call: CallContext,
  poll: LongPoll<T, R>,
): Promise<{ response?: R; backlogCountHint?: number }> {
  const waitUntil = Math.min(Date.now() + MAX_POLL_WAIT_MS, call.deadline - EMPTY_ANSWER_BUDGET_MS);
  if (waitUntil <= Date.now() || ctx.stopping.aborted) return {};
  const manager = await poll.queues.get(poll.key, poll.sticky);
  ctx.pollers.record(poll.key, poll.identity);
  for (;;) {
    const task = await manager.poll(waitUntil, call.signal);
    if (!task) return {};
    try {
      const response = await poll.recordStarted(task);
      manager.complete(task);
      return { response, backlogCountHint: manager.approximateBacklog() };
    } catch (err) {
      if (isStaleTaskError(err)) {
        manager.complete(task);
        continue;
      }
      ctx.logger.warn({ err, taskQueue: poll.key.name }, 'recording a task start failed; requeued the task');
      manager.requeue(task);
      await pause(Math.min(RECORD_FAILURE_BACKOFF_MS, waitUntil - Date.now()), [call.signal, ctx.stopping]);
    }
  }
}

/** Waits ms, or less if any signal aborts. */
function pause(ms: number, signals: AbortSignal[]): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      for (const signal of signals) signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, ms));
    for (const signal of signals) {
      if (signal.aborted) return done();
      signal.addEventListener('abort', done, { once: true });
    }
  });
}
