// gRPC status errors carrying the same google.rpc.Status details upstream sends. The SDKs branch on the code and
// on the first detail (sdk-core decodes only the first one), so an error carries at most one detail.
import { Metadata, status as Code, type ServiceError } from '@grpc/grpc-js';
import { Status } from '@tempora/proto/google';
import {
  MultiOperationExecutionFailure,
  NamespaceAlreadyExistsFailure,
  NamespaceInvalidStateFailure,
  NamespaceNotFoundFailure,
  NotFoundFailure,
  QueryFailedFailure,
  ResourceExhaustedFailure,
  WorkflowExecutionAlreadyStartedFailure,
  WorkflowNotReadyFailure,
  CancellationAlreadyRequestedFailure,
} from '@tempora/proto/errordetails';
import { OwnershipLostFailure } from '@tempora/proto/internal';

export { Code };

interface MessageType<T> {
  encode(message: T): { finish(): Uint8Array };
  fromPartial(object: DeepPartial<T>): T;
}

export type DeepPartial<T> = T extends Date | Uint8Array | Buffer | string | number | boolean | undefined | null
  ? T
  : T extends Array<infer U>
    ? DeepPartial<U>[]
    : T extends object
      ? { [K in keyof T]?: DeepPartial<T[K]> }
      : T;

export interface ErrorDetail {
  /** Fully qualified proto message name, e.g. temporal.api.errordetails.v1.NamespaceNotFoundFailure. */
  typeName: string;
  value: Uint8Array;
}

const ERROR_DETAILS_PACKAGE = 'temporal.api.errordetails.v1';

function detail<T>(name: string, type: MessageType<T>, value: DeepPartial<T>): ErrorDetail {
  return { typeName: `${ERROR_DETAILS_PACKAGE}.${name}`, value: type.encode(type.fromPartial(value)).finish() };
}

export class RpcError extends Error {
  override name = 'RpcError';
  constructor(
    readonly code: Code,
    message: string,
    readonly detail?: ErrorDetail,
  ) {
    super(message);
  }

  /** The serialized google.rpc.Status of this error: code, message and the detail as an Any. */
  statusProto(): Uint8Array {
    return Status.encode(
      Status.fromPartial({
        code: this.code,
        message: this.message,
        details: this.detail
          ? [{ typeUrl: `type.googleapis.com/${this.detail.typeName}`, value: Buffer.from(this.detail.value) }]
          : [],
      }),
    ).finish();
  }

  /** The error as grpc-js sends it: code, message, and the serialized google.rpc.Status in the details trailer. */
  toServiceError(): Partial<ServiceError> {
    const metadata = new Metadata();
    const statusProto = this.statusProto();
    metadata.set('grpc-status-details-bin', Buffer.from(statusProto));
    return { code: this.code, details: this.message, message: this.message, metadata };
  }
}

export const invalidArgument = (message: string) => new RpcError(Code.INVALID_ARGUMENT, message);
export const failedPrecondition = (message: string) => new RpcError(Code.FAILED_PRECONDITION, message);
export const internalError = (message: string) => new RpcError(Code.INTERNAL, message);
export const unavailable = (message: string) => new RpcError(Code.UNAVAILABLE, message);
export const unimplemented = (method: string) =>
  new RpcError(Code.UNIMPLEMENTED, `Method ${method} is not implemented by Tempora.`);
export const permissionDenied = (message: string) => new RpcError(Code.PERMISSION_DENIED, message);

export const notFound = (message: string) =>
  new RpcError(Code.NOT_FOUND, message, detail('NotFoundFailure', NotFoundFailure, {}));

export const namespaceNotFound = (namespace: string) =>
  new RpcError(
    Code.NOT_FOUND,
    `Namespace ${namespace} is not found.`,
    detail('NamespaceNotFoundFailure', NamespaceNotFoundFailure, { namespace }),
  );

export const namespaceAlreadyExists = (namespace: string) =>
  new RpcError(
    Code.ALREADY_EXISTS,
    `Namespace "${namespace}" already exists`,
    detail('NamespaceAlreadyExistsFailure', NamespaceAlreadyExistsFailure, {}),
  );

export const namespaceInvalidState = (namespace: string, state: number, allowedStates: number[], message: string) =>
  new RpcError(
    Code.FAILED_PRECONDITION,
    message,
    detail('NamespaceInvalidStateFailure', NamespaceInvalidStateFailure, { namespace, state, allowedStates }),
  );

export const workflowAlreadyStarted = (message: string, startRequestId: string, runId: string) =>
  new RpcError(
    Code.ALREADY_EXISTS,
    message,
    detail('WorkflowExecutionAlreadyStartedFailure', WorkflowExecutionAlreadyStartedFailure, { startRequestId, runId }),
  );

