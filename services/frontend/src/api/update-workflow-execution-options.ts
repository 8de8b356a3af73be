import type { VersioningOverride } from '@tempora/proto/workflow';
import type {
  UpdateWorkflowExecutionOptionsRequest,
  UpdateWorkflowExecutionOptionsResponse,
} from '@tempora/proto/workflowservice';
import { failedPrecondition, invalidArgument, type CallContext, type DeepPartial } from '@tempora/rpc';
import type { FrontendContext } from '../context.js';
import { validateExecution } from '../validation.js';

/** Field paths of WorkflowExecutionOptions (proto names, as upstream's mask parser takes them) and their children. */
const OPTION_FIELDS: Record<string, string[]> = {
  versioning_override: ['pinned', 'auto_upgrade', 'one_time', 'behavior', 'deployment', 'pinned_version'],
  priority: ['priority_key', 'fairness_key', 'fairness_weight'],
  time_skipping_config: [],
};

const snake = (path: string) => path.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

function validateMask(paths: readonly string[]): void {
  for (const path of paths) {
    const [field = '', child, ...rest] = snake(path).split('.');
    const children = OPTION_FIELDS[field];
    if (!children || (child !== undefined && (!children.includes(child) || rest.length))) {
      throw invalidArgument(
        `error parsing UpdateMask: proto: invalid path "${path}" for message "temporal.api.workflow.v1.WorkflowExecutionOptions"`,
      );
    }
    if (field === 'time_skipping_config') {
      throw invalidArgument('WorkflowExecutionOptions.time_skipping_config is not supported by this server');
    }
  }
}

/**
 * Without worker deployments there is no version to pin to: a pinned override fails as upstream's does when the
 * version is not in the task queue, and auto-upgrade (the behaviour of an unversioned run) is accepted.
 */
function validateOverride(override: VersioningOverride | undefined, workflowId: string, taskQueue: string): void {
  if (!override || override.autoUpgrade) return;
  const version = override.pinned?.version ?? override.oneTime?.targetDeploymentVersion;
  if (override.pinned || override.oneTime || override.pinnedVersion) {
    const name = version ? `${version.deploymentName}:${version.buildId}` : override.pinnedVersion;
    if (!name) {
      throw failedPrecondition(
        `must specify a specific pinned override version because workflow with id ${workflowId} has behavior AutoUpgrade and is not yet pinned to any version`,
      );
    }
    throw failedPrecondition(`Pinned version '${name}' is not present in task queue '${taskQueue}' of type 'Workflow'`);
  }
}

export function updateWorkflowExecutionOptions(ctx: FrontendContext) {
  return async (
    req: UpdateWorkflowExecutionOptionsRequest,
    call: CallContext,
  ): Promise<DeepPartial<UpdateWorkflowExecutionOptionsResponse>> => {
    const execution = validateExecution(req.workflowExecution);
    if (!req.workflowExecutionOptions) throw invalidArgument('WorkflowExecutionOptions is required');
    if (!req.updateMask) throw invalidArgument('UpdateMask is required');
    validateMask(req.updateMask);
    const namespaceId = await ctx.namespaces.resolveId(req.namespace);
    const override = req.updateMask.some((p) => snake(p).startsWith('versioning_override'))
      ? req.workflowExecutionOptions.versioningOverride
      : undefined;
    if (override && !override.autoUpgrade) {
      // The message names the run's task queue, so read it first (and answer NOT_FOUND for an unknown run).
      const described = await ctx.history.describeWorkflowExecution(
        { namespaceId, request: { namespace: req.namespace, execution } },
        call,
      );
      validateOverride(override, execution.workflowId, described.response?.executionConfig?.taskQueue?.name ?? '');
    }
    const result = await ctx.history.updateWorkflowExecutionOptions({ namespaceId, request: req }, call);
    return result.response ?? {};
  };
}
