import type {
  CreateWorkflowExecutionRequest,
  CurrentExecutionCondition,
  CurrentExecutionRow,
  ExecutionStore,
  ExecutionWrite,
  HistoryAppend,
  HistoryTaskKey,
  ImportExecutionsRequest,
  UpdateWorkflowExecutionRequest,
  WorkflowExecutionRow,
} from '../contract.js';
import { sameShard } from '../contract.js';
import {
  ConcurrentUpdateError,
  ConditionFailedError,
  CurrentWorkflowConditionFailedError,
  PersistenceError,
  ShardOwnershipLostError,
} from '../errors.js';
import { BOUND_LIMIT, immediateTransaction, type SqliteDatabase } from './database.js';
import { prepareHistoryNodeInsert } from './history-store.js';
import { prepareHistoryTaskQueries } from './history-tasks.js';
import { decodePageToken, fetchLimit, toPage } from '../paging.js';
import { prepareShardRangeCheck } from './shard-store.js';

interface RunKey {
  shardId: number;
  namespaceId: string;
  workflowId: string;
  runId: string;
}

type WorkflowKey = Omit<RunKey, 'runId'>;

/** Executions are listed in (namespaceId, workflowId, runId) order. */
type ExecutionPageKey = [namespaceId: string, workflowId: string, runId: string];
/** '' sorts before every id, and run ids are never empty, so this key precedes every run. */
const BEFORE_FIRST_EXECUTION: ExecutionPageKey = ['', '', ''];
/** Current rows are listed in (namespaceId, workflowId) order. */
type CurrentPageKey = [namespaceId: string, workflowId: string];
const BEFORE_FIRST_CURRENT: CurrentPageKey = ['', ''];

const EXECUTION_COLUMNS = `namespace_id AS namespaceId, workflow_id AS workflowId, run_id AS runId, state,
  next_event_id AS nextEventId, db_record_version AS dbRecordVersion`;
const CURRENT_COLUMNS = `namespace_id AS namespaceId, workflow_id AS workflowId, run_id AS runId,
  create_request_id AS createRequestId, state, status, start_time AS startTime, last_write_version AS lastWriteVersion`;
const WORKFLOW_KEY_MATCH = 'shard_id = @shardId AND namespace_id = @namespaceId AND workflow_id = @workflowId';
const RUN_KEY_MATCH = `${WORKFLOW_KEY_MATCH} AND run_id = @runId`;

/** The run id the current row must point at; undefined means there must be no current row. */
function expectedCurrentRunId(condition: CurrentExecutionCondition): string | undefined {
  return condition.kind === 'brand-new' ? undefined : condition.previousRunId;
}

