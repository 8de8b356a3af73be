import type { ReshardStatus } from '@tempora/proto/admin';
import type { ReshardState } from '@tempora/proto/persistence';

/** The admin API's view of a stored reshard. */
export function reshardStatus(state: ReshardState | undefined): ReshardStatus | undefined {
  if (!state) return undefined;
  return {
    fromShardCount: state.fromShardCount,
    toShardCount: state.toShardCount,
    splitShards: state.completedTime ? state.fromShardCount : state.splitShards.length,
    movedExecutions: state.movedExecutions,
    startedTime: state.startedTime,
    completedTime: state.completedTime,
  };
}
