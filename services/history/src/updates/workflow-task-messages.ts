// Messages between history and the worker around a workflow task: the queries and update requests a starting task
// carries, and the update protocol messages (acceptance, rejection, response) a completing task returns, applied in
// command order (COMMAND_TYPE_PROTOCOL_MESSAGE) and the rest after the commands, as upstream.
import { EventType, WorkflowTaskFailedCause } from '@tempora/proto/enums';
import { Failure } from '@tempora/proto/failure';
import type { Message } from '@tempora/proto/protocol';
import { Acceptance, Rejection, Response, type Outcome } from '@tempora/proto/update';
import type {
  PollWorkflowTaskQueueResponse,
  RespondWorkflowTaskCompletedRequest,
} from '@tempora/proto/workflowservice';
import { WorkflowTaskType } from '@tempora/proto/persistence';
import { notFound, type DeepPartial } from '@tempora/rpc';
import { CommandValidationError } from '../commands/command-handler.js';
import type { HistoryContext } from '../context.js';
import { runKeyString, type RunKey } from '../execution-manager.js';
import type { MutableState } from '../mutable-state.js';
import { acceptedUpdateCompletedWorkflowFailure, workflowClosingError } from './admission.js';
import {
  ACCEPTANCE_TYPE_URL,
  REJECTION_TYPE_URL,
  RESPONSE_TYPE_URL,
  taskRef,
  type UpdateRegistry,
} from './update-registry.js';

const unprocessedUpdateFailure = (): Failure =>
  Failure.fromPartial({
    message:
      "Workflow Update is rejected because it wasn't processed by worker. Probably, Workflow Update is not supported by the worker.",
    source: 'Server',
    applicationFailureInfo: { type: 'UnprocessedUpdate', nonRetryable: true },
  });

/** Adds the buffered queries and the update requests waiting for the worker to a starting task's poll response. */
export function attachWorkflowTaskMessages(
  ctx: HistoryContext,
  key: RunKey,
  task: { scheduledEventId: number; startedEventId: number; attempt: number },
  response: DeepPartial<PollWorkflowTaskQueueResponse>,
): DeepPartial<PollWorkflowTaskQueueResponse> {
  const runKey = runKeyString(key);
  return {
    ...response,
    queries: ctx.queries.forWorkflowTask(runKey),
    messages: ctx.updates.messagesForWorkflowTask(runKey, taskRef(task), task.startedEventId),
  };
}

type Decoded =
  | { kind: 'acceptance'; message: Message; body: Acceptance }
  | { kind: 'rejection'; message: Message; body: Rejection }
  | { kind: 'response'; message: Message; body: Response };

/**
 * The update messages of one RespondWorkflowTaskCompleted. Built inside the transaction; what it did to the
 * registry (waking callers) happens in commit(), after the write succeeded.
 */
export class WorkflowTaskUpdates {
  private readonly messages = new Map<string, Decoded>();
  private readonly applied = new Set<string>();
  private readonly effects: Array<() => void> = [];
  private readonly runKey: string;
  /** Whether a workflow task is pending once the completion is applied (buffered queries wait for it then). */
  workflowTaskFollows = true;

  constructor(
    private readonly registry: UpdateRegistry,
    key: RunKey,
    private readonly req: RespondWorkflowTaskCompletedRequest,
  ) {
    this.runKey = runKeyString(key);
  }

  /** Decodes and checks every message; a bad one fails the task with BadUpdateWorkflowExecutionMessage. */
  validate(ms: MutableState): void {
    const cause = WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_BAD_UPDATE_WORKFLOW_EXECUTION_MESSAGE;
    const accepted = new Set(Object.keys(ms.state.updates));
    for (const message of this.req.messages) {
      const decoded = decodeMessage(message);
      if (!decoded)
        throw new CommandValidationError(
          cause,
          `unsupported protocol message body ${message.body?.typeUrl ?? ''} in message ${message.id}`,
        );
      const updateId = message.protocolInstanceId;
      if (decoded.kind === 'acceptance') {
        if (accepted.has(updateId)) throw new CommandValidationError(cause, `update ${updateId} is already accepted`);
        if (!this.registry.find(this.runKey, updateId))
          throw new CommandValidationError(cause, `update ${updateId} not found`);
        accepted.add(updateId);
      } else if (decoded.kind === 'response') {
        if (!accepted.has(updateId) || ms.state.updates[updateId]?.completedEventId) {
          throw new CommandValidationError(cause, `update ${updateId} is not accepted or already completed`);
        }
      }
      this.messages.set(message.id, decoded);
    }
    for (const command of this.req.commands) {
      const messageId = command.protocolMessageCommandAttributes?.messageId;
      if (command.protocolMessageCommandAttributes && !this.messages.has(messageId ?? '')) {
        throw new CommandValidationError(cause, `ProtocolMessageCommand references unknown message ${messageId}`);
      }
    }
  }

  /** A speculative task that only rejects updates writes nothing: history stays as it was (upstream). */
  writesNothing(ms: MutableState): boolean {
    return (
      ms.workflowTask?.type === WorkflowTaskType.WORKFLOW_TASK_TYPE_SPECULATIVE &&
      this.req.commands.length === 0 &&
      !this.req.forceCreateNewWorkflowTask &&
      !ms.hasBufferedEvents &&
      [...this.messages.values()].every((m) => m.kind === 'rejection')
    );
  }

