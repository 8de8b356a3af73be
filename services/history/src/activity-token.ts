import type { ActivityTaskToken } from '@tempora/proto/internal';
import type { HistoryContext } from './context.js';
import type { MutableState } from './mutable-state.js';
import { decodeActivityTaskToken } from './tokens.js';

/** Runs `fn` in a transaction on the run an activity token (or a ById token without run id) names. */
export async function withActivityToken<T>(
  ctx: HistoryContext,
  taskToken: Uint8Array,
  fn: (ms: MutableState, token: ActivityTaskToken) => T,
): Promise<T> {
  const token = decodeActivityTaskToken(taskToken);
  const engine = ctx.shards.engineFor(token.namespaceId, token.workflowId);
  const runId = await engine.executions.resolveRunId(token.namespaceId, token.workflowId, token.runId);
  return engine.executions.update({ namespaceId: token.namespaceId, workflowId: token.workflowId, runId }, (ms) =>
    fn(ms, token),
  );
}
