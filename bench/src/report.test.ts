// The feature-cost summary of --metrics / --tracing with --rounds: medians per side, failed runs left out.
import { describe, expect, it } from '@jest/globals';
import { formatPairCost, pairCost, type TargetOutcome } from './report.js';

const run = (workflowsPerSecond: number, serverCpuMsPerWorkflow: number): TargetOutcome =>
  ({ target: 't', ok: true, workflowsPerSecond, serverCpuMsPerWorkflow }) as unknown as TargetOutcome;
const failed: TargetOutcome = { target: 't', ok: false, error: 'boom' };

describe('pairCost', () => {
  it('divides the medians of the on runs by those of the off runs', () => {
    const cost = pairCost([run(30, 10), run(20, 12), run(40, 9), failed], [run(27, 12), run(18, 15), run(36, 11)])!;
    expect(cost.runs).toBe(3);
    expect(cost.off).toEqual({ workflowsPerSecond: 30, serverCpuMsPerWorkflow: 10 });
    expect(cost.on).toEqual({ workflowsPerSecond: 27, serverCpuMsPerWorkflow: 12 });
    expect(cost.workflowsPerSecond).toBeCloseTo(0.9);
    expect(cost.serverCpu).toBeCloseTo(1.2);
    expect(formatPairCost('tracing', cost)).toBe(
      'tracing on/off, medians of 3 run(s) each: wf/s 0.900x (10.0% fewer; off 30.0, on 27.0); ' +
        'server CPU/wf 1.200x (off 10.00, on 12.00 ms)',
    );
  });

  it('takes the mean of the middle two of an even count, and gives nothing without a run on each side', () => {
    expect(pairCost([run(10, 1), run(20, 3)], [run(15, 2)])?.off.workflowsPerSecond).toBe(15);
    expect(pairCost([failed], [run(15, 2)])).toBeUndefined();
  });
});
