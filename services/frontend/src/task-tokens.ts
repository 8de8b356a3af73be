// Task tokens as the frontend sees them: it only learns the namespace from them (history validates the rest
// against mutable state), and builds the token a ById activity call stands for.
import { ActivityTaskToken } from '@tempora/proto/internal';
import { encodeToBuffer } from '@tempora/proto/wire';
import { invalidArgument } from '@tempora/rpc';
import type { FrontendContext } from './context.js';
import { validateExecution, validateIdentity } from './validation.js';

interface TokenType<T> {
  decode(bytes: Uint8Array): T;
}

interface TokenRequest {
  taskToken: Uint8Array;
  namespace: string;
  identity: string;
}

/**
 * Checks a call that hands a task token back and returns the token's namespace id. The token decides the namespace
 * (as upstream's namespace interceptor does); a request that also names one must name the same namespace.
 */
export async function validateTaskTokenRequest<T extends { namespaceId: string }>(
  ctx: FrontendContext,
  tokenType: TokenType<T>,
  request: TokenRequest,
): Promise<string> {
  if (!request.taskToken.length) throw invalidArgument('Task token not set on request.');
  let token: T;
  try {
    token = tokenType.decode(request.taskToken);
  } catch {
    throw invalidArgument('Error deserializing task token.');
  }
  await ctx.namespaces.resolveById(token.namespaceId);
  if (request.namespace && (await ctx.namespaces.resolveId(request.namespace)) !== token.namespaceId) {
    throw invalidArgument('Operation requested with a token from a different namespace.');
  }
  validateIdentity(request.identity);
  return token.namespaceId;
}

interface ActivityByIdRequest {
  namespace: string;
  workflowId: string;
  runId: string;
  activityId: string;
  identity: string;
}

/**
 * Turns a ById activity call into the token form history serves: the token names the activity by id with
 * scheduled event id 0 (and attempt 0), which history resolves against the run's pending activities; an empty
 * run id means the current run. The other fields of the request are carried over unchanged.
 */
export async function toActivityTokenRequest<R extends ActivityByIdRequest>(ctx: FrontendContext, byId: R) {
  const namespaceId = await ctx.namespaces.resolveId(byId.namespace);
  const { workflowId, runId, activityId, ...fields } = byId;
  validateExecution({ workflowId, runId });
  if (!activityId) throw invalidArgument('ActivityId is not set on request.');
  validateIdentity(byId.identity);
  const token = ActivityTaskToken.fromPartial({
    namespaceId,
    workflowId,
    runId,
    scheduledEventId: 0,
    attempt: 0,
    activityId,
  });
  const taskToken = encodeToBuffer(ActivityTaskToken, token);
  return { namespaceId, request: { ...fields, taskToken } };
}
