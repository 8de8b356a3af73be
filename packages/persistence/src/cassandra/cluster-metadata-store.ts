import { ClusterMetadataRecord } from '@tempora/proto/persistence';
import type { ClusterMetadataStore } from '../contract.js';
import { ConditionFailedError } from '../errors.js';
import { toBuffer, type CqlRow, type CqlSession } from './session.js';

const decodeRecord = (row: CqlRow): ClusterMetadataRecord => ClusterMetadataRecord.decode(row['record'] as Buffer);

export function createClusterMetadataStore(session: CqlSession): ClusterMetadataStore {
  const versionMismatch = (expectedVersion: number, stored: ClusterMetadataRecord | undefined) =>
    new ConditionFailedError(
      `cluster metadata: expected version ${expectedVersion}, found ${stored?.version ?? 'no record'}`,
    );

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
    async updateClusterMetadata(record, expectedVersion) {
      // The version lives in the blob, and the LWT compares the blob read a moment ago: unchanged bytes mean an
      // unchanged version. A version column would need a schema migration (and `tempora schema cassandra update` on
      // every cluster) for one row written a few times per reshard; the extra read costs nothing at that rate.
      const row = await session.first('SELECT record FROM cluster_metadata WHERE partition = 0');
      const stored = row && decodeRecord(row);
      if (!row || stored?.version !== expectedVersion) throw versionMismatch(expectedVersion, stored);
      const { applied, rows } = await session.conditional([
        {
          query: 'UPDATE cluster_metadata SET record = :record WHERE partition = 0 IF record = :previous',
          params: { record: toBuffer(ClusterMetadataRecord.encode(record).finish()), previous: row['record'] },
        },
      ]);
      // A refused LWT returns the record that beat this write (none when the row is gone).
      if (!applied) throw versionMismatch(expectedVersion, rows[0]?.['record'] ? decodeRecord(rows[0]) : undefined);
    },
    async getClusterMetadata() {
      const row = await session.first('SELECT record FROM cluster_metadata WHERE partition = 0');
      return row && decodeRecord(row);
    },
  };
}
