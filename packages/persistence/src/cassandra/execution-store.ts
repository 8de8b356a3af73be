// Executions, current-execution pointers and history tasks share their shard's partition with the shard row.
// Every execution write is one LWT batch there: the shard's range_id check, the execution's db_record_version
// check (or IF NOT EXISTS for a new run), the current-execution condition, and the new task rows. Cassandra
// applies all of it or none of it; when it refuses, the rows it returns say which condition failed. A group commit
// puts several executions' statements in one such batch behind one range_id check; when one of their own
// conditions refuses the batch, each write is retried alone so that only it fails.
import type {
  CreateWorkflowExecutionRequest,
  CurrentExecutionRow,
  ExecutionStore,
  ExecutionWrite,
  HistoryTask,
  HistoryTaskCategory,
  HistoryTaskKey,
  UpdateWorkflowExecutionRequest,
  WorkflowExecutionRow,
} from '../contract.js';
import { isScheduledRequest, sameShard, storedFireTime, type ExecutionState } from '../contract.js';
import {
  ConcurrentUpdateError,
  ConditionFailedError,
  CurrentWorkflowConditionFailedError,
  PersistenceError,
  ShardOwnershipLostError,
} from '../errors.js';
import { decodePageToken, fetchLimit, toPage } from '../paging.js';
import { insertHistoryNode } from './history-store.js';
import { ShardRowType } from './schema.js';
import { checkShardRange, rangeIdInRows, shardRangeCondition } from './shard-store.js';
import { toBuffer, toBytes, toNumber, type CqlRow, type CqlSession, type Statement } from './session.js';

interface WorkflowKey {
  namespaceId: string;
  workflowId: string;
}

interface RunKey extends WorkflowKey {
  runId: string;
}

const TASK_ROW_TYPES: Record<HistoryTaskCategory, number> = {
  transfer: ShardRowType.TransferTask,
  timer: ShardRowType.TimerTask,
  visibility: ShardRowType.VisibilityTask,
  retention: ShardRowType.RetentionTask,
};
const TASK_CATEGORIES = new Map(Object.entries(TASK_ROW_TYPES).map(([category, rowType]) => [rowType, category]));

const EXECUTION_KEY = `shard_id = :shardId AND row_type = ${ShardRowType.Execution} AND namespace_id = :namespaceId
  AND workflow_id = :workflowId AND run_id = :runId AND fire_time = 0 AND task_id = 0`;
const CURRENT_KEY = `shard_id = :shardId AND row_type = ${ShardRowType.CurrentExecution}
  AND namespace_id = :namespaceId AND workflow_id = :workflowId AND run_id = '' AND fire_time = 0 AND task_id = 0`;
/** Task rows leave the run columns of the key empty, so a category's tasks cluster by (fire_time, task_id). */
const TASKS_OF_CATEGORY = `shard_id = :shardId AND row_type = :rowType AND namespace_id = '' AND workflow_id = ''
  AND run_id = ''`;

const EXECUTION_COLUMNS = 'namespace_id, workflow_id, run_id, db_record_version, next_event_id, state';
const CURRENT_COLUMNS =
  'namespace_id, workflow_id, current_run_id, create_request_id, execution_state, status, start_time, last_write_version';
const TASK_COLUMNS = 'row_type, fire_time, task_id, task_namespace_id, task_workflow_id, task_run_id, data';

/** Events bytes per unlogged batch of history appends (Cassandra's batch_size_fail_threshold is 50 KiB). */
const HISTORY_BATCH_BYTES = 32 * 1024;

/** Deletes of a run race with current-pointer moves; this many attempts is plenty for a pointer that settles. */
const DELETE_ATTEMPTS = 5;

/**
 * Bounds of one fenced batch of an import or a task deletion. Cassandra checks batch_size_fail_threshold only for
 * unconditional batches; an LWT batch fails only past max_mutation_size (16 MiB by default), but every byte of it goes
 * through Paxos, so small batches keep each round short (measured here: 750 rows in one batch took 2.5x as long as
 * in batches of these bounds). A single bigger row goes alone, as it would in any write.
 */
const MAX_BATCH_STATEMENTS = 100;
const MAX_BATCH_BYTES = 32 * 1024;

