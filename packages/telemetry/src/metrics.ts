// Metrics with upstream Temporal's names, types, tags and histogram buckets (common/metrics/metric_defs.go, as its
// Prometheus reporter writes them: counters without a `_total` suffix, timers as histograms in seconds), so
// Temporal's own Grafana dashboards and alerts work unchanged. Services get `Metrics` handles injected; with
// metrics off every handle is a no-op.
import { createRequire } from 'node:module';
import type * as PromClient from 'prom-client';
import type { Gauge, Registry } from 'prom-client';

export type Tags = Readonly<Record<string, string>>;

export interface CounterHandle {
  add(value: number, tags?: Tags): void;
}
export interface HistogramHandle {
  /** Timers: seconds; bytes histograms: bytes; dimensionless: a count. */
  record(value: number, tags?: Tags): void;
}
export interface GaugeHandle {
  set(value: number, tags?: Tags): void;
}

/** Upstream's histogram buckets: timers (seconds), bytes, dimensionless. */
export const LATENCY_BUCKETS = [
  0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000,
];
export const BYTES_BUCKETS = Array.from({ length: 15 }, (_, i) => 1024 * 2 ** i); // 1 KiB .. 16 MiB
export const DIMENSIONLESS_BUCKETS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000];

type Kind = 'counter' | 'timer' | 'bytes' | 'dimensionless' | 'gauge';
interface Def {
  kind: Kind;
  help: string;
  labels: readonly string[];
}

const REQUEST = ['operation', 'namespace', 'service_name'] as const;
const WORKFLOW_CLOSE = ['operation', 'namespace', 'namespace_state', 'service_name', 'taskqueue', 'workflowType'];
const TASK_QUEUE = ['operation', 'namespace', 'service_name', 'taskqueue', 'task_type', 'partition'];
const QUEUE_TASK = ['operation', 'namespace', 'service_name', 'task_type'];
const SHARDS = ['operation', 'service_name'];
const CLIENT = ['operation', 'namespace', 'service_name', 'service_role'] as const;

