// The whole face as namespaces, named like Temporal's API packages (enums.EventType, history.HistoryEvent, ...).
// Each is also its own entry point (@tempora/proto/enums, ...); importing from here loads every one of them, which
// costs little in Node since workflowservice alone already pulls in nearly all generated files.
export * as activity from './activity.js';
export * as admin from './admin.js';
export * as batch from './batch.js';
export * as callback from './callback.js';
export * as command from './command.js';
export * as common from './common.js';
export * as compute from './compute.js';
export * as deployment from './deployment.js';
export * as enums from './enums.js';
export * as errordetails from './errordetails.js';
export * as failure from './failure.js';
export * as filter from './filter.js';
export * as google from './google.js';
export * as history from './history.js';
export * as internal from './internal.js';
export * as namespace from './namespace.js';
export * as nexus from './nexus.js';
export * as operatorservice from './operatorservice.js';
export * as persistence from './persistence.js';
export * as protocol from './protocol.js';
export * as query from './query.js';
export * as replication from './replication.js';
export * as rules from './rules.js';
export * as schedule from './schedule.js';
export * as sdk from './sdk.js';
export * as taskqueue from './taskqueue.js';
export * as update from './update.js';
export * as version from './version.js';
export * as worker from './worker.js';
export * as workflow from './workflow.js';
export * as workflowservice from './workflowservice.js';