/** 'create' refuses a row that exists (IF NOT EXISTS); 'upsert' overwrites it (resharding's import). */
type InsertMode = 'create' | 'upsert';
const insertCondition = (mode: InsertMode) => (mode === 'create' ? 'IF NOT EXISTS' : '');

function toExecution(row: CqlRow): WorkflowExecutionRow {
  return {
    namespaceId: row['namespace_id'] as string,
    workflowId: row['workflow_id'] as string,
    runId: row['run_id'] as string,
    state: toBytes(row['state']),
    nextEventId: toNumber(row['next_event_id']),
    dbRecordVersion: toNumber(row['db_record_version']),
  };
}

function toCurrent(row: CqlRow): CurrentExecutionRow {
  return {
    namespaceId: row['namespace_id'] as string,
    workflowId: row['workflow_id'] as string,
    runId: row['current_run_id'] as string,
    createRequestId: row['create_request_id'] as string,
    state: row['execution_state'] as ExecutionState,
    status: row['status'] as number,
    startTime: toNumber(row['start_time']),
    lastWriteVersion: toNumber(row['last_write_version']),
  };
}

function toTask(row: CqlRow): HistoryTask {
  return {
    category: TASK_CATEGORIES.get(row['row_type'] as number) as HistoryTaskCategory,
    taskId: toNumber(row['task_id']),
    fireTime: toNumber(row['fire_time']),
    namespaceId: row['task_namespace_id'] as string,
    workflowId: row['task_workflow_id'] as string,
    runId: row['task_run_id'] as string,
    data: toBytes(row['data']),
  };
}

function insertExecution(shardId: number, run: WorkflowExecutionRow, mode: InsertMode = 'create'): Statement {
  return {
    query: `INSERT INTO executions (shard_id, row_type, namespace_id, workflow_id, run_id, fire_time, task_id,
              db_record_version, next_event_id, state)
            VALUES (:shardId, ${ShardRowType.Execution}, :namespaceId, :workflowId, :runId, 0, 0,
              :dbRecordVersion, :nextEventId, :state)
            ${insertCondition(mode)}`,
    params: { ...run, shardId, state: toBuffer(run.state) },
  };
}

function updateExecution(shardId: number, run: WorkflowExecutionRow, expectedDbRecordVersion: number): Statement {
  return {
    query: `UPDATE executions SET db_record_version = :dbRecordVersion, next_event_id = :nextEventId, state = :state
            WHERE ${EXECUTION_KEY} IF db_record_version = :expectedDbRecordVersion`,
    params: { ...run, shardId, state: toBuffer(run.state), expectedDbRecordVersion },
  };
}

function insertCurrent(shardId: number, current: CurrentExecutionRow, mode: InsertMode): Statement {
  return {
    query: `INSERT INTO executions (shard_id, row_type, namespace_id, workflow_id, run_id, fire_time, task_id,
              current_run_id, create_request_id, execution_state, status, start_time, last_write_version)
            VALUES (:shardId, ${ShardRowType.CurrentExecution}, :namespaceId, :workflowId, '', 0, 0,
              :runId, :createRequestId, :executionState, :status, :startTime, :lastWriteVersion)
            ${insertCondition(mode)}`,
    params: { ...current, shardId, executionState: current.state },
  };
}

/** Writes the current row, IF no current row exists (expectedRunId undefined) or IF it points at expectedRunId. */
function writeCurrent(shardId: number, current: CurrentExecutionRow, expectedRunId: string | undefined): Statement {
  if (expectedRunId === undefined) return insertCurrent(shardId, current, 'create');
  return {
    query: `UPDATE executions SET current_run_id = :runId, create_request_id = :createRequestId,
              execution_state = :executionState, status = :status, start_time = :startTime,
              last_write_version = :lastWriteVersion
            WHERE ${CURRENT_KEY} IF current_run_id = :expectedRunId`,
    params: { ...current, shardId, executionState: current.state, expectedRunId },
  };
}

