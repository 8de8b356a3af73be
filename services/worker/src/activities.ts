// The scheduler workflow's activities (upstream service/worker/scheduler/activities.go): they call our own
// frontend, as any SDK client would, through the worker service's connection to it.
import { heartbeat } from '@temporalio/activity';
import type { StartScheduledWorkflowRequest, WatchWorkflowRequest, WatchWorkflowResult } from '@tempora/common';
import type { Payload } from '@tempora/proto/common';
import { HistoryEventFilterType, WorkflowExecutionStatus } from '@tempora/proto/enums';
import { WorkflowExecutionAlreadyStartedFailure } from '@tempora/proto/errordetails';
import { Schedule } from '@tempora/proto/schedule';
import type { WorkflowServiceServer } from '@tempora/proto/workflowservice';
import { Code, isRpcError, type RpcClient } from '@tempora/rpc';

const RUNNING = WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING;
const CLOSE_EVENT = HistoryEventFilterType.HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT;

export type SchedulerActivities = ReturnType<typeof createSchedulerActivities>;

function jsonPayload(value: unknown, type?: string): Payload {
  const metadata: Record<string, Buffer> = { encoding: Buffer.from('json/plain') };
  if (type) metadata.type = Buffer.from(type);
  return { metadata, data: Buffer.from(JSON.stringify(value)), externalPayloads: [] };
}

export function createSchedulerActivities(frontend: () => RpcClient<WorkflowServiceServer>) {
  return {
    /** Starts the schedule's action. A start the server already has (same request id, or the id taken) counts. */
    async startScheduledWorkflow(
      req: StartScheduledWorkflowRequest,
    ): Promise<{ runId: string; realStartTimeMs: number }> {
      const schedule = Schedule.decode(Buffer.from(req.encodedSchedule, 'base64'));
      const action = schedule.action?.startWorkflow;
      if (!action) throw new Error('schedule has no start-workflow action');
      const indexedFields: Record<string, Payload> = {
        ...(action.searchAttributes?.indexedFields ?? {}),
        TemporalScheduledStartTime: jsonPayload(new Date(req.nominalTimeMs).toISOString(), 'Datetime'),
        TemporalScheduledById: jsonPayload(req.scheduleId, 'Keyword'),
      };
      try {
        const res = await frontend().startWorkflowExecution({
          namespace: req.namespace,
          workflowId: req.workflowId,
          workflowType: action.workflowType,
          taskQueue: action.taskQueue,
          input: action.input,
          workflowExecutionTimeout: action.workflowExecutionTimeout,
          workflowRunTimeout: action.workflowRunTimeout,
          workflowTaskTimeout: action.workflowTaskTimeout,
          identity: req.identity,
          requestId: req.requestId,
          workflowIdReusePolicy: req.workflowIdReusePolicy,
          retryPolicy: action.retryPolicy,
          memo: action.memo,
          searchAttributes: { indexedFields },
          header: action.header,
          userMetadata: action.userMetadata,
          priority: action.priority,
        });
        return { runId: res.runId, realStartTimeMs: Date.now() };
      } catch (err) {
        if (isRpcError(err) && err.code === Code.ALREADY_EXISTS) {
          const runId = err.detail ? WorkflowExecutionAlreadyStartedFailure.decode(err.detail.value).runId : '';
          return { runId, realStartTimeMs: Date.now() };
        }
        throw err;
      }
    },

    /** The workflow's status; with longPoll, waits (heartbeating) until it closes, following its run chain. */
    async watchWorkflow(req: WatchWorkflowRequest): Promise<WatchWorkflowResult> {
      let runId = '';
      for (;;) {
        if (req.longPoll) heartbeat();
        let described;
        try {
          described = await frontend().describeWorkflowExecution({
            namespace: req.namespace,
            execution: { workflowId: req.workflowId, runId },
          });
        } catch (err) {
          if (isRpcError(err) && err.code === Code.NOT_FOUND) return { status: 0 };
          throw err;
        }
        const info = described.workflowExecutionInfo;
        const status = info?.status ?? 0;
        if (status === RUNNING) {
          if (!req.longPoll) return { status };
          try {
            await frontend().getWorkflowExecutionHistory(
              {
                namespace: req.namespace,
                execution: { workflowId: req.workflowId, runId: info?.execution?.runId ?? '' },
                waitNewEvent: true,
                historyEventFilterType: CLOSE_EVENT,
                maximumPageSize: 1,
              },
              { deadline: Date.now() + 30_000 },
            );
          } catch (err) {
            if (!(isRpcError(err) && err.code === Code.DEADLINE_EXCEEDED)) throw err;
          }
          continue;
        }
        const history = await frontend().getWorkflowExecutionHistory({
          namespace: req.namespace,
          execution: { workflowId: req.workflowId, runId: info?.execution?.runId ?? '' },
          historyEventFilterType: CLOSE_EVENT,
          maximumPageSize: 1,
        });
        const event = history.history?.events[0];
        const next =
          event?.workflowExecutionCompletedEventAttributes?.newExecutionRunId ||
          event?.workflowExecutionFailedEventAttributes?.newExecutionRunId ||
          event?.workflowExecutionTimedOutEventAttributes?.newExecutionRunId ||
          event?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId;
        if (next) {
          runId = next;
          continue;
        }
        return {
          status,
          closeTimeMs: event?.eventTime?.getTime(),
          failureMessage: event?.workflowExecutionFailedEventAttributes?.failure?.message,
        };
      }
    },

    async cancelWorkflow(req: {
      namespace: string;
      workflowId: string;
      runId: string;
      identity: string;
      requestId: string;
      reason: string;
    }): Promise<void> {
      await frontend().requestCancelWorkflowExecution({
        namespace: req.namespace,
        workflowExecution: { workflowId: req.workflowId },
        firstExecutionRunId: req.runId,
        identity: req.identity,
        requestId: req.requestId,
        reason: req.reason,
      });
    },

    async terminateWorkflow(req: {
      namespace: string;
      workflowId: string;
      runId: string;
      identity: string;
      reason: string;
    }): Promise<void> {
      await frontend().terminateWorkflowExecution({
        namespace: req.namespace,
        workflowExecution: { workflowId: req.workflowId },
        firstExecutionRunId: req.runId,
        identity: req.identity,
        reason: req.reason,
      });
    },
  };
}
