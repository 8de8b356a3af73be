// Workflow code, bundled by the SDK worker from its compiled path (dist/workflows.js) and run in its sandbox.
import { proxyActivities } from '@temporalio/workflow';
import type * as activities from './activities.js';

const { greet } = proxyActivities<typeof activities>({ startToCloseTimeout: '30 seconds' });

/** One workflow task, one activity, one completing workflow task: the smallest realistic workflow. */
export async function hello(name: string): Promise<string> {
  return await greet(name);
}
