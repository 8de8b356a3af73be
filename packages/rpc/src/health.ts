// grpc.health.v1.Health on every port, from the gRPC project's own implementation (grpc-health-check).
import type { Server } from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';

export type Health = HealthImplementation;

/**
 * Adds the health service. The overall status ('') and each named service start NOT_SERVING; the caller flips them
 * to SERVING once ready and back to NOT_SERVING when draining.
 */
export function addHealthService(server: Server, serviceNames: string[]): Health {
  const statuses = Object.fromEntries(['', ...serviceNames].map((name) => [name, 'NOT_SERVING' as const]));
  const health = new HealthImplementation(statuses);
  health.addToServer(server);
  return health;
}

export function setServing(health: Health, serviceNames: string[], serving: boolean): void {
  for (const name of ['', ...serviceNames]) health.setStatus(name, serving ? 'SERVING' : 'NOT_SERVING');
}
