// The scheduler workflow: one per schedule, in the schedule's namespace (upstream service/worker/scheduler/
// workflow.go, rewritten). State is plain data (see @tempora/common's scheduler contract); time is workflow time;
// every id and request id is derived deterministically, so a replay or a retried activity never starts twice.
import {
  condition,
  makeContinueAsNewFunc,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  defineQuery,
  defineSignal,
  upsertMemo,
  upsertSearchAttributes,
  uuid4,
  workflowInfo,
  log,
} from '@temporalio/workflow';
import { compileSpec, nextTime, type CompiledSpec, type ScheduleSpecJson } from '@tempora/schedule';
import type {
  ActionResultData,
  BackfillData,
  BufferedStartData,
  DescribeResult,
  SchedulePatchData,
  SchedulerArgs,
  ScheduleInfoData,
  ScheduleListInfoData,
  ScheduleUpdateData,
  WatchWorkflowResult,
} from '@tempora/common';
import type { SchedulerActivities } from '../activities.js';

// Values duplicated from @tempora/common's contract: the sandbox bundle imports types only from there.
const SCHEDULER_WORKFLOW_TYPE = 'temporal-sys-scheduler-workflow';
const MEMO_INFO = 'ScheduleInfo';

// ScheduleOverlapPolicy
const UNSPECIFIED = 0;
const SKIP = 1;
const BUFFER_ONE = 2;
const BUFFER_ALL = 3;
const CANCEL_OTHER = 4;
const TERMINATE_OTHER = 5;
const ALLOW_ALL = 6;
// WorkflowExecutionStatus
const RUNNING = 1;
const FAILED = 3;
const TIMED_OUT = 7;
// WorkflowIdReusePolicy
const ALLOW_DUPLICATE = 1;
const REJECT_DUPLICATE = 3;

// Upstream's CurrentTweakablePolicies.
const DEFAULT_CATCHUP_WINDOW_MS = 365 * 24 * 3600_000;
const MIN_CATCHUP_WINDOW_MS = 10_000;
const FUTURE_ACTION_COUNT = 10;
const RECENT_ACTION_COUNT = 10;
const FUTURE_ACTION_COUNT_FOR_LIST = 5;
const RECENT_ACTION_COUNT_FOR_LIST = 5;
const MAX_BUFFER_SIZE = 1000;
const BACKFILLS_PER_ITERATION = 10;
/** Iterations per run before continue-as-new (upstream uses the server's suggestion; we bound it ourselves). */
const ITERATIONS_BEFORE_CONTINUE_AS_NEW = 250;

const patchSignal = defineSignal<[SchedulePatchData]>('patch');
const updateSignal = defineSignal<[ScheduleUpdateData]>('update');
const refreshSignal = defineSignal('refresh');
const describeQuery = defineQuery<DescribeResult>('describe');

const local = proxyLocalActivities<SchedulerActivities>({
  startToCloseTimeout: '10s',
  scheduleToCloseTimeout: '1h',
  retry: { initialInterval: '1s', maximumInterval: '60s' },
});

const watcher = proxyActivities<SchedulerActivities>({
  startToCloseTimeout: '365d',
  heartbeatTimeout: '65s',
  retry: { initialInterval: '1s', maximumInterval: '30s' },
});

export async function schedulerWorkflow(args: SchedulerArgs): Promise<void> {
  await new Scheduler(args).run();
}

class Scheduler {
  private readonly info: ScheduleInfoData;
  private compiled: CompiledSpec | undefined;
  private pendingPatches: SchedulePatchData[] = [];
  private pendingUpdate: ScheduleUpdateData | undefined;
  private refreshRequested = false;
  private watching: { workflowId: string; done: boolean; result?: WatchWorkflowResult } | undefined;

  constructor(private readonly args: SchedulerArgs) {
    this.info = {
      actionCount: 0,
      missedCatchupWindow: 0,
      overlapSkipped: 0,
      bufferDropped: 0,
      bufferSize: 0,
      runningWorkflows: [],
      recentActions: [],
      futureActionTimesMs: [],
      createTimeMs: 0,
      invalidScheduleError: '',
      ...args.info,
    };
    args.info = this.info;
    args.state.bufferedStarts ??= [];
    args.state.ongoingBackfills ??= [];
  }

  private get schedule() {
    return this.args.schedule;
  }

  private get state() {
    return this.args.state;
  }

  private now(): number {
    return Date.now(); // workflow time in the sandbox
  }

