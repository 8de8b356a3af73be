import { randomUUID } from 'node:crypto';
import { msToDuration } from '@tempora/common';
import type { Command } from '@tempora/proto/command';
import { EventType, WorkflowTaskFailedCause } from '@tempora/proto/enums';
import { Failure } from '@tempora/proto/failure';
import type {
  RespondWorkflowTaskCompletedRequest,
  RespondWorkflowTaskCompletedResponse,
} from '@tempora/proto/internal';
import type {
  PollActivityTaskQueueResponse,
  RespondWorkflowTaskCompletedRequest as WorkerCompletion,
} from '@tempora/proto/workflowservice';
import { invalidArgument, type DeepPartial, type RpcError } from '@tempora/rpc';
import {
  CommandValidationError,
  applyCommands,
  commandNamespaceNames,
  isCloseCommand,
  validateCommandSequence,
  validateCommands,
  type CommandNamespaces,
} from '../commands/index.js';
import { activityTaskFor, startActivityAttempt } from '../activities.js';
import type { HistoryContext } from '../context.js';
import { searchAttributesForCommands, validateCommandSearchAttributes } from '../search-attribute-commands.js';
import { runKeyString } from '../execution-manager.js';
import type { MutableState } from '../mutable-state.js';
import { decodeWorkflowTaskToken } from '../tokens.js';
import { WorkflowTaskUpdates } from '../updates/workflow-task-messages.js';
import { writeTransientWorkflowTaskEvents } from '../workflow-task-events.js';
import { failWorkflowTask } from '../workflow-task-failure.js';
import { startedTaskForToken } from '../workflow-task-token.js';

async function resolveCommandNamespaces(
  ctx: HistoryContext,
  namespaceId: string,
  commands: Command[],
): Promise<CommandNamespaces> {
  const self = await ctx.namespaces.refById(namespaceId);
  const names = commandNamespaceNames(commands);
  const refs = await Promise.all(names.map((name) => ctx.namespaces.refByName(name)));
  return { self, byName: new Map(names.map((name, i) => [name, refs[i]])) };
}

/** Upstream's sticky schedule-to-start default when the worker sends none. */
const DEFAULT_STICKY_SCHEDULE_TO_START_MS = 5_000;

