// The reshard measurement's workflows: open runs that wait for a signal (what moves), and the load that runs
// meanwhile (one activity each).
import { condition, defineSignal, proxyActivities, setHandler } from '@temporalio/workflow';

const { echo } = proxyActivities({ startToCloseTimeout: '30s' });
export const go = defineSignal('go');

export async function waiter(index) {
  let released = false;
  setHandler(go, () => void (released = true));
  await condition(() => released);
  return await echo(`done ${index}`);
}

export async function hello(name) {
  return await echo(name);
}