  async run(): Promise<void> {
    this.compile();
    setHandler(describeQuery, () => this.describe());
    setHandler(patchSignal, (patch) => void this.pendingPatches.push(patch));
    setHandler(updateSignal, (update) => void (this.pendingUpdate = update));
    setHandler(refreshSignal, () => void (this.refreshRequested = true));

    if (this.state.lastProcessedTimeMs === undefined) {
      this.state.lastProcessedTimeMs = this.now();
      this.state.conflictToken = 1;
      this.info.createTimeMs = this.state.lastProcessedTimeMs;
    }
    if (this.args.initialPatch) this.pendingPatches.push(this.args.initialPatch);
    this.args.initialPatch = undefined;

    for (let iteration = 0; ; iteration++) {
      const pending = this.pendingPatches.length > 0 || this.pendingUpdate !== undefined;
      const suggested = iteration >= ITERATIONS_BEFORE_CONTINUE_AS_NEW || workflowInfo().continueAsNewSuggested;
      if (suggested && !pending) break;

      const t1 = this.state.lastProcessedTimeMs;
      const t2 = Math.max(this.now(), t1);
      const [wakeup, lastAction] = this.processTimeRange(t1, t2, UNSPECIFIED, false);
      let nextWakeup = wakeup;
      this.state.lastProcessedTimeMs = lastAction;
      if (this.processSignals()) {
        [nextWakeup] = this.processTimeRange(this.state.lastProcessedTimeMs, t2, UNSPECIFIED, false);
      }
      if (this.watching?.done) this.watcherReturned();
      if (this.refreshRequested) {
        this.refreshRequested = false;
        this.state.needRefresh = true;
      }
      this.processBackfills();
      while (await this.processBuffer()) {
        /* drain */
      }
      this.updateMemoAndSearchAttributes();
      await this.sleep(nextWakeup);
    }
    const continueAsNew = makeContinueAsNewFunc<(args: SchedulerArgs) => Promise<void>>({
      workflowType: SCHEDULER_WORKFLOW_TYPE,
    });
    await continueAsNew(this.args);
  }

  private compile(): void {
    try {
      this.compiled = compileSpec(this.schedule.spec as ScheduleSpecJson);
      this.info.invalidScheduleError = '';
    } catch (err) {
      this.compiled = undefined;
      this.info.invalidScheduleError = (err as Error).message;
    }
  }

  private jitterSeed(): string {
    return `${this.state.namespaceId}-${this.state.scheduleId}`;
  }

  private next(afterMs: number) {
    return this.compiled ? nextTime(this.compiled, afterMs, this.jitterSeed()) : undefined;
  }

  private catchupWindowMs(): number {
    const cw = this.schedule.policies.catchupWindowMs;
    if (cw === undefined || cw === 0) return DEFAULT_CATCHUP_WINDOW_MS;
    return Math.max(cw, MIN_CATCHUP_WINDOW_MS);
  }

  private resolveOverlap(policy: number): number {
    if (policy === UNSPECIFIED) policy = this.schedule.policies.overlapPolicy;
    return policy === UNSPECIFIED ? SKIP : policy;
  }

  private canTakeScheduledAction(manual: boolean, decrement: boolean): boolean {
    if (manual) return true;
    const state = this.schedule.state;
    if (state.paused) return false;
    if (!state.limitedActions) return true;
    if (state.remainingActions > 0) {
      if (decrement) {
        state.remainingActions--;
        this.state.conflictToken++;
      }
      return true;
    }
    return false;
  }

  /** Adds the starts due in (start, end]; returns the next wake-up (0 = none) and the last action time. */
  private processTimeRange(
    start: number,
    end: number,
    overlapPolicy: number,
    manual: boolean,
    limit?: { n: number },
  ): [number, number] {
    if (!this.compiled) return [0, end];
    if (!this.canTakeScheduledAction(manual, false)) return [this.next(end)?.actualMs ?? 0, end];
    const catchup = this.catchupWindowMs();
    let lastAction = start;
    let next = this.next(start);
    for (; next && next.actualMs <= end; next = this.next(next.actualMs)) {
      if (!manual && this.info.updateTimeMs !== undefined && this.info.updateTimeMs > next.actualMs) continue;
      if (!manual && end - next.actualMs > catchup) {
        this.info.missedCatchupWindow++;
        continue;
      }
      this.addStart(next.nominalMs, next.actualMs, overlapPolicy, manual);
      lastAction = next.actualMs;
      if (limit && --limit.n <= 0) {
        next = this.next(next.actualMs);
        break;
      }
    }
    return [next?.actualMs ?? 0, lastAction];
  }

