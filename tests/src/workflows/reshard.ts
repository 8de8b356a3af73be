// The workload a reshard runs under: each run has a timer, an activity, a child, a signal and an update, so every
// kind of pending task and in-memory state moves with it. It blocks on the signal and on the update, so a test that
// sends them once the run waits for each gets the same history whatever shard the run is on.
import {
  condition,
  defineQuery,
  defineSignal,
  defineUpdate,
  executeChild,
  proxyActivities,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import type * as activities from '../activities.js';

const { countedEcho } = proxyActivities<typeof activities>({
  startToCloseTimeout: '5s',
  retry: { initialInterval: '200ms', backoffCoefficient: 1 },
});

export const reshardSignal = defineSignal<[string]>('reshard-signal');
export const reshardUpdate = defineUpdate<string, [string]>('reshard-update');
export const reshardStage = defineQuery<string>('reshard-stage');

export async function reshardChild(value: string): Promise<string> {
  return `child:${value}`;
}

export async function reshardWorkload(index: number): Promise<string> {
  let stage = 'working';
  let signalled = '';
  let updated = '';
  setHandler(reshardStage, () => stage);
  setHandler(reshardSignal, (value) => void (signalled = value));
  setHandler(reshardUpdate, (value) => {
    updated = value;
    return `updated:${value}`;
  });
  const echoed = await countedEcho(`a${index}`, 100);
  await sleep(500 + (index % 4) * 250);
  const child = await executeChild(reshardChild, {
    args: [`c${index}`],
    workflowId: `${workflowInfo().workflowId}-child`,
  });
  stage = 'waiting for signal';
  await condition(() => signalled !== '');
  stage = 'waiting for update';
  await condition(() => updated !== '');
  return [echoed, child, signalled, updated].join('|');
}
