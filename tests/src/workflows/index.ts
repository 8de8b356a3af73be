// Workflows used by the cross-service tests; bundled by the SDK worker from the compiled file.
import { ApplicationFailure, proxyActivities, sleep } from '@temporalio/workflow';
import type * as activities from '../activities.js';

export * from './reshard.js';

const { greet } = proxyActivities<typeof activities>({ startToCloseTimeout: '10s' });
const { failTimes } = proxyActivities<typeof activities>({
  startToCloseTimeout: '10s',
  retry: { initialInterval: '50ms', backoffCoefficient: 1, maximumAttempts: 5 },
});
const { alwaysFails } = proxyActivities<typeof activities>({
  startToCloseTimeout: '10s',
  retry: { initialInterval: '50ms', backoffCoefficient: 1, maximumAttempts: 3 },
});

export async function helloWorkflow(name: string): Promise<string> {
  return await greet(name);
}

export async function timerWorkflow(ms: number): Promise<string> {
  await sleep(ms);
  return 'woke up';
}

export async function retryingActivityWorkflow(failures: number): Promise<number> {
  return await failTimes(failures);
}

export async function failingActivityWorkflow(): Promise<string> {
  return await alwaysFails();
}

export async function failingWorkflow(message: string): Promise<never> {
  throw ApplicationFailure.nonRetryable(message, 'TestFailure');
}

const { slowEcho } = proxyActivities<typeof activities>({
  startToCloseTimeout: '5s',
  retry: { initialInterval: '200ms', backoffCoefficient: 1 },
});

/** A timer and two activities, one slow: something is in flight at almost any moment. */
export async function crashSurvivorWorkflow(index: number): Promise<string> {
  const first = await slowEcho(`a${index}`, 300);
  await sleep(1_000 + (index % 5) * 200);
  const second = await slowEcho(`b${index}`, 50);
  return `${first}-${second}`;
}