/** Every metric Tempora exports, by upstream name. */
export const METRIC_DEFS = {
  // Served calls (the telemetry interceptor).
  service_requests: { kind: 'counter', help: 'Requests served, by operation', labels: REQUEST },
  service_errors: { kind: 'counter', help: 'Requests that failed, by operation', labels: REQUEST },
  service_error_with_type: {
    kind: 'counter',
    help: 'Failed requests by error type',
    labels: [...REQUEST, 'error_type'],
  },
  service_latency: { kind: 'timer', help: 'Request latency', labels: REQUEST },
  service_pending_requests: { kind: 'gauge', help: 'Requests in flight', labels: ['service_name'] },
  // Internal calls sent (the measured clients of each calling service).
  client_requests: {
    kind: 'counter',
    help: 'Requests sent by the client to an individual service, by service_role and operation',
    labels: CLIENT,
  },
  client_errors: { kind: 'counter', help: 'Requests sent that failed', labels: [...CLIENT, 'error_type'] },
  client_latency: { kind: 'timer', help: 'Latency of requests sent', labels: CLIENT },
  // Persistence (the instrumented stores).
  persistence_requests: { kind: 'counter', help: 'Persistence calls', labels: REQUEST },
  persistence_errors: { kind: 'counter', help: 'Persistence calls that failed', labels: REQUEST },
  persistence_error_with_type: {
    kind: 'counter',
    help: 'Failed persistence calls by error type',
    labels: [...REQUEST, 'error_type'],
  },
  persistence_latency: { kind: 'timer', help: 'Persistence call latency', labels: REQUEST },
  // Workflow close outcomes (history).
  workflow_success: { kind: 'counter', help: 'Workflows completed', labels: WORKFLOW_CLOSE },
  workflow_failed: { kind: 'counter', help: 'Workflows failed', labels: WORKFLOW_CLOSE },
  workflow_timeout: { kind: 'counter', help: 'Workflows timed out', labels: WORKFLOW_CLOSE },
  workflow_cancel: { kind: 'counter', help: 'Workflows canceled', labels: WORKFLOW_CLOSE },
  workflow_terminate: { kind: 'counter', help: 'Workflows terminated', labels: WORKFLOW_CLOSE },
  workflow_continued_as_new: { kind: 'counter', help: 'Workflows continued as new', labels: WORKFLOW_CLOSE },
  // Task dispatch (matching, and history's record-started).
  task_schedule_to_start_latency: {
    kind: 'timer',
    help: 'Time a task waited between schedule and start',
    labels: TASK_QUEUE,
  },
  poll_success: { kind: 'counter', help: 'Polls that returned a task', labels: TASK_QUEUE },
  poll_success_sync: { kind: 'counter', help: 'Polls that got a task by sync match', labels: TASK_QUEUE },
  poll_timeouts: { kind: 'counter', help: 'Polls that ended with no task', labels: TASK_QUEUE },
  approximate_backlog_count: { kind: 'gauge', help: 'Tasks in a task queue backlog', labels: TASK_QUEUE },
  loaded_task_queue_count: { kind: 'gauge', help: 'Task queues loaded on this host', labels: ['service_name'] },
  // Shards (history).
  numshards_gauge: { kind: 'gauge', help: 'Shards owned by this host', labels: SHARDS },
  sharditem_created_count: { kind: 'counter', help: 'Shards acquired by this host', labels: SHARDS },
  sharditem_removed_count: { kind: 'counter', help: 'Shards released or lost by this host', labels: SHARDS },
  sharditem_acquisition_latency: { kind: 'timer', help: 'Time to acquire a shard', labels: SHARDS },
  membership_changed_count: { kind: 'counter', help: 'Ring membership changes seen', labels: SHARDS },
  // History queue tasks (transfer, timer, visibility).
  task_requests: { kind: 'counter', help: 'Queue tasks processed', labels: QUEUE_TASK },
  task_errors: { kind: 'counter', help: 'Queue task attempts that failed', labels: QUEUE_TASK },
  task_latency: { kind: 'timer', help: 'Queue task processing latency (all attempts)', labels: QUEUE_TASK },
  task_latency_queue: { kind: 'timer', help: 'Queue task latency from creation to completion', labels: QUEUE_TASK },
  task_attempt: { kind: 'dimensionless', help: 'Attempts a queue task took', labels: QUEUE_TASK },
  // Group commit (history; Tempora's own): execution writes that shared one conditional write.
  group_commit_writes: {
    kind: 'dimensionless',
    help: 'Execution writes per group commit of a shard',
    labels: ['service_name'],
  },
  // Resharding (history; Tempora's own).
  reshard_moved_executions: { kind: 'counter', help: 'Runs a reshard moved to new shards', labels: SHARDS },
  reshard_shard_splits: { kind: 'counter', help: 'Shard splits this host committed', labels: SHARDS },
  reshard_split_latency: { kind: 'timer', help: 'Time a shard split took', labels: SHARDS },
  // History size and count.
  history_size: { kind: 'bytes', help: 'Workflow history size in bytes', labels: REQUEST },
  history_count: { kind: 'dimensionless', help: 'Workflow history event count', labels: REQUEST },
  // Process.
  restarts: { kind: 'counter', help: 'Service starts', labels: ['service_name'] },
} as const satisfies Record<string, Def>;

type Defs = typeof METRIC_DEFS;
export type MetricName = keyof Defs;
export type CounterName = { [K in MetricName]: Defs[K]['kind'] extends 'counter' ? K : never }[MetricName];
export type GaugeName = { [K in MetricName]: Defs[K]['kind'] extends 'gauge' ? K : never }[MetricName];
export type HistogramName = Exclude<MetricName, CounterName | GaugeName>;

/** Handles by metric name. Resolve handles once (at construction), not per call. */
export interface Metrics {
  /** False for the no-op implementation: callers may skip computing values only a metric needs. */
  readonly enabled: boolean;
  counter(name: CounterName): CounterHandle;
  histogram(name: HistogramName): HistogramHandle;
  gauge(name: GaugeName): GaugeHandle;
  /** The same metrics with `tags` added to every value (e.g. service_name). */
  withTags(tags: Tags): Metrics;
}

const NOOP_COUNTER: CounterHandle = { add: () => {} };
const NOOP_HISTOGRAM: HistogramHandle = { record: () => {} };
const NOOP_GAUGE: GaugeHandle = { set: () => {} };

/** Metrics off: every handle does nothing. */
export const NOOP_METRICS: Metrics = {
  enabled: false,
  counter: () => NOOP_COUNTER,
  histogram: () => NOOP_HISTOGRAM,
  gauge: () => NOOP_GAUGE,
  withTags: () => NOOP_METRICS,
};

const EMPTY: Tags = {};