export const resourceExhausted = (message: string, cause: number, scope = 0) =>
  new RpcError(
    Code.RESOURCE_EXHAUSTED,
    message,
    detail('ResourceExhaustedFailure', ResourceExhaustedFailure, { cause, scope }),
  );

export const workflowNotReady = (message: string) =>
  new RpcError(Code.FAILED_PRECONDITION, message, detail('WorkflowNotReadyFailure', WorkflowNotReadyFailure, {}));

export const queryFailed = (message: string, failure?: QueryFailedFailure['failure']) =>
  new RpcError(Code.INVALID_ARGUMENT, message, detail('QueryFailedFailure', QueryFailedFailure, { failure }));

export const cancellationAlreadyRequested = (message: string) =>
  new RpcError(
    Code.ALREADY_EXISTS,
    message,
    detail('CancellationAlreadyRequestedFailure', CancellationAlreadyRequestedFailure, {}),
  );

type OperationStatus = MultiOperationExecutionFailure['statuses'][number];

/** A multi-operation's status for an operation that failed with `err`. */
export function operationStatus(err: RpcError): OperationStatus {
  const details = err.detail
    ? [{ typeUrl: `type.googleapis.com/${err.detail.typeName}`, value: Buffer.from(err.detail.value) }]
    : [];
  return { code: err.code, message: err.message, details };
}

/** The status of an operation aborted because another one failed; the SDKs skip it by its detail type. */
export const ABORTED_OPERATION: OperationStatus = {
  code: Code.ABORTED,
  message: 'Operation was aborted.',
  details: [
    { typeUrl: 'type.googleapis.com/temporal.api.failure.v1.MultiOperationExecutionAborted', value: Buffer.alloc(0) },
  ],
};

/** Operation status codes that are not the failure: the operations that succeeded, and those aborted by it. */
const NOT_THE_FAILURE: ReadonlySet<number> = new Set([Code.OK, Code.ABORTED]);

/** The call's own code is the first failed operation's (what the SDKs check before unpacking the statuses). */
export const multiOperationFailed = (message: string, statuses: MultiOperationExecutionFailure['statuses']) =>
  new RpcError(
    statuses.find((s) => !NOT_THE_FAILURE.has(s.code))?.code ?? Code.INVALID_ARGUMENT,
    message,
    detail('MultiOperationExecutionFailure', MultiOperationExecutionFailure, { statuses }),
  );

const OWNERSHIP_LOST_TYPE = 'tempora.internal.v1.OwnershipLostFailure';

/**
 * This host does not own the shard or task queue a request is for. Routing clients recognise the detail and retry
 * against the owner; upstream answers the same situation with its ShardOwnershipLost error.
 */
export const ownershipLost = (message: string, ownerHost: string, currentHost: string) =>
  new RpcError(Code.UNAVAILABLE, `ShardOwnershipLost: ${message}`, {
    typeName: OWNERSHIP_LOST_TYPE,
    value: OwnershipLostFailure.encode(OwnershipLostFailure.fromPartial({ ownerHost, currentHost })).finish(),
  });

export function isOwnershipLost(err: unknown): boolean {
  return err instanceof RpcError && err.detail?.typeName === OWNERSHIP_LOST_TYPE;
}

/** A status received over the wire as an RpcError, with its first google.rpc.Status detail kept. */
export function rpcErrorFromStatus(err: Partial<ServiceError>): RpcError {
  const raw = err.metadata?.get('grpc-status-details-bin')[0];
  let detail: ErrorDetail | undefined;
  if (raw instanceof Buffer) {
    const first = Status.decode(raw).details[0];
    if (first) detail = { typeName: first.typeUrl.replace(/^type\.googleapis\.com\//, ''), value: first.value };
  }
  return new RpcError(err.code ?? Code.UNKNOWN, err.details ?? err.message ?? 'unknown error', detail);
}

export function isRpcError(err: unknown): err is RpcError {
  return err instanceof RpcError;
}

const STICKY_WORKER_UNAVAILABLE = 'StickyWorkerUnavailable';

/** Matching's answer when a sticky queue has no recent poller; history then uses the normal queue. */
export const stickyWorkerUnavailable = (queue: string) =>
  new RpcError(
    Code.FAILED_PRECONDITION,
    `${STICKY_WORKER_UNAVAILABLE}: no worker polled sticky task queue ${queue} recently.`,
  );

export function isStickyWorkerUnavailable(err: unknown): boolean {
  return (
    err instanceof RpcError &&
    err.code === Code.FAILED_PRECONDITION &&
    err.message.startsWith(STICKY_WORKER_UNAVAILABLE)
  );
}
