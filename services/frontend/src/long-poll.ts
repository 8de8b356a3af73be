import { randomUUID } from 'node:crypto';
import type { CallContext } from '@tempora/rpc';

/** Upstream's longPollTailRoom: with less time left, a task could not reach the worker before it gives up. */
const LONG_POLL_TAIL_ROOM_MS = 1000;

/** The answer to a poll that got no task. The SDKs take it for "poll again" only when it is entirely empty. */
export type NoTask = Record<string, never>;

/**
 * Runs a task queue poll against matching under a fresh poller id, answering NoTask when there is no time left
 * to wait or when the worker went away mid-poll (nobody reads that answer, and it is not a server fault).
 */
export async function longPoll<R>(
  call: CallContext,
  poll: (pollerId: string) => Promise<{ response?: R | undefined }>,
): Promise<R | NoTask> {
  if (call.deadline - Date.now() < LONG_POLL_TAIL_ROOM_MS) return {};
  try {
    return (await poll(randomUUID())).response ?? {};
  } catch (err) {
    if (call.signal.aborted) return {};
    throw err;
  }
}