function insertTask(shardId: number, task: HistoryTask): Statement {
  return {
    query: `INSERT INTO executions (shard_id, row_type, namespace_id, workflow_id, run_id, fire_time, task_id,
              task_namespace_id, task_workflow_id, task_run_id, data)
            VALUES (:shardId, :rowType, '', '', '', :fireTime, :taskId, :namespaceId, :workflowId, :runId, :data)`,
    params: {
      ...task,
      shardId,
      rowType: TASK_ROW_TYPES[task.category],
      fireTime: storedFireTime(task),
      data: toBuffer(task.data),
    },
  };
}

function deleteTask(shardId: number, key: HistoryTaskKey): Statement {
  return {
    query: `DELETE FROM executions WHERE ${TASKS_OF_CATEGORY} AND fire_time = :fireTime AND task_id = :taskId`,
    params: { shardId, rowType: TASK_ROW_TYPES[key.category], fireTime: storedFireTime(key), taskId: key.taskId },
  };
}

/** The bytes of a statement's string and blob values: what counts towards a batch's size. */
function valueBytes(statement: Statement): number {
  let bytes = 0;
  for (const value of Object.values(statement.params)) {
    if (typeof value === 'string') bytes += Buffer.byteLength(value);
    else if (Buffer.isBuffer(value)) bytes += value.byteLength;
  }
  return bytes;
}

