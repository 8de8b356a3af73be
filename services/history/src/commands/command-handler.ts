// What every command handler implements, and the checks several of them share (upstream command_attr_validator.go).
import { isValidDuration } from '@tempora/common';
import type { Command } from '@tempora/proto/command';
import { WorkflowTaskFailedCause } from '@tempora/proto/enums';
import type { MutableState } from '../mutable-state.js';
import type { NamespaceRef } from '@tempora/namespace';

/** A command the workflow task may not carry: the task fails with `failedCause`, nothing of it is applied. */
export class CommandValidationError extends Error {
  constructor(
    readonly failedCause: WorkflowTaskFailedCause,
    message: string,
  ) {
    super(message);
  }

  /** The InvalidArgument message upstream returns: "<CauseName>: <detail>". */
  get rpcMessage(): string {
    const name = WorkflowTaskFailedCause[this.failedCause] ?? 'UNSPECIFIED';
    const pascal = name
      .replace('WORKFLOW_TASK_FAILED_CAUSE_', '')
      .toLowerCase()
      .replace(/(^|_)([a-z])/g, (_, __, c: string) => c.toUpperCase());
    return `${pascal}: ${this.message}`;
  }
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
  /** Timer ids pending or started by an earlier command of this task. */
  timerIds: Set<string>;
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

/** Set but not a valid duration (unset durations are allowed: they take defaults). */
export function badDuration(d: { seconds: number; nanos: number } | undefined): boolean {
  return d !== undefined && !isValidDuration(d);
}

/** The run's own namespace when the command names none (or its own), else the resolved one; undefined if unknown. */
export function targetNamespace(namespaces: CommandNamespaces, name: string): NamespaceRef | undefined {
  return name && name !== namespaces.self.name ? namespaces.byName.get(name) : namespaces.self;
}