  private addStart(nominalTimeMs: number, actualTimeMs: number, overlapPolicy: number, manual: boolean): void {
    const buffered = this.state.bufferedStarts!;
    if (buffered.length >= MAX_BUFFER_SIZE) {
      this.info.bufferDropped++;
      return;
    }
    buffered.push({ nominalTimeMs, actualTimeMs, overlapPolicy, manual });
    this.state.needRefresh = true;
  }

  private processSignals(): boolean {
    for (const patch of this.pendingPatches.splice(0)) this.processPatch(patch);
    const update = this.pendingUpdate;
    this.pendingUpdate = undefined;
    if (!update) return false;
    this.processUpdate(update);
    return true;
  }

  private processPatch(patch: SchedulePatchData): void {
    if (patch.triggerImmediately) {
      const at = patch.triggerImmediately.scheduledTimeMs || this.now();
      this.addStart(at, at, patch.triggerImmediately.overlapPolicy, true);
    }
    for (const backfill of patch.backfillRequest ?? []) {
      if (this.state.ongoingBackfills!.length >= MAX_BUFFER_SIZE) {
        this.info.bufferDropped++;
        continue;
      }
      // Upstream's inclusive start time.
      this.state.ongoingBackfills!.push({ ...backfill, startTimeMs: backfill.startTimeMs - 1 });
    }
    if (patch.pause) {
      this.schedule.state.paused = true;
      this.schedule.state.notes = patch.pause;
      this.state.conflictToken++;
    }
    if (patch.unpause) {
      this.schedule.state.paused = false;
      this.schedule.state.notes = patch.unpause;
      this.state.conflictToken++;
    }
  }

  private processUpdate(update: ScheduleUpdateData): void {
    if (update.conflictToken !== 0 && update.conflictToken !== this.state.conflictToken) {
      log.warn('Update conflicted with concurrent change');
      return;
    }
    this.args.schedule = update.schedule;
    this.compile();
    if (update.searchAttributes) this.updateCustomSearchAttributes(update.searchAttributes);
    this.info.updateTimeMs = this.now();
    this.state.conflictToken++;
  }

  private updateCustomSearchAttributes(attributes: NonNullable<ScheduleUpdateData['searchAttributes']>): void {
    const current = workflowInfo().searchAttributes ?? {};
    const upsert: Record<string, unknown[]> = {};
    for (const [name, value] of Object.entries(attributes)) {
      upsert[name] = Array.isArray(value) ? (value as unknown[]) : [value];
    }
    for (const name of Object.keys(current)) {
      if (name.startsWith('Temporal') || name === 'BuildIds' || name === 'BinaryChecksums') continue;
      if (!(name in attributes)) upsert[name] = [];
    }
    if (Object.keys(upsert).length > 0) upsertSearchAttributes(upsert as Parameters<typeof upsertSearchAttributes>[0]);
  }

  private processBackfills(): void {
    const limit = { n: BACKFILLS_PER_ITERATION };
    const backfills = this.state.ongoingBackfills!;
    while (backfills.length > 0 && limit.n > 0 && this.state.bufferedStarts!.length < MAX_BUFFER_SIZE / 2) {
      const backfill: BackfillData = backfills[0]!;
      const [next] = this.processTimeRange(
        backfill.startTimeMs,
        backfill.endTimeMs,
        backfill.overlapPolicy,
        true,
        limit,
      );
      if (next === 0 || next > backfill.endTimeMs) backfills.shift();
      else backfill.startTimeMs = next - 1;
    }
  }

