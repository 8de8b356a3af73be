import { ClusterMetadataRecord } from '@tempora/proto/persistence';
import type { ClusterMetadataStore } from '../contract.js';
import { toBuffer, type CqlRow, type CqlSession } from './session.js';

const decodeRecord = (row: CqlRow): ClusterMetadataRecord => ClusterMetadataRecord.decode(row['record'] as Buffer);

export function createClusterMetadataStore(session: CqlSession): ClusterMetadataStore {
  return {
    async initializeClusterMetadata(record) {
      const { applied, rows } = await session.conditional([
        {
          query: 'INSERT INTO cluster_metadata (partition, record) VALUES (0, :record) IF NOT EXISTS',
          params: { record: toBuffer(ClusterMetadataRecord.encode(record).finish()) },
        },
      ]);
      // A lost race returns the row that won.
      return applied ? record : decodeRecord(rows[0]);
    },
    updateClusterMetadata() {
      return Promise.reject(new Error('updateClusterMetadata is not implemented yet'));
    },
    async getClusterMetadata() {
      const row = await session.first('SELECT record FROM cluster_metadata WHERE partition = 0');
      return row && decodeRecord(row);
    },
  };
}
