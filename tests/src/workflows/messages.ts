// Workflows of the messages-and-lifecycle tests: signals, cancellation, child workflows, external signal/cancel.
import {
  ApplicationFailure,
  ChildWorkflowFailure,
  condition,
  continueAsNew,
  defineSignal,
  executeChild,
  getExternalWorkflowHandle,
  isCancellation,
  ParentClosePolicy,
  setHandler,
  sleep,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';

export const addSignal = defineSignal<[string]>('add');
export const finishSignal = defineSignal('finish');

/** Collects `add` signals until `count` arrived (or a `finish` signal), then returns them in order. */
export async function signalCollector(count: number): Promise<string[]> {
  const items: string[] = [];
  let finished = false;
  setHandler(addSignal, (item) => void items.push(item));
  setHandler(finishSignal, () => void (finished = true));
  await condition(() => finished || items.length >= count);
  return items;
}

/** Sleeps until canceled; reports the cancellation as its (canceled) outcome. */
export async function cancellableSleeper(): Promise<string> {
  await sleep('1 day');
  return 'woke up';
}

/** Catches its cancellation and returns normally after cleaning up. */
export async function cancellationHandler(): Promise<string> {
  try {
    await sleep('1 day');
    return 'woke up';
  } catch (err) {
    if (isCancellation(err)) return 'cleaned up';
    throw err;
  }
}

export async function childEcho(value: string): Promise<string> {
  return `child:${value}:${workflowInfo().parent?.workflowId ?? 'no parent'}`;
}

export async function childFails(message: string): Promise<string> {
  throw ApplicationFailure.nonRetryable(message, 'ChildError');
}

/** Runs a child to completion and returns its result. */
export async function parentOfEcho(value: string): Promise<string> {
  return await executeChild(childEcho, { args: [value], workflowId: `${workflowInfo().workflowId}-child` });
}

/** Continues as new once, then returns: a child whose result comes from its second run. */
export async function childContinuing(round: number): Promise<string> {
  if (round === 0) await continueAsNew<typeof childContinuing>(1);
  return `round ${round}`;
}

/** Runs a child that continues as new; the parent sees only the final run's result. */
export async function parentOfContinuing(): Promise<string> {
  return await executeChild(childContinuing, { args: [0], workflowId: `${workflowInfo().workflowId}-child` });
}

/** Runs a child that outlives its execution timeout and reports the failure's type. */
export async function parentOfTimeout(): Promise<string> {
  try {
    await executeChild(cancellableSleeper, {
      workflowId: `${workflowInfo().workflowId}-child`,
      workflowExecutionTimeout: '1s',
    });
    return 'unexpected success';
  } catch (err) {
    if (err instanceof ChildWorkflowFailure) return err.cause?.constructor.name ?? 'no cause';
    throw err;
  }
}

/** Runs a failing child and reports how the failure reached the parent. */
export async function parentOfFailure(): Promise<string> {
  try {
    await executeChild(childFails, { args: ['boom'], workflowId: `${workflowInfo().workflowId}-child` });
    return 'unexpected success';
  } catch (err) {
    if (err instanceof ChildWorkflowFailure) return `${err.cause?.message ?? ''}`;
    throw err;
  }
}

/**
 * Starts a sleeping child under the given parent close policy and returns: at once, or after a `finish` signal
 * when `holdUntilFinished` (so a test can let the child settle first).
 */
export async function parentLeavingChild(
  policy: 'TERMINATE' | 'REQUEST_CANCEL' | 'ABANDON',
  holdUntilFinished = false,
): Promise<string> {
  let finished = !holdUntilFinished;
  setHandler(finishSignal, () => void (finished = true));
  const child = await startChild(cancellableSleeper, {
    workflowId: `${workflowInfo().workflowId}-child`,
    parentClosePolicy: ParentClosePolicy[policy],
  });
  await condition(() => finished);
  return child.workflowId;
}

/** Starts a child whose workflow id is already running. */
export async function parentOfDuplicateChild(childId: string): Promise<string> {
  try {
    await startChild(cancellableSleeper, { workflowId: childId });
    return 'started';
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return 'already started';
    throw err;
  }
}

/** Signals another workflow from inside a workflow. */
export async function externalSignaler(targetId: string, item: string): Promise<string> {
  try {
    await getExternalWorkflowHandle(targetId).signal(addSignal, item);
    return 'signaled';
  } catch (err) {
    return `failed: ${(err as Error).message}`;
  }
}

/** Requests cancellation of another workflow from inside a workflow. */
export async function externalCanceler(targetId: string): Promise<string> {
  try {
    await getExternalWorkflowHandle(targetId).cancel();
    return 'cancel requested';
  } catch (err) {
    return `failed: ${(err as Error).message}`;
  }
}

/** Waits for one signal, then sleeps briefly and completes: a reset target with a signal after its first task. */
export async function resettable(): Promise<string[]> {
  const items: string[] = [];
  setHandler(addSignal, (item) => void items.push(item));
  await condition(() => items.length >= 1);
  await sleep(10);
  return items;
}

/** Runs a resettable child and returns its result: a reset of the running child must not end the parent's wait. */
export async function parentOfResettable(): Promise<string[]> {
  return await executeChild(resettable, { workflowId: `${workflowInfo().workflowId}-child` });
}