/**
 * Counters and histograms are kept here rather than in prom-client's own classes: those merge, validate and hash
 * the label object on every call, which cost more than the rest of the telemetry together under load. Here a
 * handle bound to its base tags (service_name, ...) finds its series by the call's label values in label order, and
 * only a new series merges and checks labels. The registry reads them through prom-client's metric interface
 * (`get()`), so /metrics and the OTLP producer see what prom-client's classes would give.
 */
abstract class SeriesMetric<S extends { labels: Record<string, string> }> {
  /** Every series, in creation order (what get() lists). */
  protected readonly series: S[] = [];
  /**
   * The series by label value, one level per label in label order (a missing label is ''): found with a Map.get per
   * label instead of building a key string per call, which cost more than the rest of a metric update.
   */
  private tree = new Map<string, unknown>();
  readonly aggregator = 'sum';

  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: 'counter' | 'histogram',
    private readonly labelNames: readonly string[],
  ) {}

  protected abstract create(labels: Record<string, string>): S;

  /** The series of `base` + `tags` (tags win), created on first use. Every metric has at least one label. */
  find(base: Tags, tags: Tags): S {
    const names = this.labelNames;
    let level = this.tree;
    const last = names.length - 1;
    for (let i = 0; i < last; i++) {
      const name = names[i]!;
      const value = tags[name] ?? base[name] ?? '';
      let next = level.get(value) as Map<string, unknown> | undefined;
      if (!next) level.set(value, (next = new Map()));
      level = next;
    }
    const name = names[last]!;
    const value = tags[name] ?? base[name] ?? '';
    let found = level.get(value) as S | undefined;
    if (!found) level.set(value, (found = this.add(base, tags)));
    return found;
  }

  private add(base: Tags, tags: Tags): S {
    const labels = { ...base, ...tags };
    for (const label of Object.keys(labels)) {
      if (!this.labelNames.includes(label))
        throw new Error(`Added label "${label}" is not included in initial labelset`);
    }
    const series = this.create(labels);
    this.series.push(series);
    return series;
  }

  reset(): void {
    this.series.length = 0;
    this.tree = new Map();
  }
}

interface CounterSeries {
  labels: Record<string, string>;
  value: number;
}

class CounterMetric extends SeriesMetric<CounterSeries> {
  constructor(name: string, help: string, labelNames: readonly string[]) {
    super(name, help, 'counter', labelNames);
  }

  protected create(labels: Record<string, string>): CounterSeries {
    return { labels, value: 0 };
  }

  get() {
    const values = this.series.map(({ labels, value }) => ({ labels, value }));
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }
}

interface HistogramSeries {
  labels: Record<string, string>;
  /** Per bucket (not cumulative); the last one is +Inf. */
  counts: Float64Array;
  sum: number;
  count: number;
}

class HistogramMetric extends SeriesMetric<HistogramSeries> {
  constructor(
    name: string,
    help: string,
    labelNames: readonly string[],
    private readonly bounds: readonly number[],
  ) {
    super(name, help, 'histogram', labelNames);
  }

  protected create(labels: Record<string, string>): HistogramSeries {
    return { labels, counts: new Float64Array(this.bounds.length + 1), sum: 0, count: 0 };
  }

  observe(series: HistogramSeries, value: number): void {
    let i = 0;
    while (i < this.bounds.length && value > this.bounds[i]!) i++;
    series.counts[i]!++;
    series.sum += value;
    series.count++;
  }

