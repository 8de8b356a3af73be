import type { WorkflowTaskToken } from '@tempora/proto/internal';
import type { WorkflowTaskInfo } from '@tempora/proto/persistence';
import { notFound } from '@tempora/rpc';
import type { MutableState } from './mutable-state.js';

/** The started workflow task a token refers to; NOT_FOUND "Workflow task not found." when it moved on. */
export function startedTaskForToken(ms: MutableState, token: WorkflowTaskToken): WorkflowTaskInfo {
  if (!ms.isRunning) throw notFound('Workflow execution already completed.');
  const task = ms.workflowTask;
  if (
    !task ||
    task.startedEventId === 0 ||
    task.scheduledEventId !== token.scheduledEventId ||
    task.startedEventId !== token.startedEventId ||
    task.attempt !== token.attempt
  ) {
    throw notFound('Workflow task not found.');
  }
  return task;
}
