// Which visibility updates a transaction needs, derived from what it did, so every handler gets them without
// knowing about visibility: a new run is recorded as started, a search-attribute or memo change is upserted, a
// close is recorded as closed. The tasks go into the transaction's own conditional write.
import { EventType } from '@tempora/proto/enums';
import { VisibilityTaskKind } from '@tempora/proto/persistence';
import type { MutableState } from './mutable-state.js';

const UPSERT_EVENT_TYPES = new Set<EventType>([
  EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES,
  EventType.EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED,
]);

export function addDerivedVisibilityTasks(ms: MutableState, isNewRun: boolean): void {
  if (isNewRun) ms.addVisibilityTask(VisibilityTaskKind.VISIBILITY_TASK_KIND_START);
  if (ms.newEvents.some((e) => UPSERT_EVENT_TYPES.has(e.eventType)))
    ms.addVisibilityTask(VisibilityTaskKind.VISIBILITY_TASK_KIND_UPSERT);
  if (ms.statusChanged && !ms.isRunning) ms.addVisibilityTask(VisibilityTaskKind.VISIBILITY_TASK_KIND_CLOSE);
}
