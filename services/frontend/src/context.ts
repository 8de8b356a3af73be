import type { Logger, TemporaConfig } from '@tempora/common';
import type { PersistenceStores } from '@tempora/persistence';
import type { ClusterMetadataRecord } from '@tempora/proto/generated/tempora/persistence/v1/records';
import type { NamespaceRegistry } from './namespaces.js';

/** What every frontend handler may use. Handlers reach history and matching only through their clients. */
export interface FrontendContext {
  config: TemporaConfig;
  logger: Logger;
  stores: PersistenceStores;
  cluster: ClusterMetadataRecord;
  namespaces: NamespaceRegistry;
}
