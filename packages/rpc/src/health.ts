// grpc.health.v1.Health on every port: Check, Watch and List as the gRPC project's grpc-health-check serves them
// (same statuses and messages). Written here on the generated health.proto codecs because grpc-health-check parses
// its .proto with proto-loader and protobufjs when imported, the largest single cost of a server's start.
import {
  status as grpcStatus,
  type handleServerStreamingCall,
  type handleUnaryCall,
  type Server,
  type ServiceDefinition,
} from '@grpc/grpc-js';
import { BinaryWriter } from '@bufbuild/protobuf/wire';
import {
  HealthCheckResponse_ServingStatus as ServingStatus,
  HealthService,
  type HealthCheckRequest,
  type HealthCheckResponse,
} from '@tempora/proto/health';

/** grpc-health-check answers List with RESOURCE_EXHAUSTED beyond this many services. */
const LIST_LIMIT = 100;

export class Health {
  private readonly statuses = new Map<string, ServingStatus>();
  private readonly watchers = new Map<string, Set<(status: ServingStatus) => void>>();

  constructor(serviceNames: string[]) {
    for (const name of serviceNames) this.statuses.set(name, ServingStatus.NOT_SERVING);
  }

  setStatus(service: string, status: ServingStatus): void {
    this.statuses.set(service, status);
    for (const watcher of this.watchers.get(service) ?? []) watcher(status);
  }

  addToServer(server: Server): void {
    const check: handleUnaryCall<HealthCheckRequest, HealthCheckResponse> = (call, callback) => {
      const status = this.statuses.get(call.request.service);
      if (status !== undefined) callback(null, { status });
      else
        callback({ code: grpcStatus.NOT_FOUND, details: `Health status unknown for service ${call.request.service}` });
    };
    const watch: handleServerStreamingCall<HealthCheckRequest, HealthCheckResponse> = (call) => {
      const service = call.request.service;
      const watcher = (status: ServingStatus) => call.write({ status });
      let set = this.watchers.get(service);
      if (!set) this.watchers.set(service, (set = new Set()));
      set.add(watcher);
      call.on('cancelled', () => set.delete(watcher));
      watcher(this.statuses.get(service) ?? ServingStatus.SERVICE_UNKNOWN);
    };
    const list: handleUnaryCall<unknown, Map<string, ServingStatus>> = (_call, callback) => {
      if (this.statuses.size > LIST_LIMIT)
        callback({ code: grpcStatus.RESOURCE_EXHAUSTED, details: 'Too many services to list.' });
      else callback(null, this.statuses);
    };
    server.addService({ ...HealthService, list: LIST_METHOD } as ServiceDefinition, { check, watch, list });
  }
}

/**
 * List (added to health.proto after the copy core-bridge ships): HealthListRequest is empty and HealthListResponse is
 * `map<string, HealthCheckResponse> statuses = 1`, so its codec is written out here.
 */
const LIST_METHOD = {
  path: '/grpc.health.v1.Health/List',
  requestStream: false,
  responseStream: false,
  requestSerialize: () => Buffer.alloc(0),
  requestDeserialize: () => ({}),
  responseSerialize: (statuses: Map<string, ServingStatus>): Buffer => {
    const writer = new BinaryWriter();
    for (const [service, status] of statuses) {
      writer.uint32(10).fork();
      writer.uint32(10).string(service);
      writer.uint32(18).fork().uint32(8).int32(status).join();
      writer.join();
    }
    return Buffer.from(writer.finish());
  },
  responseDeserialize: () => {
    throw new Error('List responses are only served here');
  },
} as const;

/**
 * Adds the health service. The overall status ('') and each named service start NOT_SERVING; the caller flips them
 * to SERVING once ready and back to NOT_SERVING when draining.
 */
export function addHealthService(server: Server, serviceNames: string[]): Health {
  const health = new Health(['', ...serviceNames]);
  health.addToServer(server);
  return health;
}

export function setServing(health: Health, serviceNames: string[], serving: boolean): void {
  for (const name of ['', ...serviceNames])
    health.setStatus(name, serving ? ServingStatus.SERVING : ServingStatus.NOT_SERVING);
}
