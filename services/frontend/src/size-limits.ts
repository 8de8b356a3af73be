// Payload size limits as upstream's frontend applies them (limit.blobSize.warn/.error, limit.memoSize.warn/.error,
// from config `limits`): over the warn size a call is logged, over the error size it is refused INVALID_ARGUMENT
// before anything is written, with upstream's message plus the field and the limit. An activity result over the limit
// fails the activity instead (upstream's "Complete result exceeds size limit.").
import type { LimitsConfig } from '@tempora/common';
import type { Failure } from '@tempora/proto/failure';
import type { Memo, Payload, Payloads } from '@tempora/proto/common';
import { invalidArgument } from '@tempora/rpc';
import type { FrontendContext } from './context.js';

/** upstream's common.FailureReasonCompleteResultExceedsLimit. */
export const COMPLETE_RESULT_EXCEEDS_LIMIT = 'Complete result exceeds size limit.';
/** upstream's common.FailureReasonFailureExceedsLimit. */
export const FAILURE_EXCEEDS_LIMIT = 'Failure exceeds size limit.';

function payloadSize(payload: Payload | undefined): number {
  if (!payload) return 0;
  let size = payload.data?.length ?? 0;
  for (const [key, value] of Object.entries(payload.metadata ?? {})) size += key.length + (value?.length ?? 0);
  return size;
}

/** Bytes of a Payloads (data and metadata). */
export function payloadsSize(payloads: Payloads | undefined): number {
  return (payloads?.payloads ?? []).reduce((sum, p) => sum + payloadSize(p), 0);
}

/** Bytes of a memo's fields. */
export function memoSize(memo: Memo | undefined): number {
  return Object.entries(memo?.fields ?? {}).reduce((sum, [key, p]) => sum + key.length + payloadSize(p), 0);
}

/** Bytes of a failure's payloads and messages, its causes included. */
export function failureSize(failure: Failure | undefined): number {
  let size = 0;
  for (let f = failure; f; f = f.cause) {
    size += (f.message?.length ?? 0) + (f.stackTrace?.length ?? 0) + payloadSize(f.encodedAttributes);
    size += payloadsSize(f.applicationFailureInfo?.details) + payloadsSize(f.canceledFailureInfo?.details);
    size += payloadsSize(f.timeoutFailureInfo?.lastHeartbeatDetails);
  }
  return size;
}

export interface SizeScope {
  namespace: string;
  workflowId?: string;
}

type Kind = 'blobSize' | 'memoSize';
const MESSAGE: Record<Kind, string> = {
  blobSize: 'Blob data size exceeds limit.',
  memoSize: 'Memo size exceeds limit.',
};

/** Whether `size` of `field` is over the error limit; logs when it is over the warn limit. */
export function overLimit(ctx: FrontendContext, kind: Kind, field: string, size: number, scope: SizeScope): boolean {
  const { warn, error } = ctx.config.limits[kind];
  if (error > 0 && size > error) {
    ctx.logger.warn({ ...scope, field, size, limit: error }, `${field} exceeds limits.${kind}.error`);
    return true;
  }
  if (warn > 0 && size > warn)
    ctx.logger.warn({ ...scope, field, size, limit: warn }, `${field} exceeds limits.${kind}.warn`);
  return false;
}

/** Refuses a payload field over its limit: INVALID_ARGUMENT naming the field, its size and the limit. */
export function checkSize(ctx: FrontendContext, kind: Kind, field: string, size: number, scope: SizeScope): void {
  if (!overLimit(ctx, kind, field, size, scope)) return;
  throw invalidArgument(
    `${MESSAGE[kind]} ${field} is ${size} bytes; the limit (limits.${kind}.error) is ${ctx.config.limits[kind].error} bytes.`,
  );
}

export const checkPayloads = (ctx: FrontendContext, field: string, payloads: Payloads | undefined, scope: SizeScope) =>
  checkSize(ctx, 'blobSize', field, payloadsSize(payloads), scope);

export const checkMemo = (ctx: FrontendContext, field: string, memo: Memo | undefined, scope: SizeScope) =>
  checkSize(ctx, 'memoSize', field, memoSize(memo), scope);

/** What DescribeNamespace advertises: the error limits in force. */
export function advertisedLimits(limits: LimitsConfig) {
  return { blobSizeLimitError: limits.blobSize.error, memoSizeLimitError: limits.memoSize.error };
}

/** upstream's server failure (ServerFailureInfo) with the given message. */
function serverFailure(message: string, nonRetryable: boolean): Failure {
  return { message, source: '', stackTrace: '', cause: undefined, serverFailureInfo: { nonRetryable } } as Failure;
}

/** The failure that replaces an activity result over the blob size limit, or undefined when it fits. */
export function resultTooLarge(
  ctx: FrontendContext,
  result: Payloads | undefined,
  namespace: string,
): Failure | undefined {
  const size = payloadsSize(result);
  if (!overLimit(ctx, 'blobSize', 'RespondActivityTaskCompletedRequest.Result', size, { namespace })) return undefined;
  return serverFailure(COMPLETE_RESULT_EXCEEDS_LIMIT, false);
}

/** The failure that replaces an activity failure over the blob size limit, or undefined when it fits. */
export function failureTooLarge(
  ctx: FrontendContext,
  failure: Failure | undefined,
  namespace: string,
): Failure | undefined {
  const size = failureSize(failure);
  if (!overLimit(ctx, 'blobSize', 'RespondActivityTaskFailedRequest.Failure', size, { namespace })) return undefined;
  return serverFailure(FAILURE_EXCEEDS_LIMIT, false);
}
