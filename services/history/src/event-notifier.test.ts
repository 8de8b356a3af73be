import { describe, expect, it } from '@jest/globals';
import { EventNotifier } from './event-notifier.js';

const FAR = () => Date.now() + 60_000;

/** Whether the promise has settled, once the microtasks queued so far have run. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true));
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

describe('EventNotifier', () => {
  it('wakes a waiter on any write to its run, and only its run', async () => {
    const notifier = new EventNotifier();
    const wait = notifier.waitForChange('ns/wf/run-1', FAR());
    notifier.notify('ns/wf/run-2', false);
    expect(await settled(wait)).toBe(false);
    notifier.notify('ns/wf/run-1', false);
    expect(await settled(wait)).toBe(true);
  });

  it('wakes a close-event reader only when the run is closed (or gone)', async () => {
    const notifier = new EventNotifier();
    const closeOnly = notifier.waitForChange('ns/wf/run-1', FAR(), undefined, true);
    const any = notifier.waitForChange('ns/wf/run-1', FAR());
    notifier.notify('ns/wf/run-1', false);
    expect(await settled(any)).toBe(true);
    expect(await settled(closeOnly)).toBe(false);
    notifier.notify('ns/wf/run-1');
    expect(await settled(closeOnly)).toBe(true);
  });

  it('ends a close-event wait at its deadline, on abort and on shutdown', async () => {
    const notifier = new EventNotifier();
    await notifier.waitForChange('ns/wf/run-1', Date.now(), undefined, true);
    const controller = new AbortController();
    const aborted = notifier.waitForChange('ns/wf/run-1', FAR(), controller.signal, true);
    controller.abort();
    expect(await settled(aborted)).toBe(true);
    const shutdown = notifier.waitForChange('ns/wf/run-1', FAR(), undefined, true);
    notifier.notifyAll();
    expect(await settled(shutdown)).toBe(true);
  });
});