  /** Tells the worker to roll its cached run back to this started event id; set when a speculative task is discarded. */
  resetHistoryEventId = 0;

  /** Drops the speculative task without writing anything (its events were only ever shown to the worker). */
  discardSpeculativeTask(ms: MutableState): void {
    ms.clearWorkflowTask();
    ms.markDirty();
    this.resetHistoryEventId = ms.info.lastCompletedWorkflowTaskStartedEventId;
  }

  /** Applies the message a COMMAND_TYPE_PROTOCOL_MESSAGE command names, at that command's place. */
  apply(ms: MutableState, messageId: string): void {
    const decoded = this.messages.get(messageId);
    if (!decoded || this.applied.has(messageId)) return;
    this.applied.add(messageId);
    const updateId = decoded.message.protocolInstanceId;
    switch (decoded.kind) {
      case 'acceptance': {
        const request = decoded.body.acceptedRequest ?? this.registry.find(this.runKey, updateId)?.request;
        const event = ms.addEvent(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED, {
          workflowExecutionUpdateAcceptedEventAttributes: {
            protocolInstanceId: updateId,
            acceptedRequestMessageId: decoded.body.acceptedRequestMessageId,
            acceptedRequestSequencingEventId: decoded.body.acceptedRequestSequencingEventId,
            acceptedRequest: request,
          },
        });
        ms.state.updates[updateId] = {
          updateId,
          acceptedEventId: event.eventId,
          completedEventId: 0,
          outcome: undefined,
        };
        this.effects.push(() => this.registry.accept(this.runKey, updateId));
        break;
      }
      case 'response': {
        const info = ms.state.updates[updateId]!;
        const outcome = decoded.body.outcome;
        const event = ms.addEvent(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED, {
          workflowExecutionUpdateCompletedEventAttributes: {
            meta: decoded.body.meta,
            acceptedEventId: info.acceptedEventId,
            outcome,
          },
        });
        info.completedEventId = event.eventId;
        info.outcome = outcome;
        this.finishEffect(updateId, outcome ?? {});
        break;
      }
      case 'rejection':
        this.finishEffect(updateId, { failure: decoded.body.failure });
        break;
    }
  }

  /**
   * After the commands: applies the messages no command named, rejects updates this task carried but the worker
   * did not process, aborts updates of a run that closed, and schedules a speculative task for updates that arrived
   * while this one ran.
   */
  finish(ms: MutableState, task: { scheduledEventId: number; startedEventId: number; attempt: number }): void {
    for (const messageId of this.messages.keys()) {
      if (ms.isRunning) this.apply(ms, messageId);
    }
    const thisTask = taskRef(task);
    const handled = new Set([...this.messages.values()].map((m) => m.message.protocolInstanceId));
    for (const entry of this.registry.entries(this.runKey)) {
      if (entry.pending && entry.sentWith === thisTask && !handled.has(entry.updateId)) {
        this.finishEffect(entry.updateId, { failure: unprocessedUpdateFailure() });
        handled.add(entry.updateId);
      }
    }
    if (!ms.isRunning) {
      this.abortAll(ms, handled);
    } else if (!ms.workflowTask && this.registry.hasUnsent(this.runKey, thisTask)) {
      // Upstream makes it speculative only for a worker that asked for the next task (all current SDKs do).
      ms.scheduleWorkflowTask(1, { speculative: this.req.returnNewWorkflowTask });
    }
    this.workflowTaskFollows = ms.workflowTask !== undefined;
  }

  /** Wakes the callers; call after the transaction committed. */
  commit(): void {
    for (const effect of this.effects) effect();
  }

  private finishEffect(updateId: string, outcome: Outcome): void {
    this.effects.push(() => this.registry.finish(this.runKey, updateId, outcome));
  }

  /**
   * The run closed: accepted updates fail with AcceptedUpdateCompletedWorkflow; admitted ones are aborted, with a
   * retryable error when a new run continues the workflow (the caller's retry lands there).
   */
  private abortAll(ms: MutableState, handled: Set<string>): void {
    const continuing = ms.newRun !== undefined;
    for (const entry of this.registry.entries(this.runKey)) {
      const persisted = ms.state.updates[entry.updateId];
      if (persisted) {
        if (!persisted.completedEventId)
          this.finishEffect(entry.updateId, { failure: acceptedUpdateCompletedWorkflowFailure() });
      } else if (entry.pending && !handled.has(entry.updateId)) {
        const error = continuing ? workflowClosingError() : notFound('workflow update was aborted by closing workflow');
        this.effects.push(() => this.registry.abort(this.runKey, entry, error));
      }
    }
  }
}

function decodeMessage(message: Message): Decoded | undefined {
  const body = message.body;
  try {
    switch (body?.typeUrl) {
      case ACCEPTANCE_TYPE_URL:
        return { kind: 'acceptance', message, body: Acceptance.decode(body.value) };
      case REJECTION_TYPE_URL:
        return { kind: 'rejection', message, body: Rejection.decode(body.value) };
      case RESPONSE_TYPE_URL:
        return { kind: 'response', message, body: Response.decode(body.value) };
      default:
        return undefined;
    }
  } catch {
    return undefined;
  }
}
