// Workflow execution info, pending activities/children, callbacks (temporal.api.workflow.v1).
export * from './generated/temporal/api/workflow/v1/message.js';
