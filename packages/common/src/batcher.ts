// The contract between the frontend's batch-operation RPCs and the batcher workflow the worker service runs
// (upstream service/worker/batcher names). Payloads are json/plain of these plain objects; the batch request itself
// travels opaque (base64 of the binary StartBatchOperationRequest) because only the activities, outside the
// workflow sandbox, read its operation.

/** Upstream's batcher.BatchWFTypeProtobufName: the workflow the frontend starts, id = the job id. */
export const BATCHER_WORKFLOW_TYPE = 'temporal-sys-batch-workflow-protobuf';
/** TemporalNamespaceDivision of batcher workflows: visibility hides them unless a query names it. */
export const BATCHER_NAMESPACE_DIVISION = 'TemporalBatcher';
/** Upstream's memo keys (batcher.Batch*Memo); the values are json/plain. */
export const BATCH_MEMO_TYPE = 'batch_operation_type';
export const BATCH_MEMO_REASON = 'batch_operation_reason';
export const BATCH_MEMO_STATS = 'batch_operation_stats';
export const BATCH_MEMO_QUERY = 'batch_operation_visibility_query';
export const BATCH_MEMO_EXECUTIONS = 'batch_operation_executions';
/**
 * The first run's start time: the batcher continues as new every few pages (upstream runs one activity and never
 * does), so the current run's start time is not the job's.
 */
export const BATCH_MEMO_START_TIME = 'batch_operation_start_time';
/** Open batch operations of a namespace (upstream's OpenBatchOperationQuery). */
export const OPEN_BATCH_OPERATION_QUERY = `TemporalNamespaceDivision = '${BATCHER_NAMESPACE_DIVISION}' AND ExecutionStatus = 'Running'`;

/** Upstream's memo type strings (batcher.BatchType*), the operations Tempora runs. */
export type BatchOperationKind = 'terminate' | 'cancel' | 'signal' | 'delete' | 'reset';

export interface BatchTarget {
  workflowId: string;
  runId: string;
}

export interface BatcherArgs {
  namespace: string;
  namespaceId: string;
  jobId: string;
  kind: BatchOperationKind;
  /** Base64 of the binary StartBatchOperationRequest (the operation's details). */
  encodedRequest: string;
  /** The query targets are listed by (upstream's adjustQueryBatchTypeEnum applied); empty with explicit targets. */
  query: string;
  /** Operations per second over the whole job, and how many run at once. */
  rps: number;
  concurrency: number;
  /** Targets per page: per list call and per checkpointed page activity. */
  pageSize: number;
  /** Carried across continue-as-new. */
  progress?: BatchProgress;
}

export interface BatchProgress {
  /** Page token of the next page (base64); for an explicit execution list, the index of the next target. */
  pageToken: string;
  nextIndex: number;
  pages: number;
  totalEstimate: number;
  success: number;
  failure: number;
}

/** Upstream's HeartBeatDetails field names (cumulative over the job), plus the page-relative resume point. */
export interface BatchHeartbeat {
  CurrentPage: number;
  TotalEstimate: number;
  SuccessCount: number;
  ErrorCount: number;
  /** Targets of the current page before this index are done and counted. */
  Done: number;
}

/** Upstream's BatchOperationStats memo. */
export interface BatchStats {
  NumSuccess: number;
  NumFailure: number;
  /** Tempora: the estimate while the job runs (Describe's total before the job completes). */
  TotalEstimate?: number;
}

export interface BatchPageRequest {
  args: BatcherArgs;
  targets: BatchTarget[];
  page: number;
  base: { totalEstimate: number; success: number; failure: number };
}
