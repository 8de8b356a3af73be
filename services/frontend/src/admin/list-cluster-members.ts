import { SERVICE_NAMES } from '@tempora/common';
import type { ListClusterMembersResponse } from '@tempora/proto/admin';
import type { DeepPartial } from '@tempora/rpc';
import type { FrontendContext } from '../context.js';

/** Every member of every service ring, as this frontend sees them. */
export function listClusterMembers(ctx: FrontendContext) {
  return async (): Promise<DeepPartial<ListClusterMembersResponse>> => ({
    membershipProvider: ctx.membership.provider,
    members: SERVICE_NAMES.flatMap((service) =>
      ctx.membership.members(service).map((m) => ({
        service: m.service,
        identity: m.identity,
        address: m.address,
        startedTime: new Date(m.startedTime),
      })),
    ),
  });
}