  /** Upstream's ProcessBuffer: what to start now, what stays buffered, whether to cancel/terminate the running. */
  private async processBuffer(): Promise<boolean> {
    if (this.state.needRefresh) {
      await this.refreshWorkflows();
      this.state.needRefresh = false;
    }
    const buffered = this.state.bufferedStarts!;
    if (!this.schedule.workflowId || buffered.length === 0) {
      this.state.bufferedStarts = [];
      return false;
    }
    const isRunning = this.info.runningWorkflows.length > 0;
    const overlapping: BufferedStartData[] = [];
    let nonOverlapping: BufferedStartData | undefined;
    const newBuffer: BufferedStartData[] = [];
    let needCancel = false;
    let needTerminate = false;
    for (const start of buffered) {
      const policy = this.resolveOverlap(start.overlapPolicy);
      if (policy === ALLOW_ALL) {
        overlapping.push(start);
        continue;
      }
      if (!isRunning && !nonOverlapping) {
        nonOverlapping = start;
        continue;
      }
      switch (policy) {
        case SKIP:
          this.info.overlapSkipped++;
          break;
        case BUFFER_ONE:
          if (newBuffer.length === 0) newBuffer.push(start);
          else this.info.overlapSkipped++;
          break;
        case BUFFER_ALL:
          newBuffer.push(start);
          break;
        case CANCEL_OTHER:
        case TERMINATE_OTHER:
          if (isRunning) {
            if (policy === CANCEL_OTHER) needCancel = true;
            else needTerminate = true;
            newBuffer.push(start);
          } else {
            nonOverlapping = start;
          }
          break;
      }
    }
    this.state.bufferedStarts = newBuffer;
    const starts = needCancel || needTerminate ? [] : overlapping;
    if (nonOverlapping) starts.push(nonOverlapping);
    let tryAgain = false;
    for (const start of starts) {
      if (!this.canTakeScheduledAction(start.manual, true)) {
        tryAgain = true;
        continue;
      }
      try {
        const result = await this.startWorkflow(start);
        this.recordAction(result, start === nonOverlapping);
      } catch (err) {
        log.error('Failed to start workflow', { error: (err as Error).message });
        tryAgain = true;
      }
    }
    if (needTerminate || needCancel) {
      for (const ex of this.info.runningWorkflows) {
        const request = { namespace: this.state.namespace, workflowId: ex.workflowId, runId: ex.runId };
        const identity = this.identity();
        try {
          if (needTerminate) {
            await local.terminateWorkflow({ ...request, identity, reason: 'terminated by schedule overlap policy' });
          } else {
            await local.cancelWorkflow({
              ...request,
              identity,
              requestId: uuid4(),
              reason: 'cancelled by schedule overlap policy',
            });
          }
        } catch (err) {
          log.error('cancel/terminate failed', { error: (err as Error).message });
        }
      }
    }
    if (this.state.bufferedStarts.length > 0 && !this.watching && this.info.runningWorkflows.length > 0) {
      this.startWatcher(this.info.runningWorkflows[0]!);
    }
    return tryAgain;
  }

  private identity(): string {
    return `temporal-scheduler-${this.state.namespace}-${this.state.scheduleId}`;
  }

  private async startWorkflow(start: BufferedStartData): Promise<ActionResultData> {
    const nominalSeconds = Math.floor(start.nominalTimeMs / 1000) * 1000;
    const workflowId = `${this.schedule.workflowId}-${new Date(nominalSeconds).toISOString().replace(/\.\d{3}Z$/, 'Z')}`;
    let scheduleToCloseMs = 60_000;
    if (!start.manual) {
      const deadline = start.actualTimeMs + this.catchupWindowMs() - this.now();
      scheduleToCloseMs = Math.min(Math.max(deadline, 10_000), 3600_000);
    }
    const activities = proxyLocalActivities<SchedulerActivities>({
      startToCloseTimeout: '10s',
      scheduleToCloseTimeout: scheduleToCloseMs,
      retry: { initialInterval: '1s', maximumInterval: '60s' },
    });
    const result = await activities.startScheduledWorkflow({
      namespace: this.state.namespace,
      scheduleId: this.state.scheduleId,
      encodedSchedule: this.schedule.encoded,
      workflowId,
      nominalTimeMs: nominalSeconds,
      requestId: uuid4(),
      identity: this.identity(),
      workflowIdReusePolicy: start.manual ? ALLOW_DUPLICATE : REJECT_DUPLICATE,
    });
    return {
      scheduleTimeMs: start.actualTimeMs,
      actualTimeMs: result.realStartTimeMs,
      workflowId,
      runId: result.runId,
      status: RUNNING,
    };
  }

  private recordAction(result: ActionResultData, nonOverlapping: boolean): void {
    this.info.actionCount++;
    this.info.recentActions = [...this.info.recentActions, result].slice(-RECENT_ACTION_COUNT);
    if (nonOverlapping) this.info.runningWorkflows.push({ workflowId: result.workflowId, runId: result.runId });
  }

  private async refreshWorkflows(): Promise<void> {
    const running = [...this.info.runningWorkflows];
    const results = await Promise.all(
      running.map((ex) =>
        local.watchWorkflow({
          namespace: this.state.namespace,
          workflowId: ex.workflowId,
          runId: ex.runId,
          longPoll: false,
        }),
      ),
    );
    results.forEach((result, i) => this.processWatcherResult(running[i]!.workflowId, result));
  }

