// The restart measurement's workflow: `steps` short activities one after the other, so that at any moment some runs
// have a workflow task in flight (scheduled on the worker's sticky queue, started, or being completed).
import { proxyActivities } from '@temporalio/workflow';

const { echo } = proxyActivities({ startToCloseTimeout: '10s' });

export async function steps(count) {
  let result = '';
  for (let i = 0; i < count; i++) result += await echo(String(i));
  return result;
}
