// ListOpen/ListClosedWorkflowExecutions filters as a List Filter query, so they run through the same stores.
import type { WorkflowExecutionStatus } from '@tempora/proto/enums';
import type { StartTimeFilter, StatusFilter, WorkflowExecutionFilter, WorkflowTypeFilter } from '@tempora/proto/filter';
import { invalidArgument } from '@tempora/rpc';
import { statusName } from '@tempora/visibility';
import { quoted } from './visibility.js';

interface LegacyFilters {
  startTimeFilter?: StartTimeFilter;
  executionFilter?: WorkflowExecutionFilter;
  typeFilter?: WorkflowTypeFilter;
  statusFilter?: StatusFilter;
}

export function legacyFilterQuery(request: LegacyFilters, options: { open: boolean }): string {
  const set = [request.executionFilter, request.typeFilter, request.statusFilter].filter(Boolean).length;
  if (set > 1) throw invalidArgument('Only one of ExecutionFilter, TypeFilter or StatusFilter is allowed.');
  const timeField = options.open ? 'StartTime' : 'CloseTime';
  const clauses = [options.open ? "ExecutionStatus = 'Running'" : "ExecutionStatus != 'Running'"];
  const { earliestTime, latestTime } = request.startTimeFilter ?? {};
  if (earliestTime) clauses.push(`${timeField} >= ${quoted(earliestTime.toISOString())}`);
  if (latestTime) clauses.push(`${timeField} <= ${quoted(latestTime.toISOString())}`);
  if (request.executionFilter?.workflowId) clauses.push(`WorkflowId = ${quoted(request.executionFilter.workflowId)}`);
  if (request.executionFilter?.runId) clauses.push(`RunId = ${quoted(request.executionFilter.runId)}`);
  if (request.typeFilter?.name) clauses.push(`WorkflowType = ${quoted(request.typeFilter.name)}`);
  if (request.statusFilter?.status)
    clauses.push(`ExecutionStatus = ${quoted(statusName(request.statusFilter.status as WorkflowExecutionStatus))}`);
  return clauses.join(' AND ');
}
