// Schedules (temporal.api.schedule.v1), used by the schedule RPCs of WorkflowService.
export * from './generated/temporal/api/schedule/v1/message.js';
