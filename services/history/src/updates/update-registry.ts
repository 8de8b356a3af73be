// Workflow updates in progress, per run (upstream service/history/workflow/update). An update is admitted here (in
// memory only), sent to the worker inside the next workflow task, then accepted (WorkflowExecutionUpdateAccepted,
// persisted) and completed (WorkflowExecutionUpdateCompleted), or rejected (no event). Callers wait on an entry for
// the stage they asked for. A host restart loses admitted updates, as upstream; their callers retry.
import { UpdateWorkflowExecutionLifecycleStage as Stage } from '@tempora/proto/enums';
import { Any } from '@tempora/proto/google';
import type { Message } from '@tempora/proto/protocol';
import { Request, type Outcome } from '@tempora/proto/update';
import type { RpcError } from '@tempora/rpc';
import { untilDeadline } from '../until-deadline.js';

export { Stage };

export class UpdateEntry {
  accepted = false;
  outcome?: Outcome;
  /** Set when the update was aborted: the caller gets this error. */
  error?: RpcError;
  /** The workflow task (see taskRef) the request was last sent with. */
  sentWith = '';
  /** Removes the entry from its registry (set when it is added). */
  forget: () => void = () => {};
  private readonly listeners = new Set<() => void>();

  constructor(
    readonly updateId: string,
    /** Undefined for an update known only from mutable state (accepted before a restart). */
    readonly request: Request | undefined,
    readonly admittedOrder: number,
  ) {}

  get stage(): Stage {
    if (this.outcome || this.error) return Stage.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_COMPLETED;
    return this.accepted
      ? Stage.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ACCEPTED
      : Stage.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ADMITTED;
  }

  /** Waiting for the worker: neither accepted nor finished. */
  get pending(): boolean {
    return !this.accepted && !this.outcome && !this.error;
  }

  /** Resolves when the entry reached `stage`, or at `until` / abort (then with the stage it is at). */
  async waitFor(stage: Stage, until: number, signal: AbortSignal): Promise<void> {
    while (this.stage < stage && Date.now() < until && !signal.aborted) {
      const changed = new Promise<void>((resolve) => {
        const listener = () => {
          this.listeners.delete(listener);
          resolve();
        };
        this.listeners.add(listener);
      });
      await untilDeadline(changed, until, signal);
    }
  }

  changed(): void {
    for (const listener of [...this.listeners]) listener();
  }
}

/** Identifies one started workflow task, for "was this update sent with the task now completing". */
export function taskRef(task: { scheduledEventId: number; startedEventId: number; attempt: number }): string {
  return `${task.scheduledEventId}/${task.startedEventId}/${task.attempt}`;
}

export class UpdateRegistry {
  private readonly runs = new Map<string, Map<string, UpdateEntry>>();
  private admitted = 0;

  find(runKey: string, updateId: string): UpdateEntry | undefined {
    return this.runs.get(runKey)?.get(updateId);
  }

  admit(runKey: string, request: Request): UpdateEntry {
    return this.add(runKey, new UpdateEntry(request.meta!.updateId, request, this.admitted++));
  }

  /** The entry of an update mutable state shows as accepted, created if this host does not know it yet. */
  acceptedEntry(runKey: string, updateId: string): UpdateEntry {
    const entry =
      this.find(runKey, updateId) ?? this.add(runKey, new UpdateEntry(updateId, undefined, this.admitted++));
    entry.accepted = true;
    return entry;
  }

  remove(runKey: string, entry: UpdateEntry): void {
    const run = this.runs.get(runKey);
    if (run?.get(entry.updateId) !== entry) return;
    run.delete(entry.updateId);
    if (run.size === 0) this.runs.delete(runKey);
  }

  entries(runKey: string): UpdateEntry[] {
    return [...(this.runs.get(runKey)?.values() ?? [])];
  }

  /** Whether an update still waits for a workflow task other than `exceptTask` to carry it to the worker. */
  hasUnsent(runKey: string, exceptTask: string): boolean {
    return this.entries(runKey).some((e) => e.pending && e.request && e.sentWith !== exceptTask);
  }

  /**
   * The request messages a workflow task starting now carries: every update still waiting for the worker, in
   * admission order, sequenced after the events the task shows (upstream: the started event id - 1).
   */
  messagesForWorkflowTask(runKey: string, task: string, startedEventId: number): Message[] {
    return this.entries(runKey)
      .filter((e) => e.pending && e.request)
      .sort((a, b) => a.admittedOrder - b.admittedOrder)
      .map((entry) => {
        entry.sentWith = task;
        return {
          id: `${entry.updateId}/request`,
          protocolInstanceId: entry.updateId,
          eventId: startedEventId - 1,
          body: Any.fromPartial({
            typeUrl: REQUEST_TYPE_URL,
            value: Buffer.from(Request.encode(entry.request!).finish()),
          }),
        };
      });
  }

  /** Marks the update accepted and wakes its callers. */
  accept(runKey: string, updateId: string): void {
    this.acceptedEntry(runKey, updateId).changed();
  }

  /** Records the outcome (a completion or a rejection), wakes the callers and forgets the update. */
  finish(runKey: string, updateId: string, outcome: Outcome): void {
    const entry = this.find(runKey, updateId);
    if (!entry) return;
    entry.outcome = outcome;
    entry.changed();
    this.remove(runKey, entry);
  }

  /** Ends the update with an error for its callers and forgets it. */
  abort(runKey: string, entry: UpdateEntry, error: RpcError): void {
    entry.error = error;
    entry.changed();
    this.remove(runKey, entry);
  }

  private add(runKey: string, entry: UpdateEntry): UpdateEntry {
    let run = this.runs.get(runKey);
    if (!run) {
      run = new Map();
      this.runs.set(runKey, run);
    }
    run.set(entry.updateId, entry);
    entry.forget = () => this.remove(runKey, entry);
    return entry;
  }
}

export const REQUEST_TYPE_URL = 'type.googleapis.com/temporal.api.update.v1.Request';
export const ACCEPTANCE_TYPE_URL = 'type.googleapis.com/temporal.api.update.v1.Acceptance';
export const REJECTION_TYPE_URL = 'type.googleapis.com/temporal.api.update.v1.Rejection';
export const RESPONSE_TYPE_URL = 'type.googleapis.com/temporal.api.update.v1.Response';
