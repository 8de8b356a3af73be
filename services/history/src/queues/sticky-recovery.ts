// Sticky workflow tasks left behind by an earlier owner of a shard. Matching keeps sticky queues in memory only, so
// when the process that held them died (kill -9 of start-dev, where history and matching die together, or a
// matching crash) those tasks are gone, and each run would wait for its sticky schedule-to-start timeout (the SDK's
// default is 10 s) and get a WorkflowTaskTimedOut event. Upstream persists sticky tasks in matching, so its runs
// carry on. Here the host that acquires a shard dispatches each such task again at once, as the transfer queue
// would: a restarted matching keeps it on the sticky queue for the worker to poll again (it assumes the workers of
// its previous process alive for the sticky window); a worker known gone (StickyWorkerUnavailable) leaves it to the
// normal queue. A copy matching still holds is harmless: whichever copy starts first wins and the other is dropped
// as already started. The sticky timer stays armed and does nothing once the task started.
import { durationToMs, type Logger } from '@tempora/common';
import type { PersistenceStores } from '@tempora/persistence';
import { TaskQueueKind, TimeoutType } from '@tempora/proto/enums';
import type { MatchingServiceServer } from '@tempora/proto/internal';
import { TimerTaskBody } from '@tempora/proto/persistence';
import type { RpcClient } from '@tempora/rpc';
import type { ExecutionManager, RunKey } from '../execution-manager.js';
import type { Shard } from '../shard.js';
import { ignoreNotFound } from './not-found.js';
import { dispatchWorkflowTask } from './transfer-executor.js';

const PAGE_SIZE = 200;
/**
 * Sticky timers fire at most this long after now: a sticky task is scheduled with the worker's sticky timeout
 * (seconds), so later timers are other kinds (user timers, run timeouts) and are not read.
 */
const STICKY_TIMER_HORIZON_MS = 10 * 60_000;

export interface StickyRecoveryDeps {
  shard: Shard;
  stores: PersistenceStores;
  executions: ExecutionManager;
  matching: RpcClient<MatchingServiceServer>;
  logger: Logger;
}

/** Dispatches again every sticky workflow task still waiting to start that an earlier owner of the shard handed out. */
export async function recoverStickyWorkflowTasks(deps: StickyRecoveryDeps): Promise<number> {
  const { shard, stores, executions, matching } = deps;
  const earlierOwners = shard.firstTaskIdOfThisOwner;
  const maxFireTime = Date.now() + STICKY_TIMER_HORIZON_MS;
  let dispatched = 0;
  let pageToken: Uint8Array | undefined;
  do {
    if (shard.closed) return dispatched;
    const page = await stores.executions.getHistoryTasks({
      shardId: shard.shardId,
      category: 'timer',
      minFireTime: 0,
      exclusiveMinTaskId: -1,
      maxFireTime,
      pageSize: PAGE_SIZE,
      pageToken,
    });
    const results = await Promise.all(
      page.items
        .filter((task) => task.taskId < earlierOwners)
        .map(async (task) => {
          const timeout = TimerTaskBody.decode(task.data).workflowTaskTimeout;
          if (timeout?.timeoutType !== TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START) return false;
          const key: RunKey = { namespaceId: task.namespaceId, workflowId: task.workflowId, runId: task.runId };
          const sticky = await executions
            .read(key, (ms) => {
              const pending = ms.workflowTask;
              const waiting =
                ms.isRunning &&
                pending?.scheduledEventId === timeout.scheduledEventId &&
                pending.attempt === timeout.attempt &&
                pending.startedEventId === 0 &&
                pending.taskQueueKind === TaskQueueKind.TASK_QUEUE_KIND_STICKY;
              return waiting
                ? { name: ms.info.stickyTaskQueue, timeout: ms.info.stickyScheduleToStartTimeout }
                : undefined;
            })
            .catch(ignoreNotFound);
          if (!sticky) return false;
          await dispatchWorkflowTask(matching, executions, key, {
            scheduledEventId: timeout.scheduledEventId,
            // Stickiness cleared since (a normal poller took an earlier task): the normal queue serves it.
            taskQueue: sticky.name,
            taskQueueKind: sticky.name ? TaskQueueKind.TASK_QUEUE_KIND_STICKY : TaskQueueKind.TASK_QUEUE_KIND_NORMAL,
            scheduleToStartTimeout: sticky.timeout && durationToMs(sticky.timeout) > 0 ? sticky.timeout : undefined,
          });
          return true;
        }),
    );
    dispatched += results.filter(Boolean).length;
    pageToken = page.nextPageToken;
  } while (pageToken?.length);
  return dispatched;
}
