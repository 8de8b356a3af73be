// The batcher workflow: one per batch job, in the job's namespace, workflow id = job id (upstream
// service/worker/batcher/workflow.go, reshaped for checkpoints). The workflow lists one page of targets at a time
// (an activity, so the page is fixed in history) and hands it to a heartbeating activity that acts on each target;
// after a crash the page activity resumes at its last heartbeat and the workflow at its last completed page, and
// every target operation is idempotent (see ../batcher-activities.ts), so no target is skipped or acted on twice.
import { makeContinueAsNewFunc, proxyActivities, upsertMemo } from '@temporalio/workflow';
import type { BatcherArgs, BatchProgress, BatchStats } from '@tempora/common';
import type { BatcherActivities } from '../batcher-activities.js';

/** The sandbox cannot load @tempora/common's runtime (it reads files), so its constants are repeated here. */
const BATCHER_WORKFLOW_TYPE = 'temporal-sys-batch-workflow-protobuf';
const BATCH_MEMO_STATS = 'batch_operation_stats';
/** Pages (of limits.batch.pageSize targets) per run before continue-as-new: bounds the history of any job. */
const PAGES_PER_RUN = 10;

const listing = proxyActivities<BatcherActivities>({
  startToCloseTimeout: '1m',
  retry: {
    initialInterval: '1s',
    backoffCoefficient: 1.7,
    maximumInterval: '1m',
    nonRetryableErrorTypes: ['InvalidArgument'],
  },
});

const pages = proxyActivities<BatcherActivities>({
  startToCloseTimeout: '7d',
  heartbeatTimeout: '10s',
  retry: { initialInterval: '1s', backoffCoefficient: 1.7, maximumInterval: '1m' },
});

/** Upstream's result (HeartBeatDetails) with the job's totals. */
export interface BatcherResult {
  CurrentPage: number;
  TotalEstimate: number;
  SuccessCount: number;
  ErrorCount: number;
}

export async function batcherWorkflow(args: BatcherArgs): Promise<BatcherResult> {
  const progress: BatchProgress = args.progress ?? {
    pageToken: '',
    nextIndex: 0,
    pages: 0,
    totalEstimate: await listing.countBatchTargets(args),
    success: 0,
    failure: 0,
  };
  const upsertStats = () =>
    upsertMemo({
      [BATCH_MEMO_STATS]: {
        NumSuccess: progress.success,
        NumFailure: progress.failure,
        TotalEstimate: progress.totalEstimate,
      } satisfies BatchStats,
    });
  if (!args.progress) upsertStats();
  for (let run = 0; ; run++) {
    if (run === PAGES_PER_RUN) {
      const continueAsNew = makeContinueAsNewFunc<(a: BatcherArgs) => Promise<BatcherResult>>({
        workflowType: BATCHER_WORKFLOW_TYPE,
      });
      return continueAsNew({ ...args, progress });
    }
    const page = await listing.listBatchTargets({ args, pageToken: progress.pageToken, nextIndex: progress.nextIndex });
    if (page.targets.length > 0) {
      const done = await pages.runBatchPage({
        args,
        targets: page.targets,
        page: progress.pages,
        base: { totalEstimate: progress.totalEstimate, success: progress.success, failure: progress.failure },
      });
      progress.success += done.success;
      progress.failure += done.failure;
    }
    progress.pages++;
    progress.pageToken = page.nextPageToken;
    progress.nextIndex = page.nextIndex;
    upsertStats();
    if (!page.more) break;
  }
  return {
    CurrentPage: progress.pages,
    TotalEstimate: progress.totalEstimate,
    SuccessCount: progress.success,
    ErrorCount: progress.failure,
  };
}
