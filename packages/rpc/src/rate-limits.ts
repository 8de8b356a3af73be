// Request rate limits of the frontend (upstream's common/rpc/interceptor rate_limit.go and namespace_rate_limit.go
// over common/quotas): token buckets per frontend host and per namespace, with separate per-namespace budgets for
// long polls and visibility, plus workflow starts/s and signals/s. A call over a limit is answered
// RESOURCE_EXHAUSTED with upstream's ResourceExhaustedFailure {cause RPS_LIMIT, scope NAMESPACE | SYSTEM} and a
// message naming the limit and its scope. The limits can be replaced while running (`update`, SIGHUP).
import type { FrontendLimitsConfig } from '@tempora/common';
import { ResourceExhaustedCause, ResourceExhaustedScope } from '@tempora/proto/enums';
import { resourceExhausted } from './errors.js';
import type { Interceptor, RpcCall } from './interceptor.js';

/** A token bucket: `rate` tokens a second, at most `burst` stored. rate 0 = unlimited. */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private rate: number,
    private burst: number,
    private readonly now: () => number = performance.now.bind(performance),
  ) {
    this.tokens = burst;
    this.last = this.now();
  }

  /** Takes one token if there is one. */
  tryTake(): boolean {
    if (this.rate <= 0) return true;
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** New rate and burst; the stored tokens are capped at the new burst. */
  set(rate: number, burst: number): void {
    if (rate === this.rate && burst === this.burst) return;
    this.tryTake();
    this.rate = rate;
    this.burst = burst;
    this.tokens = Math.min(this.tokens, burst);
  }
}

/** Budgets per namespace a call may draw from, besides the host's. */
type Budget = 'namespaceRps' | 'namespacePollRps' | 'namespaceVisibilityRps';

const POLLS = new Set(['PollWorkflowTaskQueue', 'PollActivityTaskQueue', 'PollNexusTaskQueue']);
const VISIBILITY = new Set([
  'ListWorkflowExecutions',
  'ListOpenWorkflowExecutions',
  'ListClosedWorkflowExecutions',
  'ListArchivedWorkflowExecutions',
  'ScanWorkflowExecutions',
  'CountWorkflowExecutions',
]);
const STARTS = new Set(['StartWorkflowExecution', 'SignalWithStartWorkflowExecution', 'ExecuteMultiOperation']);
const SIGNALS = new Set(['SignalWorkflowExecution', 'SignalWithStartWorkflowExecution']);

function budgetOf(method: string): Budget {
  if (POLLS.has(method)) return 'namespacePollRps';
  if (VISIBILITY.has(method)) return 'namespaceVisibilityRps';
  return 'namespaceRps';
}

/** Methods never limited: the SDKs' connection check (upstream exempts its health checks too). */
const EXEMPT = new Set(['GetSystemInfo']);

type LimitKey = Budget | 'namespaceStartsPerSecond' | 'namespaceSignalsPerSecond';

export class FrontendRateLimiter {
  private limits: FrontendLimitsConfig;
  private host: TokenBucket;
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(limits: FrontendLimitsConfig) {
    this.limits = { ...limits };
    this.host = new TokenBucket(limits.rps, this.burst(limits.rps));
  }

  private burst(rate: number): number {
    return Math.max(1, rate * this.limits.namespaceBurstRatio);
  }

  /** Applies new limits to every bucket (existing buckets keep what they hold, up to the new burst). */
  update(limits: FrontendLimitsConfig): void {
    this.limits = { ...limits };
    this.host.set(limits.rps, this.burst(limits.rps));
    for (const [key, bucket] of this.buckets) {
      const name = key.slice(0, key.indexOf('/')) as LimitKey;
      bucket.set(this.limits[name], this.burst(this.limits[name]));
    }
  }

  private bucket(name: LimitKey, namespace: string): TokenBucket {
    const key = `${name}/${namespace}`;
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = new TokenBucket(this.limits[name], this.burst(this.limits[name]));
      this.buckets.set(key, bucket);
    }
    return bucket;
  }

  /** Throws RESOURCE_EXHAUSTED naming the first limit the call exceeds. */
  check(method: string, namespace: string): void {
    if (EXEMPT.has(method)) return;
    if (!this.host.tryTake()) {
      throw resourceExhausted(
        `service rate limit exceeded (rps ${this.limits.rps}/s on this frontend host)`,
        ResourceExhaustedCause.RESOURCE_EXHAUSTED_CAUSE_RPS_LIMIT,
        ResourceExhaustedScope.RESOURCE_EXHAUSTED_SCOPE_SYSTEM,
      );
    }
    if (!namespace) return;
    const names: LimitKey[] = [budgetOf(method)];
    if (STARTS.has(method)) names.push('namespaceStartsPerSecond');
    if (SIGNALS.has(method)) names.push('namespaceSignalsPerSecond');
    for (const name of names) {
      if (this.limits[name] > 0 && !this.bucket(name, namespace).tryTake()) {
        throw resourceExhausted(
          `namespace rate limit exceeded (${name} ${this.limits[name]}/s in namespace "${namespace}")`,
          ResourceExhaustedCause.RESOURCE_EXHAUSTED_CAUSE_RPS_LIMIT,
          ResourceExhaustedScope.RESOURCE_EXHAUSTED_SCOPE_NAMESPACE,
        );
      }
    }
  }

  interceptor(): Interceptor {
    return (next) => async (call: RpcCall) => {
      this.check(call.method, call.namespace);
      return next(call);
    };
  }
}
