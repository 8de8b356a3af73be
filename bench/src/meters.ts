// What the measured phase costs the server and its store: CPU from /proc and store calls from /metrics, as deltas
// between the phase's start and end, so the warm-up, the server's start and its shutdown stay out.
import { setTimeout as sleep } from 'node:timers/promises';
import { processTreeCpuMs } from './proc.js';
import { counterDelta, scrapeCounter, type CounterTotals } from './prometheus.js';
import type { Window } from './cpuprofile.js';

/** The counter both Tempora and upstream Temporal count every persistence call in, by `operation`. */
const STORE_CALLS_METRIC = 'persistence_requests';
/**
 * Upstream's tally scope hands counters to its Prometheus registry once a second, so a scrape right at a phase edge
 * would miss up to a second of calls (or count the warm-up's); scraping that long after the edge catches up.
 */
const METRICS_SETTLE_MS = 1_100;

export interface MeterTargets {
  /** Roots of the server's process trees. */
  serverPids: readonly number[];
  /** Roots of the store's process trees (the Cassandra JVM), when the target uses Cassandra. */
  cassandraPids: readonly number[];
  /** The server's Prometheus endpoint, when it has one. */
  metricsUrl?: string;
}

export interface PhaseCosts {
  serverCpuMsPerWorkflow?: number;
  cassandraCpuMsPerWorkflow?: number;
  storeCallsPerWorkflow?: number;
  /** Store calls per workflow by upstream operation name, most first. */
  storeCallsByOperation?: Record<string, number>;
}

const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

/** begin() right before the measured workflows start, end() right after the last result. */
export class PhaseMeter {
  private cpuAtBegin = { server: 0, cassandra: 0 };
  private cpuAtEnd = { server: 0, cassandra: 0 };
  private callsAtBegin: CounterTotals | undefined;
  private calls: CounterTotals | undefined;
  private from = 0;
  private to = 0;

  constructor(private readonly targets: MeterTargets) {}

  async begin(): Promise<void> {
    if (this.targets.metricsUrl) {
      await sleep(METRICS_SETTLE_MS);
      this.callsAtBegin = await scrapeCounter(this.targets.metricsUrl, STORE_CALLS_METRIC, 'operation');
    }
    // After the scrape, so the server's work of answering it is not counted.
    this.cpuAtBegin = this.cpu();
    this.from = monotonicUs();
  }

  async end(): Promise<void> {
    this.to = monotonicUs();
    this.cpuAtEnd = this.cpu();
    if (this.targets.metricsUrl && this.callsAtBegin) {
      await sleep(METRICS_SETTLE_MS);
      const after = await scrapeCounter(this.targets.metricsUrl, STORE_CALLS_METRIC, 'operation');
      this.calls = counterDelta(this.callsAtBegin, after);
    }
  }

  /** The phase on the monotonic clock that V8 CPU profiles use too (CLOCK_MONOTONIC on Linux), in µs. */
  get window(): Window {
    return { from: this.from, to: this.to };
  }

  costs(workflows: number): PhaseCosts {
    const { serverPids, cassandraPids } = this.targets;
    const perWorkflow = (total: number) => total / workflows;
    const byOperation = this.calls
      ? Object.fromEntries(
          Object.entries(this.calls.by)
            .sort(([, a], [, b]) => b - a)
            .map(([operation, count]) => [operation, perWorkflow(count)]),
        )
      : undefined;
    return {
      serverCpuMsPerWorkflow: serverPids.length
        ? perWorkflow(this.cpuAtEnd.server - this.cpuAtBegin.server)
        : undefined,
      cassandraCpuMsPerWorkflow: cassandraPids.length
        ? perWorkflow(this.cpuAtEnd.cassandra - this.cpuAtBegin.cassandra)
        : undefined,
      storeCallsPerWorkflow: this.calls && perWorkflow(this.calls.total),
      storeCallsByOperation: byOperation,
    };
  }

  private cpu() {
    return {
      server: processTreeCpuMs(this.targets.serverPids),
      cassandra: processTreeCpuMs(this.targets.cassandraPids),
    };
  }
}
