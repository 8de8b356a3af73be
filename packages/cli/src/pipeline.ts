// The interceptor pipelines of one process, composed once at start. Order (outermost first): telemetry (traces when
// OTEL_* asks, metrics, request logs), then on the frontend authorization and rate limits, then whatever the caller
// of startProcess adds (tests). Payload limits live in the handlers; internal errors are masked by the server. Served calls run the pipeline of the service that
// serves them, over gRPC and in process alike, so start-dev and a cluster report the same.
import type { ServiceName } from '@tempora/common';
import type { Interceptor } from '@tempora/rpc';

/** Interceptors to add to a process's pipelines, after the built-in ones. */
export interface ExtraInterceptors {
  /** Appended to every served-call pipeline. */
  served?: readonly Interceptor[];
  /** Appended to every outgoing internal-call pipeline (history and matching clients). */
  sent?: readonly Interceptor[];
}

export interface Pipelines {
  /** The pipeline of calls `service` serves (its gRPC server, and in-process calls to it). */
  served(service: ServiceName): readonly Interceptor[];
  /** The pipeline of internal calls this process sends to `service`. */
  sent(service: ServiceName): readonly Interceptor[];
}

export interface PipelineParts {
  /** Built-in served-call interceptors per service, outermost first (telemetry first). */
  served?: (service: ServiceName) => readonly Interceptor[];
  /** Built-in outgoing interceptors per target service. */
  sent?: (service: ServiceName) => readonly Interceptor[];
  extra?: ExtraInterceptors;
}

export function composePipelines(parts: PipelineParts): Pipelines {
  const served = new Map<ServiceName, readonly Interceptor[]>();
  const sent = new Map<ServiceName, readonly Interceptor[]>();
  const build = (
    cache: Map<ServiceName, readonly Interceptor[]>,
    builtIn: ((service: ServiceName) => readonly Interceptor[]) | undefined,
    extra: readonly Interceptor[] | undefined,
    service: ServiceName,
  ) => {
    let list = cache.get(service);
    if (!list) {
      list = [...(builtIn?.(service) ?? []), ...(extra ?? [])];
      cache.set(service, list);
    }
    return list;
  };
  return {
    served: (service) => build(served, parts.served, parts.extra?.served, service),
    sent: (service) => build(sent, parts.sent, parts.extra?.sent, service),
  };
}
