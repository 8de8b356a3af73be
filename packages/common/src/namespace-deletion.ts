// The contract between OperatorService.DeleteNamespace (frontend) and the namespace-deletion workflows the worker
// service runs in temporal-system (upstream service/worker/deletenamespace names). Payloads are json/plain of these
// plain objects.

/** Marks the namespace deleted and renames it, then starts the reclaim workflow; DeleteNamespace waits for it. */
export const DELETE_NAMESPACE_WORKFLOW_TYPE = 'temporal-sys-delete-namespace-workflow';
/** Deletes the namespace's executions at a bounded rate, then the namespace record (upstream reclaimresources). */
export const RECLAIM_NAMESPACE_RESOURCES_WORKFLOW_TYPE = 'temporal-sys-reclaim-namespace-resources-workflow';

/** Exactly one of the two is set, as on the request. */
export interface DeleteNamespaceArgs {
  namespace: string;
  namespaceId: string;
}

export interface DeleteNamespaceResult {
  deletedNamespace: string;
  deletedNamespaceId: string;
}

export interface ReclaimNamespaceResourcesArgs {
  /** The namespace's name after the rename (`<name>-deleted-<first 5 chars of its id>`). */
  namespace: string;
  namespaceId: string;
}

export interface DeleteExecutionsResult {
  /** Runs the activity asked history to delete (or whose orphaned visibility record it removed). */
  deleted: number;
  /** Visibility records left when it finished (runs being closed before their delete, or not yet removed). */
  remaining: number;
}