/** Splits statements into consecutive batches within MAX_BATCH_STATEMENTS and MAX_BATCH_BYTES. */
function splitBatches(statements: readonly Statement[]): Statement[][] {
  const batches: Statement[][] = [];
  let batch: Statement[] = [];
  let bytes = 0;
  for (const statement of statements) {
    const size = valueBytes(statement);
    if (batch.length > 0 && (batch.length === MAX_BATCH_STATEMENTS || bytes + size > MAX_BATCH_BYTES)) {
      batches.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push(statement);
    bytes += size;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}

/** What a refused batch's rows say about the rows its conditions read. */
class RefusedBatch {
  constructor(private readonly rows: readonly CqlRow[]) {}

  rangeId(): number | undefined {
    return rangeIdInRows(this.rows);
  }

  execution(run: RunKey): CqlRow | undefined {
    return this.rows.find(
      (row) =>
        row['row_type'] === ShardRowType.Execution &&
        row['namespace_id'] === run.namespaceId &&
        row['workflow_id'] === run.workflowId &&
        row['run_id'] === run.runId,
    );
  }

  currentRunId(key: WorkflowKey): string | undefined {
    const row = this.rows.find(
      (candidate) =>
        candidate['row_type'] === ShardRowType.CurrentExecution &&
        candidate['namespace_id'] === key.namespaceId &&
        candidate['workflow_id'] === key.workflowId,
    );
    return (row?.['current_run_id'] as string | null | undefined) ?? undefined;
  }
}

/** The statements of one execution write and the conditions they carry, which name the error of a refusal. */
interface WritePlan {
  statements: Statement[];
  conditions: {
    expectedVersion?: { run: RunKey; dbRecordVersion: number };
    current?: { key: WorkflowKey; expectedRunId: string | undefined };
    absentRuns: RunKey[];
  };
}

function planCreate(request: CreateWorkflowExecutionRequest): WritePlan {
  const { shardId, execution, currentRow } = request;
  const expectedRunId = request.current.kind === 'brand-new' ? undefined : request.current.previousRunId;
  return {
    statements: [
      writeCurrent(shardId, currentRow, expectedRunId),
      insertExecution(shardId, execution),
      ...request.tasks.map((task) => insertTask(shardId, task)),
    ],
    conditions: { current: { key: execution, expectedRunId }, absentRuns: [execution] },
  };
}

function planUpdate(request: UpdateWorkflowExecutionRequest): WritePlan {
  const { shardId, execution, newExecution, currentRow } = request;
  if (newExecution && !currentRow) {
    throw new TypeError('an update with newExecution needs the currentRow pointing at it');
  }
  const statements = [updateExecution(shardId, execution, request.expectedDbRecordVersion)];
  if (newExecution) statements.push(insertExecution(shardId, newExecution));
  if (currentRow) statements.push(writeCurrent(shardId, currentRow, execution.runId));
  statements.push(...request.tasks.map((task) => insertTask(shardId, task)));
  return {
    statements,
    conditions: {
      expectedVersion: { run: execution, dbRecordVersion: request.expectedDbRecordVersion },
      current: currentRow ? { key: execution, expectedRunId: execution.runId } : undefined,
      absentRuns: newExecution ? [newExecution] : [],
    },
  };
}

export function createExecutionStore(session: CqlSession): ExecutionStore {
  const readCurrent = async (shardId: number, key: WorkflowKey) => {
    const row = await session.first(`SELECT ${CURRENT_COLUMNS} FROM executions WHERE ${CURRENT_KEY}`, {
      shardId,
      ...key,
    });
    return row && toCurrent(row);
  };

  /** Runs the batch; when refused, throws the error of the first condition (in the listed order) that failed. */
  const writeConditionally = async (shardId: number, rangeId: number, plan: WritePlan): Promise<void> => {
    const { applied, rows } = await session.conditional([shardRangeCondition(shardId, rangeId), ...plan.statements]);
    if (applied) return;
    const refused = new RefusedBatch(rows);
    const actualRangeId = refused.rangeId();
    if (actualRangeId !== rangeId) throw new ShardOwnershipLostError(shardId, rangeId, actualRangeId);

    const { expectedVersion, current, absentRuns } = plan.conditions;
    if (expectedVersion) {
      const stored = refused.execution(expectedVersion.run);
      const storedVersion = stored ? toNumber(stored['db_record_version']) : undefined;
      if (storedVersion !== expectedVersion.dbRecordVersion) {
        throw new ConcurrentUpdateError(
          `workflow ${expectedVersion.run.workflowId} run ${expectedVersion.run.runId}: expected db_record_version ` +
            `${expectedVersion.dbRecordVersion}, found ${storedVersion ?? 'no run'}`,
        );
      }
    }
    if (current && refused.currentRunId(current.key) !== current.expectedRunId) {
      const currentRow = await readCurrent(shardId, current.key);
      throw new CurrentWorkflowConditionFailedError(
        currentRow,
        `workflow ${current.key.workflowId}: current run is ${currentRow?.runId ?? 'absent'}, ` +
          `expected ${current.expectedRunId ?? 'none'}`,
      );
    }
    const existing = absentRuns.find((run) => refused.execution(run));
    if (existing)
      throw new ConditionFailedError(`workflow ${existing.workflowId}: run ${existing.runId} already exists`);
    throw new PersistenceError(`shard ${shardId}: conditional execution write refused for an unrecognised reason`);
  };

  /**
   * Unconditional statements in batches each fenced by the range id; a stale range id refuses the first batch, so
   * nothing is written. With no statements it only checks the range id.
   */
  const writeFenced = async (shardId: number, rangeId: number, statements: readonly Statement[]): Promise<void> => {
    if (statements.length === 0) {
      await checkShardRange(session, shardId, rangeId);
      return;
    }
    for (const batch of splitBatches(statements)) {
      const { applied, rows } = await session.conditional([shardRangeCondition(shardId, rangeId), ...batch]);
      if (!applied) throw new ShardOwnershipLostError(shardId, rangeId, rangeIdInRows(rows));
    }
  };

  /**
   * The history the writes carry, ahead of their conditional batch (the history partitions are others): one
   * request per HISTORY_BATCH_BYTES of events, since Cassandra fails a multi-partition batch over 50 KiB.
   */
  const appendHistory = async (shardId: number, writes: readonly ExecutionWrite[]): Promise<void> => {
    const chunks: Statement[][] = [];
    let chunk: Statement[] = [];
    let bytes = 0;
    for (const { request } of writes) {
      for (const { branchToken, node } of request.history ?? []) {
        if (chunk.length && bytes + node.events.length > HISTORY_BATCH_BYTES) {
          chunks.push(chunk);
          chunk = [];
          bytes = 0;
        }
        chunk.push(insertHistoryNode(shardId, branchToken, node));
        bytes += node.events.length;
      }
    }
    if (chunk.length) chunks.push(chunk);
    await Promise.all(chunks.map((statements) => session.writeAll(statements)));
  };

  const planOf = (write: ExecutionWrite): WritePlan =>
    write.kind === 'create' ? planCreate(write.request) : planUpdate(write.request);

  return {
    async createWorkflowExecution(request) {
      await appendHistory(request.shardId, [{ kind: 'create', request }]);
      await writeConditionally(request.shardId, request.rangeId, planCreate(request));
    },

    async updateWorkflowExecution(request) {
      await appendHistory(request.shardId, [{ kind: 'update', request }]);
      await writeConditionally(request.shardId, request.rangeId, planUpdate(request));
    },

    async writeWorkflowExecutions(writes) {
      const { shardId, rangeId } = sameShard(writes);
      const plans = writes.map(planOf);
      await appendHistory(shardId, writes);
      if (plans.length > 1) {
        const { applied, rows } = await session.conditional([
          shardRangeCondition(shardId, rangeId),
          ...plans.flatMap((plan) => plan.statements),
        ]);
        if (applied) return writes.map(() => undefined);
        const actualRangeId = rangeIdInRows(rows);
        if (actualRangeId !== rangeId) throw new ShardOwnershipLostError(shardId, rangeId, actualRangeId);
        // Some write's own condition failed, and with it the whole batch: each write alone tells its outcome.
      }
      const outcomes: (Error | undefined)[] = [];
      for (const plan of plans) {
        outcomes.push(
          await writeConditionally(shardId, rangeId, plan).then(
            () => undefined,
            (err: unknown) => {
              if (err instanceof ShardOwnershipLostError) throw err;
              return err instanceof Error ? err : new PersistenceError(String(err));
            },
          ),
        );
      }
      return outcomes;
    },

    async getWorkflowExecution(shardId, namespaceId, workflowId, runId) {
      const row = await session.first(`SELECT ${EXECUTION_COLUMNS} FROM executions WHERE ${EXECUTION_KEY}`, {
        shardId,
        namespaceId,
        workflowId,
        runId,
      });
      return row && toExecution(row);
    },

    async getCurrentExecution(shardId, namespaceId, workflowId) {
      return readCurrent(shardId, { namespaceId, workflowId });
    },

    async deleteWorkflowExecution(shardId, rangeId, namespaceId, workflowId, runId) {
      const run = { namespaceId, workflowId, runId };
      for (let attempt = 1; ; attempt++) {
        const pointsHere = (await readCurrent(shardId, run))?.runId === runId;
        const statements: Statement[] = [
          shardRangeCondition(shardId, rangeId),
          { query: `DELETE FROM executions WHERE ${EXECUTION_KEY}`, params: { shardId, ...run } },
        ];
        if (pointsHere) {
          statements.push({
            query: `DELETE FROM executions WHERE ${CURRENT_KEY} IF current_run_id = :runId`,
            params: { shardId, ...run },
          });
        }
        const { applied, rows } = await session.conditional(statements);
        if (applied) return;
        const actualRangeId = rangeIdInRows(rows);
        if (actualRangeId !== rangeId) throw new ShardOwnershipLostError(shardId, rangeId, actualRangeId);
        // The current pointer moved between the read and the write: read it again.
        if (attempt === DELETE_ATTEMPTS) {
          throw new ConditionFailedError(`workflow ${workflowId}: current run kept moving while deleting ${runId}`);
        }
      }
    },

    async listCurrentExecutions(shardId, pageSize, pageToken) {
      const [afterNamespaceId, afterWorkflowId] = decodePageToken<[string, string]>(pageToken, 2) ?? ['', ''];
      const rows = await session.rows(
        `SELECT ${CURRENT_COLUMNS} FROM executions
         WHERE shard_id = :shardId AND row_type = ${ShardRowType.CurrentExecution}
           AND (namespace_id, workflow_id) > (:afterNamespaceId, :afterWorkflowId)
         LIMIT :rowLimit`,
        { shardId, afterNamespaceId, afterWorkflowId, rowLimit: fetchLimit(pageSize) },
      );
      return toPage(rows.map(toCurrent), pageSize, (row) => [row.namespaceId, row.workflowId]);
    },

    async importExecutions({ shardId, rangeId, executions, currentRows, tasks }) {
      await writeFenced(shardId, rangeId, [
        ...executions.map((run) => insertExecution(shardId, run, 'upsert')),
        ...currentRows.map((current) => insertCurrent(shardId, current, 'upsert')),
        ...tasks.map((task) => insertTask(shardId, task)),
      ]);
    },

    async deleteHistoryTasks(shardId, rangeId, keys) {
      await writeFenced(
        shardId,
        rangeId,
        keys.map((key) => deleteTask(shardId, key)),
      );
    },

    async purgeShard(shardId, rangeId) {
      // A range delete cannot be conditional, hence the check before it (no host serves the shard meanwhile). Its
      // timestamp is the check's: it covers every row an earlier LWT wrote and none a later one (an import right
      // after) writes, whatever the clocks of this process and the Cassandra nodes say.
      const checkedAt = await checkShardRange(session, shardId, rangeId);
      await session.execute(
        `DELETE FROM executions USING TIMESTAMP :checkedAt WHERE shard_id = :shardId AND row_type > ${ShardRowType.Shard}`,
        { shardId, checkedAt },
      );
    },

    async listWorkflowExecutions(shardId, pageSize, pageToken) {
      const [afterNamespaceId, afterWorkflowId, afterRunId] = decodePageToken<[string, string, string]>(
        pageToken,
        3,
      ) ?? ['', '', ''];
      const rows = await session.rows(
        `SELECT ${EXECUTION_COLUMNS} FROM executions
         WHERE shard_id = :shardId AND row_type = ${ShardRowType.Execution}
           AND (namespace_id, workflow_id, run_id) > (:afterNamespaceId, :afterWorkflowId, :afterRunId)
         LIMIT :rowLimit`,
        { shardId, afterNamespaceId, afterWorkflowId, afterRunId, rowLimit: fetchLimit(pageSize) },
      );
      return toPage(rows.map(toExecution), pageSize, (row) => [row.namespaceId, row.workflowId, row.runId]);
    },

    async getHistoryTasks(request) {
      const { shardId, pageSize } = request;
      const limit = fetchLimit(pageSize);
      if (isScheduledRequest(request)) {
        const [afterFireTime, afterTaskId] = decodePageToken<[number, number]>(request.pageToken, 2) ?? [
          request.minFireTime,
          request.exclusiveMinTaskId,
        ];
        const rows = await session.rows(
          `SELECT ${TASK_COLUMNS} FROM executions WHERE ${TASKS_OF_CATEGORY}
             AND (fire_time, task_id) > (:afterFireTime, :afterTaskId) AND (fire_time) < (:maxFireTime)
           LIMIT :rowLimit`,
          {
            shardId,
            rowType: TASK_ROW_TYPES[request.category],
            afterFireTime,
            afterTaskId,
            maxFireTime: request.maxFireTime,
            rowLimit: limit,
          },
        );
        return toPage(rows.map(toTask), pageSize, (task) => [task.fireTime, task.taskId]);
      }
      const [afterTaskId] = decodePageToken<[number]>(request.pageToken, 1) ?? [request.exclusiveMinTaskId];
      const rows = await session.rows(
        `SELECT ${TASK_COLUMNS} FROM executions WHERE ${TASKS_OF_CATEGORY}
           AND fire_time = 0 AND task_id > :afterTaskId AND task_id <= :maxTaskId
         LIMIT :rowLimit`,
        {
          shardId,
          rowType: TASK_ROW_TYPES[request.category],
          afterTaskId,
          maxTaskId: request.inclusiveMaxTaskId,
          rowLimit: limit,
        },
      );
      return toPage(rows.map(toTask), pageSize, (task) => [task.taskId]);
    },

    async completeHistoryTasks(request) {
      const { shardId } = request;
      const rowType = TASK_ROW_TYPES[request.category];
      if (isScheduledRequest(request)) {
        await session.execute(
          `DELETE FROM executions WHERE ${TASKS_OF_CATEGORY} AND (fire_time, task_id) <= (:maxFireTime, :maxTaskId)`,
          { shardId, rowType, maxFireTime: request.inclusiveMaxFireTime, maxTaskId: request.inclusiveMaxTaskId },
        );
        return;
      }
      await session.execute(
        `DELETE FROM executions WHERE ${TASKS_OF_CATEGORY} AND fire_time = 0 AND task_id <= :maxTaskId`,
        { shardId, rowType, maxTaskId: request.inclusiveMaxTaskId },
      );
    },
  };
}
