// The Prometheus text parser and counter sums on exposition text as Tempora's and upstream's /metrics write it.
import { describe, expect, it } from '@jest/globals';
import { counterDelta, parsePrometheusText, sumCounter } from './prometheus.js';

const TEXT = `# HELP persistence_requests Persistence calls
# TYPE persistence_requests counter
persistence_requests{operation="UpdateWorkflowExecution",namespace="default",service_name="history"} 12
persistence_requests{operation="AppendHistoryNodes",namespace="default",service_name="history"} 7
persistence_requests{namespace="system",operation="GetTransferTasks",service_name="history"} 3 1700000000000
persistence_requests_total{operation="UpdateWorkflowExecution",service_name="frontend"} 1
persistence_requests_other{operation="UpdateWorkflowExecution"} 1000
service_latency_bucket{le="+Inf",quote="say \\"hi\\"\\\\ok\\n"} 5
persistence_latency_sum NaN
up 1
`;

describe('Prometheus text', () => {
  it('parses names, labels (escapes included), values, and skips comments and timestamps', () => {
    const samples = parsePrometheusText(TEXT);
    expect(samples).toHaveLength(8);
    expect(samples[2]).toEqual({
      name: 'persistence_requests',
      labels: { namespace: 'system', operation: 'GetTransferTasks', service_name: 'history' },
      value: 3,
    });
    expect(samples[5].labels).toEqual({ le: '+Inf', quote: 'say "hi"\\ok\n' });
    expect(Number.isNaN(samples[6].value)).toBe(true);
    expect(samples[7]).toEqual({ name: 'up', labels: {}, value: 1 });
  });

  it('rejects malformed lines naming the line', () => {
    expect(() => parsePrometheusText('ok 1\nbad{operation="x} 2')).toThrow(/line 2: unterminated label value/);
    expect(() => parsePrometheusText('no_value{a="b"}')).toThrow(/line 1: bad value/);
    expect(() => parsePrometheusText('x{1a="b"} 2')).toThrow(/bad label/);
  });

  it('sums a counter over every label set (and its _total form) and per operation', () => {
    const totals = sumCounter(parsePrometheusText(TEXT), 'persistence_requests', 'operation');
    expect(totals).toEqual({
      total: 23,
      by: { UpdateWorkflowExecution: 13, AppendHistoryNodes: 7, GetTransferTasks: 3 },
    });
  });

  it('takes deltas per operation, counting operations that appear only afterwards from 0', () => {
    const before = { total: 10, by: { A: 6, B: 4 } };
    const after = { total: 25, by: { A: 16, B: 4, C: 5 } };
    expect(counterDelta(before, after)).toEqual({ total: 15, by: { A: 10, C: 5 } });
  });
});