  get() {
    const bucket = `${this.name}_bucket`;
    const values: { labels: Record<string, string | number>; value: number; metricName: string }[] = [];
    for (const { labels, counts, sum, count } of this.series) {
      let cumulative = 0;
      this.bounds.forEach((le, i) => {
        cumulative += counts[i]!;
        values.push({ labels: { le, ...labels }, value: cumulative, metricName: bucket });
      });
      values.push({ labels: { le: '+Inf', ...labels }, value: count, metricName: bucket });
      values.push({ labels, value: sum, metricName: `${this.name}_sum` });
      values.push({ labels, value: count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }
}

function counterHandle(metric: CounterMetric, base: Tags): CounterHandle {
  return {
    add: (value, tags = EMPTY) => {
      if (!Number.isFinite(value) || value < 0) throw new TypeError(`${metric.name}: not a valid increment: ${value}`);
      metric.find(base, tags).value += value;
    },
  };
}

function histogramHandle(metric: HistogramMetric, base: Tags): HistogramHandle {
  return {
    record: (value, tags = EMPTY) => {
      if (!Number.isFinite(value)) throw new TypeError(`${metric.name}: not a valid value: ${value}`);
      metric.observe(metric.find(base, tags), value);
    },
  };
}

/** A Prometheus registry holding every metric of METRIC_DEFS plus Node's process metrics (event-loop lag, heap). */
export class PrometheusMetrics implements Metrics {
  readonly enabled = true;
  readonly registry: Registry;
  private readonly counters = new Map<string, CounterMetric>();
  private readonly histograms = new Map<string, HistogramMetric>();
  private readonly gauges = new Map<string, Gauge>();

  constructor(options: { processMetrics?: boolean } = {}) {
    // prom-client is loaded with the first registry: with metrics off (start-dev's default) it is never needed.
    const prom = createRequire(import.meta.url)('prom-client') as typeof PromClient;
    this.registry = new prom.Registry();
    for (const [name, def] of Object.entries(METRIC_DEFS) as [MetricName, Def][]) {
      if (def.kind === 'gauge') {
        this.gauges.set(
          name,
          new prom.Gauge({ name, help: def.help, labelNames: def.labels, registers: [this.registry] }),
        );
        continue;
      }
      const metric =
        def.kind === 'counter'
          ? new CounterMetric(name, def.help, def.labels)
          : new HistogramMetric(
              name,
              def.help,
              def.labels,
              def.kind === 'timer' ? LATENCY_BUCKETS : def.kind === 'bytes' ? BYTES_BUCKETS : DIMENSIONLESS_BUCKETS,
            );
      if (metric instanceof CounterMetric) this.counters.set(name, metric);
      else this.histograms.set(name, metric);
      // prom-client's registry takes any object with its metric interface (name, type, help, get, reset).
      this.registry.registerMetric(metric as unknown as Parameters<Registry['registerMetric']>[0]);
    }
    // nodejs_eventloop_lag_seconds (+ percentiles), nodejs_heap_size_used_bytes, process_resident_memory_bytes, ...
    if (options.processMetrics !== false) prom.collectDefaultMetrics({ register: this.registry });
  }

  counter(name: CounterName): CounterHandle {
    return this.taggedCounter(name, EMPTY);
  }

  histogram(name: HistogramName): HistogramHandle {
    return this.taggedHistogram(name, EMPTY);
  }

  gauge(name: GaugeName): GaugeHandle {
    return this.taggedGauge(name, EMPTY);
  }

  /** `name`'s handle with `base` added to every value. */
  taggedCounter(name: CounterName, base: Tags): CounterHandle {
    return counterHandle(this.counters.get(name)!, base);
  }

  taggedHistogram(name: HistogramName, base: Tags): HistogramHandle {
    return histogramHandle(this.histograms.get(name)!, base);
  }

  taggedGauge(name: GaugeName, base: Tags): GaugeHandle {
    const g = this.gauges.get(name)!;
    return { set: (value, tags) => g.set(tags ? { ...base, ...tags } : base, value) };
  }

  withTags(tags: Tags): Metrics {
    return new TaggedMetrics(this, tags);
  }

  /** The Prometheus text exposition of every metric. */
  exposition(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

class TaggedMetrics implements Metrics {
  readonly enabled = true;
  constructor(
    private readonly base: PrometheusMetrics,
    private readonly tags: Tags,
  ) {}

  counter(name: CounterName): CounterHandle {
    return this.base.taggedCounter(name, this.tags);
  }

  histogram(name: HistogramName): HistogramHandle {
    return this.base.taggedHistogram(name, this.tags);
  }

  gauge(name: GaugeName): GaugeHandle {
    return this.base.taggedGauge(name, this.tags);
  }

  withTags(tags: Tags): Metrics {
    return new TaggedMetrics(this.base, { ...this.tags, ...tags });
  }
}

/** Upstream's error_type tag: "serviceerror_" + the status name in upstream's spelling (NotFound, Internal, ...). */
export function errorType(code: number): string {
  return `serviceerror_${STATUS_NAMES[code] ?? 'Unknown'}`;
}

const STATUS_NAMES: Record<number, string> = {
  1: 'Canceled',
  2: 'Unknown',
  3: 'InvalidArgument',
  4: 'DeadlineExceeded',
  5: 'NotFound',
  6: 'AlreadyExists',
  7: 'PermissionDenied',
  8: 'ResourceExhausted',
  9: 'FailedPrecondition',
  10: 'Aborted',
  11: 'OutOfRange',
  12: 'Unimplemented',
  13: 'Internal',
  14: 'Unavailable',
  15: 'DataLoss',
  16: 'Unauthenticated',
};
