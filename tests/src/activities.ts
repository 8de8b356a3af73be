// Activities for the cross-service tests.
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { activityRuns } from './activity-counts.js';

export async function greet(name: string): Promise<string> {
  return `Hello, ${name}!`;
}

/** Fails until attempt `failures + 1`, then returns the attempt number. */
export async function failTimes(failures: number): Promise<number> {
  const attempt = Context.current().info.attempt;
  if (attempt <= failures) throw ApplicationFailure.retryable(`attempt ${attempt} fails`, 'Flaky');
  return attempt;
}

export async function alwaysFails(): Promise<string> {
  throw ApplicationFailure.retryable('always fails', 'Broken');
}

export async function slowEcho(value: string, delayMs: number): Promise<string> {
  await new Promise((resolve) => setTimeout(resolve, delayMs));
  return value;
}

/** slowEcho that also counts its executions per value in this process (activity-counts.ts). */
export async function countedEcho(value: string, delayMs: number): Promise<string> {
  activityRuns.set(value, (activityRuns.get(value) ?? 0) + 1);
  return slowEcho(value, delayMs);
}
