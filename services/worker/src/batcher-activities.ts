// The batcher workflow's activities (upstream service/worker/batcher/activities.go): list a page of targets, then
// act on each target of a page at the job's rate, heartbeating how far the page is done. They call our own frontend
// with the worker service's system identity. Every target operation is idempotent, because a page activity that
// resumes after a crash repeats the targets done since its last heartbeat: a terminate or delete of a run that is
// already gone answers NOT_FOUND (counted as done, as upstream counts it), and signal, cancel and reset carry a
// request id derived from the job and the target, which history deduplicates.
import { createHash } from 'node:crypto';
import { activityInfo, heartbeat, CancelledFailure, ApplicationFailure, Context } from '@temporalio/activity';
import type { BatcherArgs, BatchHeartbeat, BatchPageRequest, BatchTarget } from '@tempora/common';
import { EventType, ResetType } from '@tempora/proto/enums';
import type { HistoryEvent } from '@tempora/proto/history';
import { StartBatchOperationRequest, type WorkflowServiceServer } from '@tempora/proto/workflowservice';
import { Code, isRpcError, type RpcClient } from '@tempora/rpc';

/** Upstream's defaultAttemptsOnRetryableError. */
const ATTEMPTS_ON_RETRYABLE_ERROR = 50;
/** Upstream's defaultTaskTimeout: one hung call cannot hold the page. */
const TASK_TIMEOUT_MS = 30_000;
const HEARTBEAT_EVERY_MS = 2_500;
/** Answers a retry cannot change; anything else (unavailable, overloaded, timed out) is retried. */
const PERMANENT = new Set([
  Code.INVALID_ARGUMENT,
  Code.FAILED_PRECONDITION,
  Code.PERMISSION_DENIED,
  Code.ALREADY_EXISTS,
  Code.UNIMPLEMENTED,
]);

export type BatcherActivities = ReturnType<typeof createBatcherActivities>;

/** Upstream's deterministicRequestID: a name-based (SHA-1, version 5) UUID of the job and the call's target. */
export function deterministicRequestId(jobId: string, ...parts: string[]): string {
  const hash = createHash('sha1')
    .update(Buffer.alloc(16))
    .update([jobId, ...parts].join(':'))
    .digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A token bucket holding up to one second of the job's rate (upstream's limiter: burst = rate). */
class RateLimiter {
  private tokens: number;
  private last = Date.now();
  private readonly burst: number;

  constructor(private readonly rps: number) {
    this.burst = Math.max(1, Math.ceil(rps));
    this.tokens = this.burst;
  }

