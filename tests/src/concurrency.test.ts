// Acceptance: 1,000 concurrent hello workflows (each with an activity) complete with the right results.
import { describe, expect, it } from '@jest/globals';
import * as activities from './activities.js';
import { uniqueName } from './helpers.js';
import { useSdkTarget } from './sdk-support.js';

const WORKFLOWS = 1_000;
const taskQueue = uniqueName('load');
const sdk = useSdkTarget({
  taskQueue,
  workflows: 'index',
  activities,
  workerOptions: { maxConcurrentWorkflowTaskExecutions: 100 },
});

describe('concurrency', () => {
  it(`completes ${WORKFLOWS} concurrent hello workflows`, async () => {
    const names = Array.from({ length: WORKFLOWS }, (_, i) => `user-${i}`);
    const handles = await Promise.all(
      names.map((name) =>
        sdk.client.workflow.start('helloWorkflow', { taskQueue, workflowId: `${taskQueue}-${name}`, args: [name] }),
      ),
    );
    const results = await Promise.all(handles.map((handle) => handle.result()));
    expect(results).toEqual(names.map((name) => `Hello, ${name}!`));
  }, 240_000);
});
