import { describe, expect, it } from '@jest/globals';
import { defaultConfig } from '@tempora/common';
import { getClusterInfo } from './api/get-cluster-info.js';
import type { FrontendContext } from './context.js';

describe('GetClusterInfo', () => {
  const cluster = { clusterName: 'active', clusterId: 'id', historyShardCount: 4 };
  const layout = { baseShardCount: 4 };

  it('names the visibility store in use, not the persistence driver', async () => {
    const config = defaultConfig();
    config.persistence.driver = 'cassandra';
    config.visibility.driver = 'elasticsearch';
    const info = await getClusterInfo({ cluster, layout, config } as unknown as FrontendContext)();
    expect([info.persistenceStore, info.visibilityStore]).toEqual(['cassandra', 'elasticsearch']);
  });

  it('names SQLite for both in the default configuration', async () => {
    const info = await getClusterInfo({ cluster, layout, config: defaultConfig() } as unknown as FrontendContext)();
    expect([info.persistenceStore, info.visibilityStore]).toEqual(['sqlite', 'sqlite']);
  });
});
