// The matching service. Its internal API arrives with the workflow engine; for now the process hosts its health
// endpoint so deployments can already be wired and probed.
import type { Server } from '@grpc/grpc-js';
import type { Logger, TemporaConfig } from '@tempora/common';
import type { PersistenceStores } from '@tempora/persistence';

export interface MatchingOptions {
  config: TemporaConfig;
  logger: Logger;
  stores: PersistenceStores;
}

export class MatchingService {
  readonly grpcServiceNames: string[] = [];
  private readonly logger: Logger;

  constructor(options: MatchingOptions) {
    this.logger = options.logger.child({ service: 'matching' });
  }

  register(_server: Server): void {}

  async start(): Promise<void> {
    this.logger.debug('started');
  }

  async stop(): Promise<void> {
    this.logger.debug('stopped');
  }
}
