// What every command handler implements, and the checks several of them share (upstream command_attr_validator.go).
import type { Command } from '@tempora/proto/command';
import { CommandType, WorkflowTaskFailedCause } from '@tempora/proto/enums';
import type { MutableState } from '../mutable-state.js';
import type { NamespaceRef } from '@tempora/namespace';
import { namespaceNotFound } from '@tempora/rpc';

/** A command the workflow task may not carry: the task fails with `failedCause`, nothing of it is applied. */
export class CommandValidationError extends Error {
  constructor(
    readonly failedCause: WorkflowTaskFailedCause,
    message: string,
  ) {
    super(message);
  }

  /** The message upstream gives both the InvalidArgument and the WorkflowTaskFailed failure: "<CauseName>: <detail>". */
  get rpcMessage(): string {
    return `${enumShortName(WorkflowTaskFailedCause[this.failedCause] ?? 'UNSPECIFIED', 'WORKFLOW_TASK_FAILED_CAUSE_')}: ${this.message}`;
  }
}

/** The short PascalCase name Go's API enums print (COMMAND_TYPE_START_TIMER -> StartTimer). */
export function enumShortName(name: string, prefix: string): string {
  return name
    .replace(prefix, '')
    .toLowerCase()
    .replace(/(^|_)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());
}

/** A command type as upstream's messages print it; a number it does not know as the number. */
export function commandTypeName(type: CommandType): string {
  const name = CommandType[type] as string | undefined;
  return name === undefined ? String(type) : enumShortName(name, 'COMMAND_TYPE_');
}

/** Upstream's mutable-state refusal (the command names something the run does not have): its InvalidArgument text. */
export function invalidHistoryAction(action: string, details: string): string {
  return `invalid history builder state for action: ${action}, ${details}`;
}

/** The namespaces commands name (children, external signal/cancel), resolved before the run is locked. */
export interface CommandNamespaces {
  /** The run's own namespace: the target when a command names none. */
  self: NamespaceRef;
  byName: Map<string, NamespaceRef | undefined>;
}

export interface ValidationContext {
  ms: MutableState;
  namespaces: CommandNamespaces;
  /** Activity ids pending or scheduled by an earlier command of this task. */
  activityIds: Set<string>;
  /** Timer ids pending or started by an earlier command of this task (and not canceled by one). */
  timerIds: Set<string>;
  /** Fired timers (TimerFired still buffered) an earlier command of this task canceled. */
  firedTimersCanceled: Set<string>;
  /**
   * Activities (by scheduled event id) an earlier command of this task asked to cancel: 'canceled' when that
   * canceled it at once (not started), 'requested' when it only asked the worker.
   */
  activityCancels: Map<number, 'canceled' | 'requested'>;
  /** Child workflow ids started by an earlier command of this task. */
  childWorkflowIdsThisTask: Set<string>;
}

export interface ApplyContext {
  ms: MutableState;
  /** The WorkflowTaskCompleted event the command events point back at. */
  completedEventId: number;
  identity: string;
  namespaces: CommandNamespaces;
  /** Applies the protocol message (an update's acceptance or response) a ProtocolMessage command places. */
  applyProtocolMessage: (messageId: string) => void;
  /**
   * Collects the scheduled event ids of activities the completing worker asked to run itself (eager dispatch):
   * they are not sent to matching. Absent where no worker awaits them, and then every activity is dispatched.
   */
  eagerActivities?: number[];
}

export interface CommandHandler {
  /** Throws CommandValidationError; may record what later commands of the task are checked against. */
  validate(command: Command, ctx: ValidationContext): void;
  /** Records the command's events and state; called only once every command of the task validated. */
  apply(command: Command, ctx: ApplyContext): void;
  /** The namespace the command targets, when it may name another one (resolved before validation). */
  namespaceName?(command: Command): string;
}

export const MAX_ID_LENGTH = 1000;

export const RUN_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * What upstream's duration check (timestamp.ValidateAndCapProtoDuration) finds wrong with a duration, or undefined.
 * Unset durations are allowed (they take defaults); nanos outside a second are normalized, not refused.
 */
export function durationProblem(d: { seconds: number; nanos: number } | undefined): string | undefined {
  if (!d) return undefined;
  if ((d.seconds > 0 && d.nanos < 0) || (d.seconds < 0 && d.nanos > 0)) {
    return 'duration has seconds and nanos with different signs';
  }
  if (d.seconds * 1e9 + d.nanos < 0) return 'negative duration';
  return undefined;
}

/** Upstream's task queue check for a queue a command names (tqid.NormalizeAndValidateUserDefined). */
export function taskQueueProblem(queue: { name: string } | undefined, defaultName = ''): string | undefined {
  if (!queue) return 'taskQueue is not set';
  const name = queue.name || defaultName;
  if (!name) return 'missing task queue name';
  if (name.length > MAX_ID_LENGTH) return 'taskQueue length exceeds limit';
  if (name.startsWith('/_sys/')) return 'task queue name cannot start with reserved prefix /_sys/';
  return undefined;
}

/**
 * The namespace a command targets, looked up before its attributes are checked as upstream does: a name the
 * registry does not know fails the call with NamespaceNotFound (NOT_FOUND) and leaves the task started.
 */
export function requireTargetNamespace(namespaces: CommandNamespaces, name: string): NamespaceRef {
  const ns = targetNamespace(namespaces, name);
  if (!ns) throw namespaceNotFound(name);
  return ns;
}

/** The run's own namespace when the command names none (or its own), else the resolved one; undefined if unknown. */
export function targetNamespace(namespaces: CommandNamespaces, name: string): NamespaceRef | undefined {
  return name && name !== namespaces.self.name ? namespaces.byName.get(name) : namespaces.self;
}
