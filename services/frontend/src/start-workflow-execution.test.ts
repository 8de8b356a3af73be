import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@tempora/proto/enums';
import { StartWorkflowExecutionRequest } from '@tempora/proto/workflowservice';
import { Code, type DeepPartial } from '@tempora/rpc';
import { callContext, invalidArgumentStatus, startTestFrontend, type TestFrontend } from './test-support.js';
import { isUuid } from './validation.js';

const RUN_ID = '1b4e28ba-2fa1-11d2-883f-0016d3cca427';
const TOO_LONG = 'x'.repeat(1001);

let frontend: TestFrontend;
beforeEach(async () => {
  frontend = await startTestFrontend();
});
afterEach(() => frontend.close());

function start(
  overrides: DeepPartial<StartWorkflowExecutionRequest> = {},
  call = callContext('StartWorkflowExecution'),
) {
  const request = StartWorkflowExecutionRequest.fromPartial({
    namespace: 'default',
    workflowId: 'order-1',
    workflowType: { name: 'ProcessOrder' },
    taskQueue: { name: 'orders' },
    requestId: 'request-1',
    ...overrides,
  });
  return frontend.handlers.startWorkflowExecution(request, call);
}

describe('StartWorkflowExecution', () => {
  it('forwards the request to history under the namespace id and returns its response', async () => {
    frontend.history.answers.startWorkflowExecution = () => ({ response: { runId: RUN_ID, started: true } });
    const call = callContext('StartWorkflowExecution', { deadline: Date.now() + 10_000 });

    await expect(start({}, call)).resolves.toEqual({ runId: RUN_ID, started: true });

    expect(frontend.history.calls).toMatchObject([
      {
        method: 'startWorkflowExecution',
        request: {
          namespaceId: frontend.namespaceIds.default,
          request: {
            namespace: 'default',
            workflowId: 'order-1',
            taskQueue: { name: 'orders' },
            requestId: 'request-1',
          },
        },
        options: { deadline: call.deadline, signal: call.signal },
      },
    ]);
  });

  it('gives a start without a request id a fresh one, so history can deduplicate its retries', async () => {
    await start({ requestId: '' });
    const forwarded = frontend.history.calls[0]!.request as { request: StartWorkflowExecutionRequest };
    expect(isUuid(forwarded.request.requestId)).toBe(true);
  });

  it('applies upstream defaults to the workflow id policies', async () => {
    await start();
    await start({ workflowIdReusePolicy: WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_TERMINATE_IF_RUNNING });
    expect(frontend.history.calls.map(({ request }) => request)).toMatchObject([
      {
        request: {
          workflowIdReusePolicy: WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
          workflowIdConflictPolicy: WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
        },
      },
      {
        // The deprecated TERMINATE_IF_RUNNING alone means "terminate the running one".
        request: {
          workflowIdReusePolicy: WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
          workflowIdConflictPolicy: WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_TERMINATE_EXISTING,
        },
      },
    ]);
  });

  it('resolves the namespace before validating the rest of the request', async () => {
    await expect(start({ namespace: 'missing', workflowId: '' })).rejects.toMatchObject({
      code: Code.NOT_FOUND,
      message: 'Namespace missing is not found.',
    });
  });

  it.each<[string, DeepPartial<StartWorkflowExecutionRequest>, string]>([
    ['no workflow id', { workflowId: '' }, 'WorkflowId is not set on request.'],
    ['a workflow id too long', { workflowId: TOO_LONG }, 'WorkflowId length exceeds limit.'],
    ['no workflow type', { workflowType: undefined }, 'WorkflowType is not set on request.'],
    ['an empty workflow type', { workflowType: { name: '' } }, 'WorkflowType is not set on request.'],
    ['a workflow type too long', { workflowType: { name: TOO_LONG } }, 'WorkflowType length exceeds limit.'],
    ['no task queue', { taskQueue: undefined }, 'TaskQueue is not set on request.'],
    ['an empty task queue name', { taskQueue: { name: '' } }, 'TaskQueue is not set on request.'],
    ['a task queue too long', { taskQueue: { name: TOO_LONG } }, 'TaskQueue length exceeds limit.'],
    ['a request id too long', { requestId: TOO_LONG }, 'RequestId length exceeds limit.'],
    [
      'a negative execution timeout',
      { workflowExecutionTimeout: { seconds: -1 } },
      'Invalid WorkflowExecutionTimeout.',
    ],
    ['a negative run timeout', { workflowRunTimeout: { seconds: -5 } }, 'Invalid WorkflowRunTimeout.'],
    ['a malformed task timeout', { workflowTaskTimeout: { seconds: 1, nanos: 2e9 } }, 'Invalid WorkflowTaskTimeout.'],
    ['a negative start delay', { workflowStartDelay: { nanos: -1 } }, 'Invalid WorkflowStartDelay.'],
    [
      'a negative initial retry interval',
      { retryPolicy: { initialInterval: { seconds: -1 } } },
      'InitialInterval cannot be negative on retry policy.',
    ],
    [
      'a backoff coefficient below 1',
      { retryPolicy: { backoffCoefficient: 0.5 } },
      'BackoffCoefficient cannot be less than 1 on retry policy.',
    ],
    [
      'a negative maximum retry interval',
      { retryPolicy: { maximumInterval: { seconds: -1 } } },
      'MaximumInterval cannot be negative on retry policy.',
    ],
    [
      'a maximum retry interval below the initial one',
      { retryPolicy: { initialInterval: { seconds: 10 }, maximumInterval: { seconds: 5 } } },
      'MaximumInterval cannot be less than InitialInterval on retry policy.',
    ],
    [
      'negative maximum attempts',
      { retryPolicy: { maximumAttempts: -1 } },
      'MaximumAttempts cannot be negative on retry policy.',
    ],
    [
      'TERMINATE_IF_RUNNING with a conflict policy',
      {
        workflowIdReusePolicy: WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_TERMINATE_IF_RUNNING,
        workflowIdConflictPolicy: WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_TERMINATE_EXISTING,
      },
      'Invalid WorkflowIDReusePolicy: WORKFLOW_ID_REUSE_POLICY_TERMINATE_IF_RUNNING cannot be used together with a WorkflowIDConflictPolicy',
    ],
    [
      'REJECT_DUPLICATE with TERMINATE_EXISTING',
      {
        workflowIdReusePolicy: WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
        workflowIdConflictPolicy: WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_TERMINATE_EXISTING,
      },
      'Invalid WorkflowIDReusePolicy: WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE cannot be used together with WorkflowIdConflictPolicy WORKFLOW_ID_CONFLICT_POLICY_TERMINATE_EXISTING',
    ],
    [
      'a cron schedule with a start delay',
      { cronSchedule: '0 * * * *', workflowStartDelay: { seconds: 5 } },
      'CronSchedule and WorkflowStartDelay may not be used together.',
    ],
    ['an invalid cron schedule', { cronSchedule: '61 * * * *' }, 'invalid CronSchedule.'],
    ['a cron schedule in an unknown zone', { cronSchedule: 'CRON_TZ=Mars/Olympus 0 * * * *' }, 'invalid CronSchedule.'],
    [
      'a cron schedule that never fires',
      { cronSchedule: '0 0 30 2 *' },
      'invalid CronSchedule, no time can be found to satisfy the schedule',
    ],
  ])('rejects %s', async (_, overrides, message) => {
    await expect(start(overrides)).rejects.toMatchObject(invalidArgumentStatus(message));
    expect(frontend.history.calls).toEqual([]);
  });

  it.each(['CRON_TZ=America/New_York 0 * * * *', 'TZ=Europe/Paris @daily', '@every 90s'])(
    'accepts the cron schedule %p',
    async (cronSchedule) => {
      await start({ cronSchedule });
      expect(frontend.history.calls).toHaveLength(1);
    },
  );

  it.each<[string, DeepPartial<StartWorkflowExecutionRequest['retryPolicy']>]>([
    ['zero fields, which mean the defaults', { backoffCoefficient: 0, initialInterval: { seconds: 0 } }],
    ['a maximum interval without an initial one', { maximumInterval: { seconds: 5 } }],
    ['a single attempt, whatever the other fields say', { maximumAttempts: 1, backoffCoefficient: 0.5 }],
  ])('accepts a retry policy with %s', async (_, retryPolicy) => {
    await start({ retryPolicy });
    expect(frontend.history.calls).toHaveLength(1);
  });
});
