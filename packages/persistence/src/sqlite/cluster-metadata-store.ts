import { ClusterMetadataRecord } from '@tempora/proto/persistence';
import type { ClusterMetadataStore } from '../contract.js';
import { immediateTransaction, type SqliteDatabase } from './database.js';

export function createClusterMetadataStore(db: SqliteDatabase): ClusterMetadataStore {
  const selectRecord = db.prepare<[], { record: Uint8Array }>(
    'SELECT record FROM cluster_metadata WHERE singleton = 0',
  );
  const insertRecord = db.prepare<[Uint8Array]>('INSERT INTO cluster_metadata (singleton, record) VALUES (0, ?)');

  const readRecord = (): ClusterMetadataRecord | undefined => {
    const row = selectRecord.get();
    return row && ClusterMetadataRecord.decode(row.record);
  };

  const initialize = immediateTransaction(db, (record: ClusterMetadataRecord): ClusterMetadataRecord => {
    const stored = readRecord();
    if (stored) return stored;
    insertRecord.run(ClusterMetadataRecord.encode(record).finish());
    return record;
  });

  return {
    async initializeClusterMetadata(record) {
      return initialize(record);
    },
    updateClusterMetadata() {
      return Promise.reject(new Error('updateClusterMetadata is not implemented yet'));
    },
    async getClusterMetadata() {
      return readRecord();
    },
  };
}
