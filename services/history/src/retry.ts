// Retry policies (common/retrypolicy upstream): defaults, backoff, and whether a failure is retried.
import { capDuration, durationToNanos, isZeroDuration, nanosToDuration } from '@tempora/common';
import type { RetryPolicy } from '@tempora/proto/common';
import { RetryState, TimeoutType } from '@tempora/proto/enums';
import type { Failure } from '@tempora/proto/failure';

const DEFAULT_INITIAL_INTERVAL = { seconds: 1, nanos: 0 };
const DEFAULT_BACKOFF_COEFFICIENT = 2;
const DEFAULT_MAXIMUM_INTERVAL_FACTOR = 100n;

/**
 * Fills unset fields with upstream's defaults: 1 s, x2.0, 100x initial, unlimited attempts. Set intervals are kept
 * exactly as given (1 ns stays 1 ns, and its default maximum is 100 ns).
 */
export function withRetryDefaults(policy: RetryPolicy | undefined): RetryPolicy {
  const initialInterval = isZeroDuration(policy?.initialInterval)
    ? DEFAULT_INITIAL_INTERVAL
    : capDuration(policy!.initialInterval!);
  return {
    initialInterval,
    backoffCoefficient: policy?.backoffCoefficient || DEFAULT_BACKOFF_COEFFICIENT,
    maximumInterval: isZeroDuration(policy?.maximumInterval)
      ? capDuration(nanosToDuration(durationToNanos(initialInterval) * DEFAULT_MAXIMUM_INTERVAL_FACTOR))
      : capDuration(policy!.maximumInterval!),
    maximumAttempts: policy?.maximumAttempts ?? 0,
    nonRetryableErrorTypes: policy?.nonRetryableErrorTypes ?? [],
  };
}

export type RetryDecision = { retry: true; delayMs: number } | { retry: false; state: RetryState };

/**
 * Whether the attempt that just failed (1-based) is retried, and after how long. `expirationTime` (epoch ms, 0 =
 * none) is the schedule-to-close or execution deadline no retry may start after.
 */
export function decideRetry(
  policy: RetryPolicy,
  attempt: number,
  failure: Failure | undefined,
  expirationTime: number,
  now: number,
): RetryDecision {
  if (policy.maximumAttempts > 0 && attempt >= policy.maximumAttempts) {
    return { retry: false, state: RetryState.RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED };
  }
  if (!isRetryableFailure(policy, failure)) {
    const timeout = failure?.timeoutFailureInfo !== undefined;
    return {
      retry: false,
      state: timeout ? RetryState.RETRY_STATE_TIMEOUT : RetryState.RETRY_STATE_NON_RETRYABLE_FAILURE,
    };
  }
  const initialMs = Number(durationToNanos(policy.initialInterval)) / 1e6;
  const maximumMs = Number(durationToNanos(policy.maximumInterval)) / 1e6;
  const delayMs = Math.min(initialMs * policy.backoffCoefficient ** (attempt - 1), maximumMs || Infinity);
  if (expirationTime > 0 && now + delayMs >= expirationTime)
    return { retry: false, state: RetryState.RETRY_STATE_TIMEOUT };
  return { retry: true, delayMs: Math.round(delayMs) };
}

function isRetryableFailure(policy: RetryPolicy, failure: Failure | undefined): boolean {
  if (!failure) return true;
  const timeout = failure.timeoutFailureInfo;
  if (timeout) {
    return (
      timeout.timeoutType === TimeoutType.TIMEOUT_TYPE_START_TO_CLOSE ||
      timeout.timeoutType === TimeoutType.TIMEOUT_TYPE_HEARTBEAT
    );
  }
  if (failure.canceledFailureInfo || failure.terminatedFailureInfo) return false;
  const application = failure.applicationFailureInfo;
  if (application) {
    if (application.nonRetryable) return false;
    if (policy.nonRetryableErrorTypes.includes(application.type)) return false;
  }
  return true;
}
