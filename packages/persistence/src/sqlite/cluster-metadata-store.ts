import { ClusterMetadataRecord } from '@tempora/proto/persistence';
import type { ClusterMetadataStore } from '../contract.js';
import { ConditionFailedError } from '../errors.js';
import { immediateTransaction, type SqliteDatabase } from './database.js';

export function createClusterMetadataStore(db: SqliteDatabase): ClusterMetadataStore {
  const selectRecord = db.prepare<[], { record: Uint8Array }>(
    'SELECT record FROM cluster_metadata WHERE singleton = 0',
  );
  const insertRecord = db.prepare<[Uint8Array]>('INSERT INTO cluster_metadata (singleton, record) VALUES (0, ?)');
  const replaceRecord = db.prepare<[Uint8Array]>('UPDATE cluster_metadata SET record = ? WHERE singleton = 0');

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

  // The version lives in the blob: the write lock taken before the read makes the read-compare-write atomic.
  const update = immediateTransaction(db, (record: ClusterMetadataRecord, expectedVersion: number) => {
    const storedVersion = readRecord()?.version;
    if (storedVersion !== expectedVersion) {
      throw new ConditionFailedError(
        `cluster metadata: expected version ${expectedVersion}, found ${storedVersion ?? 'no record'}`,
      );
    }
    replaceRecord.run(ClusterMetadataRecord.encode(record).finish());
  });

  return {
    async initializeClusterMetadata(record) {
      return initialize(record);
    },
    async updateClusterMetadata(record, expectedVersion) {
      update(record, expectedVersion);
    },
    async getClusterMetadata() {
      return readRecord();
    },
  };
}
