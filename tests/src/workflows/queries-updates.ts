// Workflows for the query and update tests.
import { condition, defineQuery, defineUpdate, setHandler, sleep } from '@temporalio/workflow';

export const counterQuery = defineQuery<number>('counter');
export const failingQuery = defineQuery<number>('fails');
export const addUpdate = defineUpdate<number, [number]>('add');
export const slowAddUpdate = defineUpdate<number, [number]>('slowAdd');
export const finishUpdate = defineUpdate<string>('finish');
/** Adds after `delayMs`: an update that stays accepted for a while. */
export const delayedAddUpdate = defineUpdate<number, [number, number]>('delayedAdd');

/**
 * A counter: `add` adds (its validator rejects negative amounts), `slowAdd` adds after a timer, `counter` reads it,
 * `fails` throws; the run ends with the counter once `finish` arrives.
 */
export async function counterWorkflow(start: number): Promise<number> {
  let counter = start;
  let done = false;
  setHandler(counterQuery, () => counter);
  setHandler(failingQuery, () => {
    throw new Error('query failed on purpose');
  });
  setHandler(
    addUpdate,
    (amount) => {
      counter += amount;
      return counter;
    },
    {
      validator: (amount) => {
        if (amount < 0) throw new Error('negative amounts are rejected');
      },
    },
  );
  setHandler(slowAddUpdate, async (amount) => {
    await sleep(300);
    counter += amount;
    return counter;
  });
  setHandler(delayedAddUpdate, async (amount, delayMs) => {
    await sleep(delayMs);
    counter += amount;
    return counter;
  });
  setHandler(finishUpdate, () => {
    done = true;
    return 'finishing';
  });
  await condition(() => done);
  return counter;
}

/** Returns at once; a query on it is answered by replaying its history. */
export async function quickWorkflow(value: number): Promise<number> {
  setHandler(counterQuery, () => value);
  return value;
}
