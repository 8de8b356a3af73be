import { describe, expect, it } from '@jest/globals';
import type { HistoryTask } from '@tempora/persistence';
import { TimerTaskBody, TransferTaskBody } from '@tempora/proto/persistence';
import type { DeepPartial } from '@tempora/rpc';
import { timerTaskType, transferTaskType } from './engine-metrics.js';

const task = (data: Uint8Array): HistoryTask => ({
  category: 'timer',
  taskId: 1,
  fireTime: 0,
  namespaceId: 'ns',
  workflowId: 'wf',
  runId: 'run',
  data,
});
const timer = (body: DeepPartial<TimerTaskBody>) =>
  timerTaskType(task(TimerTaskBody.encode(TimerTaskBody.fromPartial(body)).finish()));
const transfer = (body: DeepPartial<TransferTaskBody>) =>
  transferTaskType(task(TransferTaskBody.encode(TransferTaskBody.fromPartial(body)).finish()));

describe('queue task types (upstream task_type tag values)', () => {
  it('names each timer task kind', () => {
    expect(timer({ workflowTaskTimeout: {} })).toBe('TimerActiveTaskWorkflowTaskTimeout');
    expect(timer({ activityTimeout: {} })).toBe('TimerActiveTaskActivityTimeout');
    expect(timer({ userTimer: {} })).toBe('TimerActiveTaskUserTimer');
    expect(timer({ activityRetry: {} })).toBe('TimerActiveTaskActivityRetryTimer');
    expect(timer({ workflowTimeout: { isExecutionTimeout: false } })).toBe('TimerActiveTaskWorkflowRunTimeout');
    expect(timer({ workflowTimeout: { isExecutionTimeout: true } })).toBe('TimerActiveTaskWorkflowExecutionTimeout');
    expect(timer({ workflowBackoff: {} })).toBe('TimerActiveTaskWorkflowBackoffTimer');
    expect(timer({ deleteHistoryEvent: {} })).toBe('TimerActiveTaskDeleteHistoryEvent');
  });

  it('names each transfer task kind', () => {
    expect(transfer({ workflowTask: {} })).toBe('TransferActiveTaskWorkflowTask');
    expect(transfer({ activityTask: {} })).toBe('TransferActiveTaskActivity');
    expect(transfer({ closeExecution: {} })).toBe('TransferActiveTaskCloseExecution');
    expect(transfer({ cancelExternal: {} })).toBe('TransferActiveTaskCancelExecution');
    expect(transfer({ signalExternal: {} })).toBe('TransferActiveTaskSignalExecution');
    expect(transfer({ startChild: {} })).toBe('TransferActiveTaskStartChildExecution');
  });
});
