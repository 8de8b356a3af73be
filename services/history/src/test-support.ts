// For the history service's unit tests: runs built the way the RPCs build them but without a shard or a store, a
// queue executor that collects what a queue ran, and the calls tests send a history service's handlers.
import type { HistoryTask } from '@tempora/persistence';
import { EventType, WorkflowExecutionStatus } from '@tempora/proto/enums';
import type { ExecutionInfo, WorkflowTaskInfo } from '@tempora/proto/persistence';
import { localCallContext, type DeepPartial } from '@tempora/rpc';
import type { HistoryService } from './index.js';
import { MutableState, newMutableState } from './mutable-state.js';

/** A running run as StartWorkflowExecution leaves it: its started event and its first workflow task scheduled. */
export function startedRun(info: DeepPartial<ExecutionInfo> = {}): MutableState {
  const ms = newMutableState({
    namespaceId: 'ns-id',
    workflowId: 'wf',
    runId: '11111111-1111-4111-8111-111111111111',
    firstExecutionRunId: '11111111-1111-4111-8111-111111111111',
    workflowType: 'Greeter',
    taskQueue: 'main-queue',
    status: WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING,
    startTime: new Date(),
    executionTime: new Date(),
    defaultWorkflowTaskTimeout: { seconds: 10, nanos: 0 },
    attempt: 1,
    ...info,
  });
  ms.addEvent(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED, {
    workflowExecutionStartedEventAttributes: {
      workflowType: { name: ms.info.workflowType },
      taskQueue: { name: ms.info.taskQueue },
    },
  });
  ms.scheduleWorkflowTask();
  return ms;
}

/** Starts the scheduled workflow task as RecordWorkflowTaskStarted does. */
export function startWorkflowTask(ms: MutableState): WorkflowTaskInfo {
  const task = ms.workflowTask!;
  const event = ms.addEvent(EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED, {
    workflowTaskStartedEventAttributes: { scheduledEventId: task.scheduledEventId, identity: 'worker' },
  });
  task.startedEventId = event.eventId;
  task.startedTime = ms.now;
  return task;
}

/** Completes the started workflow task as RespondWorkflowTaskCompleted does before its commands apply. */
export function completeWorkflowTask(ms: MutableState): number {
  const task = ms.workflowTask!;
  const completed = ms.addEvent(EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED, {
    workflowTaskCompletedEventAttributes: {
      scheduledEventId: task.scheduledEventId,
      startedEventId: task.startedEventId,
      identity: 'worker',
    },
  });
  ms.info.lastCompletedWorkflowTaskStartedEventId = task.startedEventId;
  ms.clearWorkflowTask();
  return completed.eventId;
}

/** The next transaction on the run, once this one's events and tasks are written. */
export function nextTransaction(ms: MutableState): MutableState {
  return new MutableState(ms.state);
}

export function eventTypes(ms: MutableState): string[] {
  return ms.newEvents.map((e) => EventType[e.eventType]!.replace('EVENT_TYPE_', ''));
}

/** A queue's task executor that collects the tasks it ran; `ran(n)` resolves once n tasks in all have run. */
export function collectingExecutor() {
  const executed: HistoryTask[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  const execute = async (task: HistoryTask): Promise<void> => {
    executed.push(task);
    for (const w of waiters.filter((w) => executed.length >= w.count)) w.resolve();
  };
  const ran = (count: number) =>
    executed.length >= count ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ count, resolve }));
  return { executed, execute, ran };
}

/** StartWorkflowExecution of a run of type `wf` on queue `tq`, sent to the service's handlers. */
export function startThrough(host: HistoryService, namespaceId: string, workflowId: string) {
  return host.handlers().startWorkflowExecution!(
    {
      namespaceId,
      request: {
        namespace: 'default',
        workflowId,
        workflowType: { name: 'wf' },
        taskQueue: { name: 'tq' },
        requestId: `req-${workflowId}`,
        identity: 'test',
      },
    } as never,
    localCallContext('HistoryService/StartWorkflowExecution'),
  );
}

/** DescribeWorkflowExecution of the workflow's current run, sent to the service's handlers. */
export function describeThrough(host: HistoryService, namespaceId: string, workflowId: string) {
  return host.handlers().describeWorkflowExecution!(
    { namespaceId, request: { namespace: 'default', execution: { workflowId, runId: '' } } } as never,
    localCallContext('HistoryService/DescribeWorkflowExecution'),
  );
}
