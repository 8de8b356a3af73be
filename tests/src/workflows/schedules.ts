// Workflows the schedule tests start through their schedules.
import { ApplicationFailure, sleep } from '@temporalio/workflow';

export async function completesWorkflow(): Promise<string> {
  return 'done';
}

export async function failsWorkflow(): Promise<never> {
  throw ApplicationFailure.nonRetryable('scheduled failure');
}

export async function sleepsWorkflow(ms: number): Promise<void> {
  await sleep(ms);
}
