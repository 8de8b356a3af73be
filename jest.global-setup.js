// The TS SDK's client retries a failed call from a timer. When a test has closed that connection in the meantime
// (a call that was still in flight when its server stopped), the retry throws "Channel has been shut down" from the
// timer: an uncaught error outside any test, which ends the whole run when the files share one process (CI runs
// them in band). Only that error is ignored, with a note; any other uncaught error still ends the run. During a
// test jest replaces these listeners with its own, so an error there fails that test as before.
export default function installClosedChannelGuard() {
  process.on('uncaughtException', (err) => {
    // Errors made inside a test file come from its own realm, so no instanceof.
    const { message, stack } = typeof err === 'object' && err !== null ? err : {};
    if (message === 'Channel has been shut down' && /grpc-retry/.test(String(stack))) {
      console.warn('ignored: an SDK client retried a call on a connection that a test had already closed');
      return;
    }
    console.error(err);
    process.exit(1);
  });
}
