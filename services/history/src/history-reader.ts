// Reads a run's events from its history branch. Readers stop at the run's nextEventId, so a batch appended by a
// write that then failed is never returned.
import type { PersistenceStores } from '@tempora/persistence';
import { History, type HistoryEvent } from '@tempora/proto/history';

const NODES_PER_READ = 200;

/** Events with firstEventId <= eventId < endEventId, in order. */
export async function readEvents(
  stores: PersistenceStores,
  shardId: number,
  runId: string,
  firstEventId: number,
  endEventId: number,
): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  if (firstEventId >= endEventId) return events;
  // Start at the batch holding firstEventId (the newest one at or before it), so reading a closed run's last event
  // decodes one batch, not the whole history.
  const holder =
    firstEventId > 1
      ? await stores.history.readHistoryBranchReverse({
          shardId,
          branchToken: runId,
          minNodeId: 1,
          maxNodeId: firstEventId + 1,
          pageSize: 1,
        })
      : undefined;
  const minNodeId = holder?.items[0]?.nodeId ?? 1;
  let pageToken: Uint8Array | undefined;
  do {
    const page = await stores.history.readHistoryBranch({
      shardId,
      branchToken: runId,
      minNodeId,
      maxNodeId: endEventId,
      pageSize: NODES_PER_READ,
      pageToken,
    });
    for (const node of page.items) {
      for (const event of History.decode(node.events).events) {
        if (event.eventId >= firstEventId && event.eventId < endEventId) events.push(event);
      }
    }
    pageToken = page.nextPageToken;
  } while (pageToken);
  return events;
}