export function createExecutionStore(db: SqliteDatabase): ExecutionStore {
  const checkShardRange = prepareShardRangeCheck(db);
  const historyTasks = prepareHistoryTaskQueries(db);
  const insertNode = prepareHistoryNodeInsert(db);
  const appendHistory = (shardId: number, history: HistoryAppend[] | undefined): void => {
    for (const { branchToken, node } of history ?? []) insertNode.run({ shardId, branchToken, ...node });
  };

  const selectExecution = db.prepare<RunKey, WorkflowExecutionRow>(
    `SELECT ${EXECUTION_COLUMNS} FROM executions WHERE ${RUN_KEY_MATCH}`,
  );
  const selectDbRecordVersion = db.prepare<RunKey, { dbRecordVersion: number }>(
    `SELECT db_record_version AS dbRecordVersion FROM executions WHERE ${RUN_KEY_MATCH}`,
  );
  const upsertExecution = db.prepare<WorkflowExecutionRow & { shardId: number }>(`
    INSERT OR REPLACE INTO executions
      (shard_id, namespace_id, workflow_id, run_id, db_record_version, next_event_id, state)
    VALUES (@shardId, @namespaceId, @workflowId, @runId, @dbRecordVersion, @nextEventId, @state)`);
  const deleteExecution = db.prepare<RunKey>(`DELETE FROM executions WHERE ${RUN_KEY_MATCH}`);
  const selectExecutionPage = db.prepare<
    { shardId: number; afterNamespaceId: string; afterWorkflowId: string; afterRunId: string; limit: number },
    WorkflowExecutionRow
  >(`
    SELECT ${EXECUTION_COLUMNS} FROM executions
    WHERE shard_id = @shardId
      AND (namespace_id, workflow_id, run_id) > (@afterNamespaceId, @afterWorkflowId, @afterRunId)
    ORDER BY namespace_id, workflow_id, run_id LIMIT @limit`);

  const selectCurrent = db.prepare<WorkflowKey, CurrentExecutionRow>(
    `SELECT ${CURRENT_COLUMNS} FROM current_executions WHERE ${WORKFLOW_KEY_MATCH}`,
  );
  const upsertCurrent = db.prepare<CurrentExecutionRow & { shardId: number }>(`
    INSERT OR REPLACE INTO current_executions
      (shard_id, namespace_id, workflow_id, run_id, create_request_id, state, status, start_time, last_write_version)
    VALUES
      (@shardId, @namespaceId, @workflowId, @runId, @createRequestId, @state, @status, @startTime, @lastWriteVersion)`);
  const deleteCurrentOfRun = db.prepare<RunKey>(`DELETE FROM current_executions WHERE ${RUN_KEY_MATCH}`);
  const selectCurrentPage = db.prepare<
    { shardId: number; afterNamespaceId: string; afterWorkflowId: string; limit: number },
    CurrentExecutionRow
  >(`
    SELECT ${CURRENT_COLUMNS} FROM current_executions
    WHERE shard_id = @shardId AND (namespace_id, workflow_id) > (@afterNamespaceId, @afterWorkflowId)
    ORDER BY namespace_id, workflow_id ${BOUND_LIMIT}`);
  const deleteShardExecutions = db.prepare<[number]>('DELETE FROM executions WHERE shard_id = ?');
  const deleteShardCurrents = db.prepare<[number]>('DELETE FROM current_executions WHERE shard_id = ?');

  /** Throws CurrentWorkflowConditionFailedError, carrying the current row, unless it points at expectedRunId. */
  const checkCurrentRun = (key: WorkflowKey, expectedRunId: string | undefined): void => {
    const current = selectCurrent.get(key);
    if (current?.runId !== expectedRunId) {
      throw new CurrentWorkflowConditionFailedError(
        current,
        `workflow ${key.workflowId}: current run is ${current?.runId ?? 'absent'}, expected ${expectedRunId ?? 'none'}`,
      );
    }
  };

  const checkRunAbsent = (shardId: number, run: WorkflowExecutionRow): void => {
    if (selectDbRecordVersion.get({ shardId, ...run })) {
      throw new ConditionFailedError(`workflow ${run.workflowId}: run ${run.runId} already exists`);
    }
  };

  const create = immediateTransaction(db, (request: CreateWorkflowExecutionRequest) => {
    const { shardId, execution } = request;
    checkShardRange(shardId, request.rangeId);
    checkCurrentRun({ shardId, ...execution }, expectedCurrentRunId(request.current));
    checkRunAbsent(shardId, execution);
    upsertExecution.run({ shardId, ...execution });
    upsertCurrent.run({ shardId, ...request.currentRow });
    historyTasks.insertTasks(shardId, request.tasks);
    appendHistory(shardId, request.history);
  });

  // Every condition is checked before the first write, and the transaction rolls back whatever a throw interrupts.
  const update = immediateTransaction(db, (request: UpdateWorkflowExecutionRequest) => {
    const { shardId, execution, newExecution, currentRow } = request;
    if (newExecution && !currentRow) {
      throw new TypeError('an update with newExecution needs the currentRow pointing at it');
    }
    checkShardRange(shardId, request.rangeId);
    const storedVersion = selectDbRecordVersion.get({ shardId, ...execution })?.dbRecordVersion;
    if (storedVersion !== request.expectedDbRecordVersion) {
      throw new ConcurrentUpdateError(
        `workflow ${execution.workflowId} run ${execution.runId}: expected db_record_version ` +
          `${request.expectedDbRecordVersion}, found ${storedVersion ?? 'no run'}`,
      );
    }
    if (currentRow) checkCurrentRun({ shardId, ...execution }, execution.runId);
    if (newExecution) checkRunAbsent(shardId, newExecution);

    upsertExecution.run({ shardId, ...execution });
    if (newExecution) upsertExecution.run({ shardId, ...newExecution });
    if (currentRow) upsertCurrent.run({ shardId, ...currentRow });
    historyTasks.insertTasks(shardId, request.tasks);
    appendHistory(shardId, request.history);
  });

  // One transaction; each write runs in its own savepoint (a transaction function called inside another), so a
  // write whose condition fails rolls back alone and the others commit.
  const writeGroup = immediateTransaction(db, (writes: ExecutionWrite[]) => {
    const { shardId, rangeId } = sameShard(writes);
    checkShardRange(shardId, rangeId);
    return writes.map((write): Error | undefined => {
      try {
        if (write.kind === 'create') create(write.request);
        else update(write.request);
        return undefined;
      } catch (err) {
        const ownOutcome =
          (err instanceof PersistenceError || err instanceof TypeError) && !(err instanceof ShardOwnershipLostError);
        if (!ownOutcome) throw err;
        return err;
      }
    });
  });

  const remove = immediateTransaction(db, (key: RunKey, rangeId: number) => {
    checkShardRange(key.shardId, rangeId);
    deleteExecution.run(key);
    deleteCurrentOfRun.run(key);
  });

  const importRows = immediateTransaction(db, (request: ImportExecutionsRequest) => {
    const { shardId } = request;
    checkShardRange(shardId, request.rangeId);
    for (const execution of request.executions) upsertExecution.run({ shardId, ...execution });
    for (const currentRow of request.currentRows) upsertCurrent.run({ shardId, ...currentRow });
    historyTasks.insertTasks(shardId, request.tasks);
  });

  const deleteTasks = immediateTransaction(db, (shardId: number, rangeId: number, keys: HistoryTaskKey[]) => {
    checkShardRange(shardId, rangeId);
    historyTasks.deleteTasks(shardId, keys);
  });

  const purge = immediateTransaction(db, (shardId: number, rangeId: number) => {
    checkShardRange(shardId, rangeId);
    deleteShardExecutions.run(shardId);
    deleteShardCurrents.run(shardId);
    historyTasks.deleteAllTasks(shardId);
  });

  return {
    async createWorkflowExecution(request) {
      create(request);
    },
    async updateWorkflowExecution(request) {
      update(request);
    },
    async writeWorkflowExecutions(writes) {
      return writeGroup(writes);
    },
    async getWorkflowExecution(shardId, namespaceId, workflowId, runId) {
      return selectExecution.get({ shardId, namespaceId, workflowId, runId });
    },
    async getCurrentExecution(shardId, namespaceId, workflowId) {
      return selectCurrent.get({ shardId, namespaceId, workflowId });
    },
    async deleteWorkflowExecution(shardId, rangeId, namespaceId, workflowId, runId) {
      remove({ shardId, namespaceId, workflowId, runId }, rangeId);
    },
    async listCurrentExecutions(shardId, pageSize, pageToken) {
      const [afterNamespaceId, afterWorkflowId] = decodePageToken<CurrentPageKey>(pageToken, 2) ?? BEFORE_FIRST_CURRENT;
      const rows = selectCurrentPage.all({ shardId, afterNamespaceId, afterWorkflowId, limit: fetchLimit(pageSize) });
      return toPage(rows, pageSize, (row) => [row.namespaceId, row.workflowId]);
    },
    async importExecutions(request) {
      importRows(request);
    },
    async deleteHistoryTasks(shardId, rangeId, keys) {
      deleteTasks(shardId, rangeId, keys);
    },
    async purgeShard(shardId, rangeId) {
      purge(shardId, rangeId);
    },
    async listWorkflowExecutions(shardId, pageSize, pageToken) {
      const [afterNamespaceId, afterWorkflowId, afterRunId] =
        decodePageToken<ExecutionPageKey>(pageToken, 3) ?? BEFORE_FIRST_EXECUTION;
      const limit = fetchLimit(pageSize);
      const rows = selectExecutionPage.all({ shardId, afterNamespaceId, afterWorkflowId, afterRunId, limit });
      return toPage(rows, pageSize, (row) => [row.namespaceId, row.workflowId, row.runId]);
    },
    async getHistoryTasks(request) {
      return historyTasks.getHistoryTasks(request);
    },
    async completeHistoryTasks(request) {
      historyTasks.completeHistoryTasks(request);
    },
  };
}