  async take(signal: AbortSignal): Promise<void> {
    for (;;) {
      const now = Date.now();
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.rps) / 1000);
      this.last = now;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await abortableSleep(((1 - this.tokens) * 1000) / this.rps, signal);
    }
  }
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new CancelledFailure('batch page cancelled'));
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new CancelledFailure('batch page cancelled'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

const decodeRequest = (args: BatcherArgs) =>
  StartBatchOperationRequest.decode(Buffer.from(args.encodedRequest, 'base64'));

/**
 * Upstream's checkNamespace: the activities call the frontend as the system, so a batcher workflow started by hand
 * in one namespace must not make them act on another.
 */
function checkNamespace(args: BatcherArgs): void {
  const own = activityInfo().workflowNamespace;
  if (args.namespace !== own || decodeRequest(args).namespace !== own) {
    throw ApplicationFailure.nonRetryable(`namespace mismatch: the job names ${args.namespace}, it runs in ${own}`);
  }
}

export function createBatcherActivities(frontend: () => RpcClient<WorkflowServiceServer>) {
  /** The workflow task event a reset goes back to (upstream getFirst/LastWorkflowTaskEventID). */
  async function resetEventId(namespace: string, target: BatchTarget, first: boolean): Promise<number> {
    const events: HistoryEvent[] = [];
    let nextPageToken: Buffer = Buffer.alloc(0);
    do {
      const page = await frontend().getWorkflowExecutionHistory({
        namespace,
        execution: target,
        maximumPageSize: 1000,
        nextPageToken,
      });
      events.push(...(page.history?.events ?? []));
      nextPageToken = page.nextPageToken;
    } while (nextPageToken.length > 0);
    let id = 0;
    for (const e of first ? events : [...events].reverse()) {
      if (e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) return e.eventId;
      if (e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED && (id === 0 || !first)) id = e.eventId + 1;
    }
    if (id === 0) {
      throw ApplicationFailure.nonRetryable('unable to find any scheduled or completed task', 'NoWorkflowTaskFound');
    }
    return id;
  }

  async function act(args: BatcherArgs, request: StartBatchOperationRequest, target: BatchTarget): Promise<void> {
    const namespace = args.namespace;
    const deadline = Date.now() + TASK_TIMEOUT_MS;
    const client = frontend();
    switch (args.kind) {
      case 'terminate':
        await client.terminateWorkflowExecution(
          {
            namespace,
            workflowExecution: target,
            reason: request.reason,
            identity: request.terminationOperation?.identity ?? '',
          },
          { deadline },
        );
        return;
      case 'cancel':
        await client.requestCancelWorkflowExecution(
          {
            namespace,
            workflowExecution: target,
            identity: request.cancellationOperation?.identity ?? '',
            requestId: deterministicRequestId(args.jobId, 'cancel', target.workflowId, target.runId),
            reason: request.reason,
          },
          { deadline },
        );
        return;
      case 'signal': {
        const op = request.signalOperation!;
        await client.signalWorkflowExecution(
          {
            namespace,
            workflowExecution: target,
            signalName: op.signal,
            input: op.input,
            header: op.header,
            identity: op.identity,
            requestId: deterministicRequestId(args.jobId, 'signal', target.workflowId, target.runId, op.signal),
          },
          { deadline },
        );
        return;
      }
      case 'delete':
        await client.deleteWorkflowExecution({ namespace, workflowExecution: target }, { deadline });
        return;
      case 'reset': {
        const op = request.resetOperation!;
        const options = op.options;
        let eventId: number;
        if (options?.workflowTaskId !== undefined) eventId = options.workflowTaskId;
        else if (options?.buildId !== undefined) {
          throw ApplicationFailure.nonRetryable(`Can't find reset point for ${options.buildId}`, 'NoResetPoint');
        } else {
          const first = options
            ? options.firstWorkflowTask !== undefined
            : op.resetType === ResetType.RESET_TYPE_FIRST_WORKFLOW_TASK;
          eventId = await resetEventId(namespace, target, first);
        }
        await client.resetWorkflowExecution(
          {
            namespace,
            workflowExecution: target,
            reason: request.reason,
            requestId: deterministicRequestId(args.jobId, 'reset', target.workflowId, target.runId),
            workflowTaskFinishEventId: eventId,
            resetReapplyType: options ? options.resetReapplyType : op.resetReapplyType,
            resetReapplyExcludeTypes: options?.resetReapplyExcludeTypes ?? [],
            postResetOperations: op.postResetOperations,
            identity: op.identity,
          },
          { deadline },
        );
        return;
      }
    }
  }

  /** One target, retried in place as upstream's processTaskWithRetries; NOT_FOUND (gone, or closed) is done. */
  async function actWithRetries(
    args: BatcherArgs,
    request: StartBatchOperationRequest,
    target: BatchTarget,
    limiter: RateLimiter,
    signal: AbortSignal,
  ): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      await limiter.take(signal);
      try {
        await act(args, request, target);
        return true;
      } catch (err) {
        if (isRpcError(err) && err.code === Code.NOT_FOUND) return true;
        const permanent = (isRpcError(err) && PERMANENT.has(err.code)) || err instanceof ApplicationFailure;
        if (permanent || attempt > ATTEMPTS_ON_RETRYABLE_ERROR || signal.aborted) return false;
      }
    }
  }

  return {
    /** Upstream's TotalEstimate: the query's count at the start, or the number of listed executions. */
    async countBatchTargets(args: BatcherArgs): Promise<number> {
      checkNamespace(args);
      if (!args.query) {
        const request = decodeRequest(args);
        return request.targetExecutions.length || request.executions.length;
      }
      try {
        const res = await frontend().countWorkflowExecutions({ namespace: args.namespace, query: args.query });
        return res.count;
      } catch (err) {
        if (isRpcError(err) && err.code === Code.INVALID_ARGUMENT) {
          throw ApplicationFailure.nonRetryable(err.message, 'InvalidArgument');
        }
        throw err;
      }
    },

    /** The next page of targets: from the query (keyset page token) or the request's execution list (index). */
    async listBatchTargets(req: {
      args: BatcherArgs;
      pageToken: string;
      nextIndex: number;
    }): Promise<{ targets: BatchTarget[]; nextPageToken: string; nextIndex: number; more: boolean }> {
      const { args } = req;
      checkNamespace(args);
      if (!args.query) {
        const request = decodeRequest(args);
        const all: BatchTarget[] = request.targetExecutions.length
          ? request.targetExecutions.map((e) => ({ workflowId: e.businessId, runId: e.runId }))
          : request.executions.map((e) => ({ workflowId: e.workflowId, runId: e.runId }));
        const end = Math.min(all.length, req.nextIndex + args.pageSize);
        return { targets: all.slice(req.nextIndex, end), nextPageToken: '', nextIndex: end, more: end < all.length };
      }
      try {
        const page = await frontend().listWorkflowExecutions({
          namespace: args.namespace,
          pageSize: args.pageSize,
          nextPageToken: Buffer.from(req.pageToken, 'base64'),
          query: args.query,
        });
        const nextPageToken = Buffer.from(page.nextPageToken).toString('base64');
        return {
          targets: page.executions.map((e) => ({
            workflowId: e.execution?.workflowId ?? '',
            runId: e.execution?.runId ?? '',
          })),
          nextPageToken,
          nextIndex: 0,
          more: nextPageToken.length > 0,
        };
      } catch (err) {
        if (isRpcError(err) && err.code === Code.INVALID_ARGUMENT) {
          throw ApplicationFailure.nonRetryable(err.message, 'InvalidArgument');
        }
        throw err;
      }
    },

    /**
     * Acts on every target of a page, `concurrency` at a time, at most `rps` per second. The heartbeat carries the
     * job's cumulative counts (what DescribeBatchOperation shows) and how many targets from the page's start are
     * all done; a retry after a crash resumes there.
     */
    async runBatchPage(req: BatchPageRequest): Promise<{ success: number; failure: number }> {
      const { args, targets, base } = req;
      checkNamespace(args);
      const request = decodeRequest(args);
      const signal = Context.current().cancellationSignal;
      const resumed = activityInfo().heartbeatDetails as BatchHeartbeat | undefined;
      let done = 0;
      let success = 0;
      let failure = 0;
      if (resumed && resumed.CurrentPage === req.page) {
        done = resumed.Done;
        success = resumed.SuccessCount - base.success;
        failure = resumed.ErrorCount - base.failure;
      }
      const outcome: (boolean | undefined)[] = new Array<boolean | undefined>(targets.length);
      const details = (): BatchHeartbeat => ({
        CurrentPage: req.page,
        TotalEstimate: base.totalEstimate,
        SuccessCount: base.success + success,
        ErrorCount: base.failure + failure,
        Done: done,
      });
      /** Counts only the contiguous prefix of finished targets, the part a resumed attempt skips. */
      const advance = () => {
        while (done < targets.length && outcome[done] !== undefined) {
          if (outcome[done]) success++;
          else failure++;
          done++;
        }
      };
      const limiter = new RateLimiter(args.rps);
      let next = done;
      const ticker = setInterval(() => heartbeat(details()), HEARTBEAT_EVERY_MS);
      try {
        heartbeat(details());
        await Promise.all(
          Array.from({ length: Math.max(1, args.concurrency) }, async () => {
            while (next < targets.length && !signal.aborted) {
              const i = next++;
              outcome[i] = await actWithRetries(args, request, targets[i]!, limiter, signal);
              advance();
              heartbeat(details());
            }
          }),
        );
      } finally {
        clearInterval(ticker);
      }
      if (signal.aborted) throw new CancelledFailure('batch page cancelled');
      return { success, failure };
    },
  };
}
