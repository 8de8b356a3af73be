// Activities for the cross-service tests.
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';

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