export function respondWorkflowTaskCompleted(ctx: HistoryContext) {
  return async ({
    request,
  }: RespondWorkflowTaskCompletedRequest): Promise<DeepPartial<RespondWorkflowTaskCompletedResponse>> => {
    const req = request!;
    const token = decodeWorkflowTaskToken(req.taskToken);
    const sequenceError = validateCommandSequence(req.commands);
    if (sequenceError) throw invalidArgument(sequenceError);
    const engine = ctx.shards.engineFor(token.namespaceId, token.workflowId);
    const namespaces = await resolveCommandNamespaces(ctx, token.namespaceId, req.commands);
    const key = { namespaceId: token.namespaceId, workflowId: token.workflowId, runId: token.runId };
    const searchAttributes = await searchAttributesForCommands(ctx.namespaces, token.namespaceId, req.commands);
    let updates = new WorkflowTaskUpdates(ctx.updates, key, req);
    let activityTasks: DeepPartial<PollActivityTaskQueueResponse>[] = [];
    const rejection = await engine.executions.update(key, (ms): RpcError | undefined => {
      const task = startedTaskForToken(ms, token);
      updates = new WorkflowTaskUpdates(ctx.updates, key, req);
      activityTasks = [];
      const failTask = (cause: WorkflowTaskFailedCause, message: string, rpcMessage: string) => {
        // A repeat of the same failure on a retry writes nothing (upstream: attempt > 1, cause not UnhandledCommand).
        if (task.attempt > 1 && cause !== WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND) {
          return invalidArgument(rpcMessage);
        }
        writeTransientWorkflowTaskEvents(ms);
        failWorkflowTask(ms, { cause, identity: req.identity, failure: Failure.fromPartial({ message }) });
        return invalidArgument(rpcMessage);
      };
      try {
        validateCommands(ms, req.commands, namespaces);
        validateCommandSearchAttributes(req.commands, searchAttributes);
        updates.validate(ms);
      } catch (err) {
        if (!(err instanceof CommandValidationError)) throw err;
        // Upstream writes the same "<Cause>: <detail>" text into the WorkflowTaskFailed failure as it answers with.
        return failTask(err.failedCause, err.rpcMessage, err.rpcMessage);
      }
      if (ms.hasBufferedEvents && req.commands.some(isCloseCommand)) {
        // New events arrived while the worker decided to close: it must see them first.
        return failTask(
          WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND,
          'UnhandledCommand',
          'UnhandledCommand',
        );
      }

      if (updates.writesNothing(ms)) {
        updates.discardSpeculativeTask(ms);
        applyStickyAttributes(ms, req);
        updates.finish(ms, task);
        return undefined;
      }

      writeTransientWorkflowTaskEvents(ms);
      const completed = ms.addEvent(EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED, {
        workflowTaskCompletedEventAttributes: {
          scheduledEventId: task.scheduledEventId,
          startedEventId: task.startedEventId,
          identity: req.identity,
          binaryChecksum: req.binaryChecksum,
          workerVersion: req.workerVersionStamp,
          sdkMetadata: req.sdkMetadata,
          meteringMetadata: req.meteringMetadata,
          deployment: req.deployment,
          versioningBehavior: req.versioningBehavior,
          workerDeploymentName: req.deploymentOptions?.deploymentName ?? '',
        },
      });
      ms.info.lastCompletedWorkflowTaskStartedEventId = task.startedEventId;
      addAutoResetPoint(ms, req, completed.eventId);
      ms.clearWorkflowTask();

      applyStickyAttributes(ms, req);

      const eagerActivities: number[] = [];
      applyCommands(ms, req.commands, {
        completedEventId: completed.eventId,
        identity: req.identity,
        namespaces,
        applyProtocolMessage: (messageId) => updates.apply(ms, messageId),
        eagerActivities,
      });
      if (ms.isRunning) {
        // Started here for the completing worker, as upstream's eager dispatch does, unless a later command of the
        // same task canceled the activity.
        for (const scheduledEventId of eagerActivities) {
          const activity = ms.state.activities[scheduledEventId];
          if (!activity || activity.cancelRequested) continue;
          startActivityAttempt(ms, activity, { requestId: randomUUID(), identity: req.identity });
          activityTasks.push(activityTaskFor(ms, activity, req.namespace));
        }
        const hadBufferedEvents = ms.hasBufferedEvents;
        ms.flushBufferedEvents();
        if (hadBufferedEvents || req.forceCreateNewWorkflowTask) ms.scheduleWorkflowTask();
      } else {
        ms.discardBufferedEvents();
      }
      updates.finish(ms, task);
      return undefined;
    });
    updates.commit();
    ctx.queries.workflowTaskCompleted(runKeyString(key), req.queryResults, updates.workflowTaskFollows);
    if (rejection) throw rejection;
    return { response: { activityTasks, resetHistoryEventId: updates.resetHistoryEventId } };
  };
}

/** Upstream's history.maxAutoResetPoints default. */
const MAX_AUTO_RESET_POINTS = 20;

/**
 * The first completed workflow task of each worker build (build id and binary checksum) is a reset point, as
 * upstream records it; the oldest points go once there are more than the limit.
 */
function addAutoResetPoint(ms: MutableState, req: WorkerCompletion, completedEventId: number): void {
  const buildId = req.deploymentOptions?.buildId || req.workerVersionStamp?.buildId || '';
  const binaryChecksum = req.binaryChecksum;
  const points = ms.info.autoResetPoints?.points ?? [];
  if (points.some((p) => p.buildId === buildId && p.binaryChecksum === binaryChecksum)) return;
  const s = ms.state;
  const resettable =
    !Object.keys(s.childExecutions).length && !Object.keys(s.requestCancels).length && !Object.keys(s.signals).length;
  const point = {
    buildId,
    binaryChecksum,
    runId: ms.info.runId,
    firstWorkflowTaskCompletedId: completedEventId,
    createTime: ms.now,
    expireTime: undefined,
    resettable,
  };
  ms.info.autoResetPoints = { points: [...points, point].slice(-MAX_AUTO_RESET_POINTS) };
}

function applyStickyAttributes(ms: MutableState, req: WorkerCompletion): void {
  const sticky = req.stickyAttributes?.workerTaskQueue?.name;
  if (sticky) {
    ms.info.stickyTaskQueue = sticky;
    ms.info.stickyScheduleToStartTimeout =
      req.stickyAttributes?.scheduleToStartTimeout ?? msToDuration(DEFAULT_STICKY_SCHEDULE_TO_START_MS);
  } else {
    ms.clearStickyness();
  }
}
