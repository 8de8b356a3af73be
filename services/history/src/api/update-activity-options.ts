import type { UpdateActivityOptionsRequest, UpdateActivityOptionsResponse } from '@tempora/proto/internal';
import type { DeepPartial } from '@tempora/rpc';
import {
  activityOptionsOf,
  parseActivityOptionsMask,
  restoreOriginalOptions,
  updateActivityOptions as update,
  withSelectedActivities,
} from '../activity-operations.js';
import type { HistoryContext } from '../context.js';

export function updateActivityOptions(ctx: HistoryContext) {
  return async ({
    namespaceId,
    request,
  }: UpdateActivityOptionsRequest): Promise<DeepPartial<UpdateActivityOptionsResponse>> => {
    const req = request!;
    const paths = req.restoreOriginal ? [] : parseActivityOptionsMask(req.updateMask);
    const selector = { id: req.id, type: req.type, all: req.matchAll };
    const options = await withSelectedActivities(ctx, namespaceId, req.execution!, selector, (_ms, activity) => {
      if (req.restoreOriginal) restoreOriginalOptions(activity);
      else update(activity, req.activityOptions!, paths);
      return activityOptionsOf(activity);
    });
    return { response: { activityOptions: options[0] } };
  };
}
