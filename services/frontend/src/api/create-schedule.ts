import {
  PER_NAMESPACE_TASK_QUEUE,
  SCHEDULER_INITIAL_CONFLICT_TOKEN,
  SCHEDULER_MEMO_INFO,
  SCHEDULER_NAMESPACE_DIVISION,
  SCHEDULER_WORKFLOW_TYPE,
  type SchedulerArgs,
} from '@tempora/common';
import type { CreateScheduleRequest, CreateScheduleResponse } from '@tempora/proto/workflowservice';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@tempora/proto/enums';
import {
  Code,
  invalidArgument,
  isRpcError,
  workflowAlreadyStarted,
  type CallContext,
  type DeepPartial,
} from '@tempora/rpc';
import type { FrontendContext } from '../context.js';
import { MAX_ID_LENGTH } from '../namespaces.js';
import {
  compileScheduleSpec,
  conflictTokenBytes,
  initialListInfo,
  jitterSeed,
  jsonPayload,
  jsonPayloads,
  patchData,
  schedulerWorkflowId,
  toScheduleData,
  validateScheduleAction,
} from '../schedules.js';
import { validateWorkflowId } from '../validation.js';
import { validateRequestSearchAttributes } from '../visibility.js';

/** Starts the schedule's scheduler workflow in the schedule's namespace (upstream createScheduleWorkflow). */
export function createSchedule(ctx: FrontendContext) {
  return async (request: CreateScheduleRequest, call: CallContext): Promise<DeepPartial<CreateScheduleResponse>> => {
    const workflowId = schedulerWorkflowId(request.scheduleId);
    validateWorkflowId(workflowId);
    if (!request.requestId) throw invalidArgument('RequestId is not set on request.');
    if (request.requestId.length > MAX_ID_LENGTH) throw invalidArgument('RequestId length exceeds limit.');
    const namespace = await ctx.namespaces.resolve(request.namespace);
    const namespaceId = namespace.info!.id;
    const schedule = request.schedule ?? { spec: undefined, action: undefined, policies: undefined, state: undefined };
    const { compiled, json } = compileScheduleSpec(schedule);
    validateScheduleAction(namespace, schedule);
    validateRequestSearchAttributes(namespace, request.searchAttributes);

    const data = toScheduleData(schedule, json);
    const seed = jitterSeed(namespaceId, request.scheduleId);
    const args: SchedulerArgs = {
      schedule: data,
      initialPatch: request.initialPatch ? patchData(request.initialPatch) : undefined,
      state: {
        namespace: request.namespace,
        namespaceId,
        scheduleId: request.scheduleId,
        conflictToken: SCHEDULER_INITIAL_CONFLICT_TOKEN,
      },
    };
    const memoFields = {
      ...(request.memo?.fields ?? {}),
      [SCHEDULER_MEMO_INFO]: jsonPayload(initialListInfo(data, compiled, seed, Date.now())),
    };
    try {
      await ctx.history.startWorkflowExecution(
        {
          namespaceId,
          request: {
            namespace: request.namespace,
            workflowId,
            workflowType: { name: SCHEDULER_WORKFLOW_TYPE },
            taskQueue: { name: PER_NAMESPACE_TASK_QUEUE },
            input: jsonPayloads(args),
            identity: request.identity,
            requestId: request.requestId,
            workflowIdReusePolicy: WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
            workflowIdConflictPolicy: WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
            memo: { fields: memoFields },
            searchAttributes: {
              indexedFields: {
                ...(request.searchAttributes?.indexedFields ?? {}),
                TemporalNamespaceDivision: jsonPayload(SCHEDULER_NAMESPACE_DIVISION),
              },
            },
          },
        },
        call,
      );
    } catch (err) {
      if (isRpcError(err) && err.code === Code.ALREADY_EXISTS) {
        throw workflowAlreadyStarted(`schedule ${JSON.stringify(request.scheduleId)} is already registered`, '', '');
      }
      throw err;
    }
    return { conflictToken: conflictTokenBytes(SCHEDULER_INITIAL_CONFLICT_TOKEN) };
  };
}
