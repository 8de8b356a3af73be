/** The promise's value, or undefined once `until` (epoch ms) passes or the signal aborts. */
export function untilDeadline<T>(promise: Promise<T>, until: number, signal: AbortSignal): Promise<T | undefined> {
  return new Promise((resolve, reject) => {
    const done = (value: T | undefined) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', cancel);
      resolve(value);
    };
    const cancel = () => done(undefined);
    const timer = setTimeout(cancel, Math.max(0, until - Date.now()));
    if (signal.aborted) return cancel();
    signal.addEventListener('abort', cancel, { once: true });
    promise.then(done, reject);
  });
}
