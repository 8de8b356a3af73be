import { taskQueueRingKey } from '@tempora/membership';
import type { ListTaskQueuePartitionsRequest, ListTaskQueuePartitionsResponse } from '@tempora/proto/workflowservice';
import type { DeepPartial } from '@tempora/rpc';
import type { FrontendContext } from '../context.js';
import { validateUserTaskQueue } from '../validation.js';

/**
 * A task queue's partitions with the matching host that owns each. Tempora's normal queues have one partition (the
 * root, keyed by the queue's name) for both task types, owned by the matching member the ring assigns the queue;
 * an in-process member (start-dev) has no address and is named by its identity.
 */
export function listTaskQueuePartitions(ctx: FrontendContext) {
  return async (request: ListTaskQueuePartitionsRequest): Promise<DeepPartial<ListTaskQueuePartitionsResponse>> => {
    validateUserTaskQueue(request.taskQueue);
    const namespaceId = await ctx.namespaces.resolveId(request.namespace);
    const name = request.taskQueue!.name;
    const owner = ctx.membership.owner('matching', taskQueueRingKey(namespaceId, name));
    const partitions = [{ key: name, ownerHostName: owner ? owner.address || owner.identity : '' }];
    return { activityTaskQueuePartitions: partitions, workflowTaskQueuePartitions: partitions };
  };
}
