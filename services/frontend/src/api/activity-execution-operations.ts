// PauseActivityExecution, UnpauseActivityExecution, ResetActivityExecution and UpdateActivityExecutionOptions, the
// successors of PauseActivity & co. that the `temporal activity` commands call. They name one activity of a
// workflow by id (or a standalone activity, which Tempora does not have), so each becomes its predecessor's
// request for history.
import type {
  PauseActivityExecutionRequest,
  PauseActivityExecutionResponse,
  ResetActivityExecutionRequest,
  ResetActivityExecutionResponse,
  UnpauseActivityExecutionRequest,
  UnpauseActivityExecutionResponse,
  UpdateActivityExecutionOptionsRequest,
  UpdateActivityExecutionOptionsResponse,
} from '@tempora/proto/workflowservice';
import {
  PauseActivityRequest,
  ResetActivityRequest,
  UnpauseActivityRequest,
  UpdateActivityOptionsRequest,
} from '@tempora/proto/workflowservice';
import { invalidArgument, type CallContext, type DeepPartial } from '@tempora/rpc';
import type { FrontendContext } from '../context.js';
import { validateExecution } from '../validation.js';

interface ActivityTarget {
  namespace: string;
  workflowId: string;
  runId: string;
  activityId: string;
}

/** The workflow execution and activity id the request names, validated; the namespace id. */
async function resolveTarget(ctx: FrontendContext, req: ActivityTarget) {
  if (!req.workflowId)
    throw invalidArgument('WorkflowId is not set on request: standalone activities are not supported.');
  const execution = validateExecution({ workflowId: req.workflowId, runId: req.runId });
  if (!req.activityId) throw invalidArgument('ActivityId is not set on request.');
  return { execution, namespaceId: await ctx.namespaces.resolveId(req.namespace) };
}

export function pauseActivityExecution(ctx: FrontendContext) {
  return async (
    req: PauseActivityExecutionRequest,
    call: CallContext,
  ): Promise<DeepPartial<PauseActivityExecutionResponse>> => {
    const { execution, namespaceId } = await resolveTarget(ctx, req);
    const request = PauseActivityRequest.fromPartial({
      namespace: req.namespace,
      execution,
      identity: req.identity,
      id: req.activityId,
      reason: req.reason,
      requestId: req.requestId,
    });
    await ctx.history.pauseActivity({ namespaceId, request }, call);
    return {};
  };
}

export function unpauseActivityExecution(ctx: FrontendContext) {
  return async (
    req: UnpauseActivityExecutionRequest,
    call: CallContext,
  ): Promise<DeepPartial<UnpauseActivityExecutionResponse>> => {
    const { execution, namespaceId } = await resolveTarget(ctx, req);
    const request = UnpauseActivityRequest.fromPartial({
      namespace: req.namespace,
      execution,
      identity: req.identity,
      id: req.activityId,
      jitter: req.jitter,
    });
    await ctx.history.unpauseActivity({ namespaceId, request }, call);
    return {};
  };
}

export function resetActivityExecution(ctx: FrontendContext) {
  return async (
    req: ResetActivityExecutionRequest,
    call: CallContext,
  ): Promise<DeepPartial<ResetActivityExecutionResponse>> => {
    const { execution, namespaceId } = await resolveTarget(ctx, req);
    const request = ResetActivityRequest.fromPartial({
      namespace: req.namespace,
      execution,
      identity: req.identity,
      id: req.activityId,
      keepPaused: req.keepPaused,
      jitter: req.jitter,
      restoreOriginalOptions: req.restoreOriginalOptions,
      resetHeartbeat: req.resetHeartbeat,
    });
    await ctx.history.resetActivity({ namespaceId, request }, call);
    return {};
  };
}

export function updateActivityExecutionOptions(ctx: FrontendContext) {
  return async (
    req: UpdateActivityExecutionOptionsRequest,
    call: CallContext,
  ): Promise<DeepPartial<UpdateActivityExecutionOptionsResponse>> => {
    const { execution, namespaceId } = await resolveTarget(ctx, req);
    if (!req.restoreOriginal && !req.activityOptions) throw invalidArgument('ActivityOptions are not provided');
    const request = UpdateActivityOptionsRequest.fromPartial({
      namespace: req.namespace,
      execution,
      identity: req.identity,
      id: req.activityId,
      activityOptions: req.activityOptions,
      updateMask: req.updateMask,
      restoreOriginal: req.restoreOriginal,
    });
    const result = await ctx.history.updateActivityOptions({ namespaceId, request }, call);
    return result.response ?? {};
  };
}
