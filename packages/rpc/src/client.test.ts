// In-process calls read the caller's signal only when the called handler asks for it: a served call's context makes
// its AbortController on that first read, and most handlers never need one.
import { describe, expect, it } from '@jest/globals';
import * as historyMessages from '@tempora/proto/internal';
import { HistoryServiceService, type HistoryServiceServer } from '@tempora/proto/internal';
import { inProcessClient } from './client.js';
import type { Interceptor } from './interceptor.js';
import type { AsyncHandlers } from './server.js';

/** Call options whose signal counts its reads. */
function countingOptions(signal: AbortSignal) {
  const options = {
    reads: 0,
    get signal() {
      options.reads++;
      return signal;
    },
  };
  return options;
}

const seenSignals: AbortSignal[] = [];
const handlers: AsyncHandlers<HistoryServiceServer> = {
  describeWorkflowExecution: async () => ({}),
  resetStickyTaskQueue: async (_req, ctx) => {
    seenSignals.push(ctx.signal);
    return {};
  },
};

// An interceptor on each side that touches the call but not its signal, as telemetry and rate limits do.
const passThrough: Interceptor = (next) => (call) => next(call);
const pipelines = {
  'without interceptors': {},
  'with both pipelines': { interceptors: [passThrough], serverInterceptors: [passThrough], service: 'history' },
};

describe.each(Object.entries(pipelines))('in-process client %s', (_name, options) => {
  const client = inProcessClient<HistoryServiceServer>(HistoryServiceService, historyMessages, handlers, options);

  it("does not read the caller's signal when the handler never asks for it", async () => {
    const callerOptions = countingOptions(new AbortController().signal);
    await client.describeWorkflowExecution({ namespaceId: 'ns-id' }, callerOptions);
    expect(callerOptions.reads).toBe(0);
  });

  it("hands a handler that asks the caller's signal, which aborts with the caller", async () => {
    seenSignals.length = 0;
    const controller = new AbortController();
    const callerOptions = countingOptions(controller.signal);
    await client.resetStickyTaskQueue({ namespaceId: 'ns-id' }, callerOptions);
    expect(seenSignals).toEqual([controller.signal]);
    expect(callerOptions.reads).toBeGreaterThan(0);
    controller.abort();
    expect(seenSignals[0]!.aborted).toBe(true);
  });

  it('gives a handler whose caller passed no signal one that never aborts', async () => {
    seenSignals.length = 0;
    await client.resetStickyTaskQueue({ namespaceId: 'ns-id' });
    expect(seenSignals).toHaveLength(1);
    expect(seenSignals[0]!.aborted).toBe(false);
  });
});
