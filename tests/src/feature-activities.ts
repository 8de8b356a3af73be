// Activities for the SDK feature tests. They run in the test's own process (activities are not sandboxed), so the
// module-level records below are what the activities saw, read by the tests once the workflow is done.
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';

export async function echo(value: string): Promise<string> {
  return value;
}

export async function add(a: number, b: number): Promise<number> {
  return a + b;
}

/** Sleeps `ms` (cancellably) on every attempt, then returns the attempt number. */
export async function sleepFor(ms: number): Promise<number> {
  await Context.current().sleep(ms);
  return Context.current().info.attempt;
}

/** Sleeps `ms` (outliving its start-to-close timeout) on attempts before `fastAttempt`; returns the attempt that finished. */
export async function slowUntilAttempt(ms: number, fastAttempt: number): Promise<number> {
  const { attempt } = Context.current().info;
  if (attempt < fastAttempt) await Context.current().sleep(ms);
  return attempt;
}

/**
 * The first attempt heartbeats `checkpoint` once and then stops heartbeating for `stallMs`; a later attempt returns
 * the heartbeat details it was started with.
 */
export async function heartbeatThenStall(checkpoint: string, stallMs: number): Promise<string> {
  const ctx = Context.current();
  if (ctx.info.attempt === 1) {
    ctx.heartbeat(checkpoint);
    await ctx.sleep(stallMs);
    return 'the stalled attempt finished';
  }
  return `attempt ${ctx.info.attempt} resumed from ${String(ctx.info.heartbeatDetails)}`;
}

/** What a cancelled activity caught, by workflow id: `<error name>: <message>`. */
export const cancellationsSeen = new Map<string, string>();

/** Heartbeats until the activity is cancelled, records the cancellation and rethrows it. */
export async function heartbeatUntilCancelled(): Promise<never> {
  const ctx = Context.current();
  const beat = setInterval(() => ctx.heartbeat(), 100);
  try {
    ctx.heartbeat();
    return await ctx.cancelled;
  } catch (err) {
    const e = err as Error;
    cancellationsSeen.set(ctx.info.workflowExecution!.workflowId, `${e.name}: ${e.message}`);
    throw err;
  } finally {
    clearInterval(beat);
  }
}

/** A test's rendezvous with an activity's second attempt: `started` resolves once it runs; it returns on `release()`. */
export interface SecondAttemptGate {
  started: Promise<void>;
  release(): void;
}

const secondAttempts = new Map<string, { started(): void; released: Promise<void> }>();

export function expectSecondAttempt(workflowId: string): SecondAttemptGate {
  let started!: () => void;
  let release!: () => void;
  const gate: SecondAttemptGate = {
    started: new Promise<void>((resolve) => (started = resolve)),
    release: () => release(),
  };
  secondAttempts.set(workflowId, { started, released: new Promise<void>((resolve) => (release = resolve)) });
  return gate;
}

/** Fails its first attempt; the second reports that it started and waits for the test's release. */
export async function failOnceThenWait(): Promise<number> {
  const ctx = Context.current();
  if (ctx.info.attempt === 1) throw ApplicationFailure.retryable('first attempt fails', 'Flaky');
  const gate = secondAttempts.get(ctx.info.workflowExecution!.workflowId);
  if (!gate) throw ApplicationFailure.nonRetryable('no gate registered for this workflow');
  gate.started();
  await gate.released;
  return ctx.info.attempt;
}

/** A result of `bytes` bytes from a small input (for the blob size limit). */
export async function bigString(bytes: number): Promise<string> {
  return 'x'.repeat(bytes);
}