  private startWatcher(ex: { workflowId: string; runId: string }): void {
    const watching: NonNullable<Scheduler['watching']> = { workflowId: ex.workflowId, done: false };
    this.watching = watching;
    watcher
      .watchWorkflow({ namespace: this.state.namespace, workflowId: ex.workflowId, runId: ex.runId, longPoll: true })
      .then(
        (result) => Object.assign(watching, { done: true, result }),
        (err: unknown) => {
          log.error('error from workflow watcher', { error: (err as Error).message });
          watching.done = true;
        },
      );
  }

  private watcherReturned(): void {
    const watching = this.watching!;
    this.watching = undefined;
    if (watching.result) this.processWatcherResult(watching.workflowId, watching.result);
  }

  private processWatcherResult(workflowId: string, result: WatchWorkflowResult): void {
    if (result.status === RUNNING) return;
    this.info.runningWorkflows = this.info.runningWorkflows.filter((ex) => ex.workflowId !== workflowId);
    const recent = this.info.recentActions.find((a) => a.workflowId === workflowId);
    if (recent) recent.status = result.status;
    const failed = result.status === FAILED || result.status === TIMED_OUT;
    if (this.schedule.policies.pauseOnFailure && failed && !this.schedule.state.paused) {
      this.schedule.state.paused = true;
      this.schedule.state.notes =
        result.status === FAILED
          ? `paused due to workflow failure: ${workflowId}: ${result.failureMessage ?? ''}`
          : `paused due to workflow timeout: ${workflowId}`;
      this.state.conflictToken++;
    }
  }

  private async sleep(nextWakeup: number): Promise<void> {
    const hasMoreAllowAll =
      this.state.ongoingBackfills!.length > 0 &&
      this.resolveOverlap(this.state.ongoingBackfills![0]!.overlapPolicy) === ALLOW_ALL;
    if (hasMoreAllowAll) nextWakeup = this.now() + 1000;
    else if (!this.canTakeScheduledAction(false, false)) nextWakeup = 0;
    const woken = () =>
      this.pendingPatches.length > 0 ||
      this.pendingUpdate !== undefined ||
      this.refreshRequested ||
      (this.watching?.done ?? false);
    if (woken()) return;
    if (nextWakeup === 0) {
      await condition(woken);
      return;
    }
    const ms = nextWakeup - this.now();
    if (ms > 0) await condition(woken, ms);
  }

  private futureActionTimes(n: number): number[] {
    if (!this.compiled) return [];
    const state = this.schedule.state;
    if (state.limitedActions) n = Math.min(state.remainingActions, n);
    const out: number[] = [];
    let t = this.state.lastProcessedTimeMs ?? this.now();
    while (out.length < n) {
      const next = this.next(t);
      if (!next) break;
      t = next.actualMs;
      if (this.info.updateTimeMs !== undefined && this.info.updateTimeMs > t) continue;
      out.push(t);
    }
    return out;
  }

  private describe(): DescribeResult {
    return {
      schedule: this.schedule,
      info: {
        ...this.info,
        futureActionTimesMs: this.futureActionTimes(FUTURE_ACTION_COUNT),
        bufferSize: this.state.bufferedStarts!.length,
      },
      conflictToken: this.state.conflictToken,
    };
  }

  private listInfo(): ScheduleListInfoData {
    return {
      spec: this.schedule.spec,
      workflowType: this.schedule.workflowType,
      notes: this.schedule.state.notes,
      paused: this.schedule.state.paused,
      recentActions: this.info.recentActions.slice(-RECENT_ACTION_COUNT_FOR_LIST),
      futureActionTimesMs: this.futureActionTimes(FUTURE_ACTION_COUNT_FOR_LIST),
    };
  }

  private updateMemoAndSearchAttributes(): void {
    const info = this.listInfo();
    const current = workflowInfo().memo?.[MEMO_INFO];
    if (JSON.stringify(current) !== JSON.stringify(info)) upsertMemo({ [MEMO_INFO]: info });
    const paused = workflowInfo().searchAttributes?.['TemporalSchedulePaused'];
    if (!Array.isArray(paused) || paused[0] !== this.schedule.state.paused) {
      upsertSearchAttributes({ TemporalSchedulePaused: [this.schedule.state.paused] });
    }
  }
}
